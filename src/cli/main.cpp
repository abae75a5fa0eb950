// The `redox-sim` command: dispatches to the subcommands components register.
#include "cli/command.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

namespace redox::cli {

static std::vector<Command>& registry() {
    static std::vector<Command> commands;
    return commands;
}

void register_command(const Command& cmd) { registry().push_back(cmd); }

// The command NAME, or null after one error line.
static const Command* find_command(std::string_view name) {
    for (const auto& c : registry())
        if (name == c.name) return &c;
    std::fprintf(stderr, "redox-sim: unknown command '%.*s' (see redox-sim --help)\n", int(name.size()), name.data());
    return nullptr;
}

int run_command(std::string_view name, std::span<char*> args) {
    const Command* c = find_command(name);
    return c ? c->run(args) : 2;
}

int fail(std::string_view msg) {
    std::fprintf(stderr, "redox-sim: %.*s\n", int(msg.size()), msg.data());
    return 1;
}

static void usage(FILE* out) {
    auto cmds = registry();
    std::sort(cmds.begin(), cmds.end(),
              [](const Command& a, const Command& b) { return std::strcmp(a.name, b.name) < 0; });
    std::fprintf(out, "usage: redox-sim COMMAND [ARGS...]\n\ncommands:\n");
    for (const auto& c : cmds) std::fprintf(out, "  redox-sim %s\n", c.usage);
}

static int command_usage(std::string_view name) {
    const Command* c = find_command(name);
    if (!c) return 2;
    std::printf("usage: redox-sim %s\n", c->usage);
    return 0;
}

} // namespace redox::cli

int main(int argc, char** argv) {
    using namespace redox::cli;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    std::string_view name = argv[1];
    if (name == "-h" || name == "--help" || name == "help") {
        // `redox-sim help COMMAND`: that command's usage line.
        if (argc > 2 && name == "help") return command_usage(argv[2]);
        usage(stdout);
        return 0;
    }
    // `redox-sim COMMAND --help` (or -h) as its first argument prints its usage.
    // Not for `ion`: there the options are the shell's own (`ion -h`).
    if (argc > 2 && name != "ion" && (std::strcmp(argv[2], "--help") == 0 || std::strcmp(argv[2], "-h") == 0))
        return command_usage(name);
    return run_command(name, std::span<char*>(argv + 2, argc - 2));
}
