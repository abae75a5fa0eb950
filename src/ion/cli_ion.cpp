// `redox-sim ion`: the Ion shell on the host.
#include "cli/command.h"
#include "ion/host_os.h"
#include "ion/invocation.h"
#include "ion/repl.h"
#include "ion/shell.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

namespace {

constexpr const char* kHelp =
    "ion (redox-sim) - the Ion shell language on the host\n"
    "\n"
    "usage: redox-sim ion [FLAGS] [-c COMMAND | SCRIPT] [ARGS...]\n"
    "\n"
    "  -c COMMAND   run COMMAND instead of a script\n"
    "  -n           only check the syntax\n"
    "  -x           print each command before running it\n"
    "  -i           interactive even when stdin is not a terminal\n"
    "  -f           fake interactive: errors do not end the shell\n"
    "  -l, --login  accepted for compatibility; no effect\n"
    "  -o vi|emacs  key bindings of the line editor\n"
    "  -v           print the version\n"
    "  -h           print this help\n"
    "\n"
    "With neither -c nor SCRIPT, commands are read from stdin (interactively\n"
    "when it is a terminal). @args holds SCRIPT (or the shell name) and ARGS.\n";

void say(const char* msg) {
    std::fputs(msg, stdout);
    std::fflush(stdout);
}

int ion_main(std::span<char*> argv) {
    std::vector<std::string> args(argv.begin(), argv.end());
    ion::Invocation inv = ion::parse_invocation(args);
    switch (inv.action) {
        case ion::Invocation::Action::Help: say(kHelp); return 0;
        case ion::Invocation::Action::Version: say("ion 1.0.0-alpha (redox-sim " "0.1.0" ")\n"); return 0;
        case ion::Invocation::Action::Error: say(inv.error.c_str()); return 1;
        case ion::Invocation::Action::Run: break;
    }
    // A closed reader (e.g. `redox-sim ion script | head`) ends the shell quietly.
    std::signal(SIGPIPE, SIG_IGN);
    ion::HostOs os;
    ion::Shell shell(os, inv.opts);
    return ion::run_invocation(shell, inv, args, [](ion::Shell& sh) { return ion::run_repl(sh); });
}

}  // namespace

REDOX_SIM_COMMAND("ion", "ion [-c CMD | SCRIPT [ARGS...]]  run the Ion shell (interactive without args)", ion_main);
