// `redox-sim ion`: the Ion shell on the host.
#include "cli/command.h"
#include "ion/host_os.h"
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
    ion::ShellOptions opts;
    std::string command;
    bool have_command = false, force_interactive = false;
    std::vector<std::string> rest;
    std::vector<std::string> seen;
    auto once = [&](const std::string& f) {
        for (auto& s : seen) {
            if (s == f) return false;
        }
        seen.push_back(f);
        return true;
    };
    size_t k = 0;
    for (; k < args.size(); ++k) {
        const std::string& a = args[k];
        if (a.empty() || a[0] != '-' || a == "-") break;
        if (a == "--") {
            ++k;
            break;
        }
        std::string key = a == "--login" ? "-l" : a == "--help" ? "-h" : a == "--version" ? "-v"
                        : a == "--no-execute" ? "-n" : a == "--interactive" ? "-i" : a == "--fake-interactive" ? "-f" : a;
        if (!once(key)) {
            say("flag or option set twice, see --help\n");
            return 1;
        }
        if (key == "-h") {
            say(kHelp);
            return 0;
        }
        if (key == "-v") {
            say("ion 1.0.0-alpha (redox-sim " "0.1.0" ")\n");
            return 0;
        }
        if (key == "-c") {
            if (k + 1 >= args.size()) {
                say("-c needs a command, see --help\n");
                return 1;
            }
            command = args[++k];
            have_command = true;
        } else if (key == "-o") {
            if (k + 1 >= args.size() || (args[k + 1] != "vi" && args[k + 1] != "emacs")) {
                say("invalid keybinding, see --help\n");
                return 1;
            }
            ++k;
        } else if (key == "-n") {
            opts.no_exec = true;
        } else if (key == "-x") {
            opts.trace = true;
        } else if (key == "-i") {
            force_interactive = true;
        } else if (key == "-f") {
            opts.interactive = true;
        } else if (key == "-l") {
        } else {
            std::fprintf(stdout, "unknown flag '%s', see --help\n", a.c_str());
            return 1;
        }
    }
    rest.assign(args.begin() + long(k), args.end());
    if (have_command && !rest.empty()) {
        say("either execute command or file(s)\n");
        return 1;
    }

    // A closed reader (e.g. `redox-sim ion script | head`) ends the shell quietly.
    std::signal(SIGPIPE, SIG_IGN);
    ion::HostOs os;
    ion::Shell shell(os, opts);
    shell.set_command_line(args);
    if (have_command) {
        shell.set_args({"ion"});
        shell.run_string(command, "-c");
        return shell.last_status();
    }
    if (!rest.empty()) {
        std::string path = rest[0];
        std::vector<std::string> script_args(rest.begin() + 1, rest.end());
        if (!os.stat(path).is_file) {
            std::string why = os.stat(path).exists ? "Is a directory (os error 21)" : "No such file or directory (os error 2)";
            std::fprintf(stdout, "ion: could not execute '%s': %s\n", path.c_str(), why.c_str());
            return 1;
        }
        shell.run_file(path, script_args);
        return shell.last_status();
    }
    shell.set_args({"ion"});
    if (force_interactive || isatty(0)) return ion::run_repl(shell);
    auto text = os.read_all(0);
    if (!text) return redox::cli::fail("ion: cannot read stdin: " + text.error().message());
    shell.run_string(*text, "stdin");
    return shell.last_status();
}

}  // namespace

REDOX_SIM_COMMAND("ion", "ion [-c CMD | SCRIPT [ARGS...]]  run the Ion shell (interactive without args)", ion_main);
