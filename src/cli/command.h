// `redox-sim SUBCOMMAND` registry. Each component adds its handlers in its own
// source file (listed in the root `cli_sources`) with REDOX_SIM_COMMAND.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace redox::cli {

// args excludes the program name and the subcommand itself.
using CommandFn = int (*)(std::span<char*> args);

struct Command {
    const char* name;
    const char* usage;   // one line, e.g. "ion [-c CMD | SCRIPT [ARGS...]]"
    CommandFn run;
};

void register_command(const Command& cmd);

// Runs the subcommand NAME in this process, as `redox-sim NAME ARGS...` would;
// 2 with a message when there is no such command.
int run_command(std::string_view name, std::span<char*> args);

struct CommandRegistrar {
    explicit CommandRegistrar(const Command& cmd) { register_command(cmd); }
};

// Prints "redox-sim: MSG" to stderr and returns 1, for one-line failures.
int fail(std::string_view msg);

} // namespace redox::cli

#define REDOX_SIM_CONCAT2(a, b) a##b
#define REDOX_SIM_CONCAT(a, b) REDOX_SIM_CONCAT2(a, b)
#define REDOX_SIM_COMMAND(name, usage, fn)                                      \
    static ::redox::cli::CommandRegistrar REDOX_SIM_CONCAT(redox_sim_cmd_, __LINE__)( \
        ::redox::cli::Command{name, usage, fn})
