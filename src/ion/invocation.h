// The command line of the Ion shell, shared by `redox-sim ion` on the host and
// /usr/bin/ion inside the sim: flags, `-c COMMAND`, `SCRIPT [ARGS]`.
#pragma once

#include "ion/shell.h"

#include <functional>
#include <string>
#include <vector>

namespace ion {

struct Invocation {
    enum class Action { Run, Help, Version, Error };
    Action action = Action::Run;
    std::string error;  // for Action::Error: the line to print (with newline)
    ShellOptions opts;
    bool have_command = false;
    std::string command;           // -c COMMAND
    bool force_interactive = false;  // -i
    std::vector<std::string> rest;   // SCRIPT and its ARGS
};

// `args` excludes the program name.
Invocation parse_invocation(const std::vector<std::string>& args);

// What follows parsing on both systems: -c, a script, an interactive shell
// (`repl`, with -i or when stdin is a terminal), or else all of stdin as one
// script. Messages go to the Os's fd 1, as Ion prints them. Returns the exit
// status. `args` is the whole command line, program name excluded.
int run_invocation(Shell& shell, const Invocation& inv, const std::vector<std::string>& args,
                   const std::function<int(Shell&)>& repl);

}  // namespace ion
