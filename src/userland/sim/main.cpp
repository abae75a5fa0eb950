// /usr/bin/sim: the `sim` scenario-control commands as a program, for shells
// other than Ion and for init scripts.
#include "schemes/libredox.h"
#include "userland/sim/sim_command.h"

#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    if (!args.empty()) args[0] = "sim";
    auto out = [](std::string_view s) { (void)redox::sys::write_all(1, s); };
    auto err = [](std::string_view s) { (void)redox::sys::write_all(2, s); };
    redox::sys::exit(redox::simctl::run(args, out, err));
}
