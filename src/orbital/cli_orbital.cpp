// `redox-sim orbital`: Orbital with the example apps, in an SDL2 window or headless.
#include "../../examples/orbital/run.h"
#include "cli/command.h"

namespace {

int orbital_command(std::span<char*> args) {
    return redox::examples::run_orbital_demo(args, "redox-sim: orbital", {"hello", "paint", "events"});
}

} // namespace

REDOX_SIM_COMMAND("orbital",
                  "orbital [--headless] [--size WxH] [--config FILE] [--frames N] "
                  "[--screenshot PATH] [hello|paint|events...]",
                  orbital_command);
