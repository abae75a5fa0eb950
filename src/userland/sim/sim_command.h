// `sim`: scenario control from inside a sim, as a program (/usr/bin/sim) and
// as an Ion builtin (the shell registers run() through its embedding API).
//   sim wait-scheme NAME [TIMEOUT]    wait until a scheme is registered
//   sim kill DAEMON|PID [SIGNAL]      signal a process by name or pid (KILL: until it is gone)
//   sim restart DAEMON|PID            kill it and start it again, wait for its schemes
//   sim log                           the kernel log
//   sim time [advance DURATION]       the clock; advance the virtual clock
//   sim fault SCHEME OPCODE ERRNO [--count N] [--after N] [--path GLOB]
//   sim fault list|clear              injected-fault rules
//   sim trace on|off                  scheme-call tracing (boot --trace FILE)
//   sim ps                            the process table
//   sim input key CODE [press|release] [U+XXXX] | text STRING | mouse X Y |
//             click X Y | button L M R | scroll DX DY   input through inputd
//   sim screenshot FILE               the screen as PNG (Orbital's screenshot)
//   sim snapshot-fs NAME | --list | --delete NAME   RedoxFS snapshots of the root
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace redox::simctl {

using Sink = std::function<void(std::string_view)>;

// args[0] is "sim". Returns the exit status; errors are one line on err.
int run(std::span<const std::string> args, const Sink& out, const Sink& err);

// "30s", "1.5m", "250ms", "10us", "5ns", "2h" or a number of seconds -> ns.
bool parse_duration(std::string_view text, uint64_t& ns);

} // namespace redox::simctl
