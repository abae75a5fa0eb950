// The init script language (reference §7.1 classic + §7.2 transitional), as a parser
// only: init runs the commands. One command per line; `#` starts a comment (outside
// quotes); words are split on blanks; "double quotes" group words (inside them \" and
// \\ escape). `$VAR` words are kept as written: init expands them when it runs the
// line (expand_vars), so a later `export` is seen.
//
//   cd DIR                      chdir (1 argument)
//   echo ARGS...                print the words joined by spaces
//   export VAR VALUE...         setenv, values joined by spaces ("export VAR=VALUE" too)
//   unset VAR...                unsetenv
//   stdio PATH                  reopen fds 0, 1, 2 on PATH
//   set-default-scheme NAME     the scheme of paths without a prefix
//   run FILE                    run another script (kind RunScript)
//   run.d DIR...                run every file of the dirs in file-name order, a later
//                               dir's file replacing an equal name; missing dirs skipped
//   requires_weak UNIT...       ordering hint: wait for these units if they are queued
//   notify [VAR=val...] CMD...  spawn, wait for the readiness byte
//   notify_parallel [VAR=val...] CMD...
//                               spawn and go on: a run of these lines starts its
//                               daemons together, and init waits for every readiness
//                               byte before the next other line and at the script's
//                               end. For daemons that need none of each other to start.
//   nowait [VAR=val...] CMD...  spawn, do not wait
//   scheme NAME [VAR=val...] CMD...  spawn, wait for its scheme fd, register NAME
//   [VAR=val...] CMD ARGS...    anything else: spawn and wait for exit (kind Run)
// For Run, Notify, Nowait and Scheme, args[0] is the program (after NAME for Scheme:
// args = {NAME, CMD, ARGS...}) and the VAR=val prefixes are in env; `VAR=$` means
// "inherit VAR from init". Errors: "init FILE:LINE: WHAT".
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schemes/error.h"

namespace redox::installer {

struct InitCommand {
    enum class Kind {
        Run, Notify, Nowait, RequiresWeak, RunD, Export, Unset, Cd, Echo, Stdio, SetDefaultScheme,
        RunScript, Scheme,
    } kind = Kind::Run;
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;   // VAR=val prefixes, in order
    std::string origin;                                     // "file:line"
    bool parallel = false;                                  // Notify from notify_parallel
};

redox::Result<std::vector<InitCommand>> parse_init_script(std::string_view text, std::string_view filename);

// Replaces $NAME and ${NAME} (NAME = [A-Za-z_][A-Za-z0-9_]*) with getenv(NAME), or ""
// when it returns nullptr. A '$' not followed by a name stays as it is.
std::string expand_vars(std::string_view arg, const std::function<const char*(std::string_view)>& getenv);

} // namespace redox::installer
