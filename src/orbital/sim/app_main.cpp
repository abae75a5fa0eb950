// The example clients as sim programs: orbital-hello, orbital-paint and
// orbital-events are this file built with ORBITAL_SIM_APP set to the app's name
// and ORBITAL_SIM_APP_HELLO / _PAINT / _EVENTS selecting its code.
// Each is an ordinary orbclient program over the `orbital` scheme; the app code
// is the same as in examples/orbital (there run in-process by AppHost).
#include <cstdio>
#include <string>

#include "../../examples/orbital/apps.h"
#include "orbital/client/scheme_transport.h"
#include "orbital/sim/sim_stdio.h"
#include "schemes/libredox.h"

int main() {
    using namespace redox;
    const std::string name = ORBITAL_SIM_APP;
    std::FILE* err_out = orbital::sim_stream(2);
    if (!err_out) return 1;
    // The apps report open failures on stderr; that is the console here too.
    std::FILE* saved_stderr = stderr;
    stderr = err_out;
    (void)sys::set_name("orbital-" + name);
    orbclient::SchemeTransport transport;
    std::unique_ptr<orbital::App> app;
    std::FILE* out = nullptr;
#if defined(ORBITAL_SIM_APP_HELLO)
    app = examples::make_hello_app(transport);
#elif defined(ORBITAL_SIM_APP_PAINT)
    app = examples::make_paint_app(transport);
#else
    out = orbital::sim_stream(1);
    if (out) app = examples::make_event_printer_app(transport, out);
#endif
    int status = 0;
    if (!app) {
        status = 1;
    } else {
        while (app->step()) {
            auto r = transport.wait_for_events();
            if (!r) {
                std::fprintf(err_out, "orbital-%s: waiting for events: %s\n", name.c_str(), r.error().message().c_str());
                status = 1;
                break;
            }
        }
    }
    app.reset();
    if (out) std::fclose(out);
    stderr = saved_stderr;
    std::fclose(err_out);
    sys::exit(status);
}
