// Shared entry point of the example programs and `redox-sim orbital`.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace redox::examples {

// Runs Orbital with the named apps (hello, paint, events; `defaults` when none are
// given on the command line). Returns the process exit code; failures are one line
// "PROG: what: why" on stderr.
int run_orbital_demo(std::span<char*> args, std::string_view prog,
                     const std::vector<std::string>& defaults);

} // namespace redox::examples
