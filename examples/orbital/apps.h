// Example Orbital clients written against orbclient. Each runs in the AppHost loop
// today; with the orbital scheme they become ordinary programs with the same code.
#pragma once

#include <cstdio>
#include <memory>

#include "orbital/client/transport.h"
#include "orbital/host/app_host.h"

namespace redox::examples {

// A window with a gradient, a greeting and a circle; closes on Quit.
std::unique_ptr<orbital::App> make_hello_app(orbclient::Transport& t);
// Draw with the left button, clear with the right one, 1-5 pick a colour.
std::unique_ptr<orbital::App> make_paint_app(orbclient::Transport& t);
// Prints every event it receives to `out`, one line each, and shows the last one.
std::unique_ptr<orbital::App> make_event_printer_app(orbclient::Transport& t, std::FILE* out);

} // namespace redox::examples
