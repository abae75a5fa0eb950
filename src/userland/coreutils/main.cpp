// coreutils: one binary, many names (as uutils on Redox): /usr/bin/ls is a
// symlink to it and argv[0] picks the command.
#include "userland/coreutils/util.h"

using namespace redox::userland;

int main(int argc, char** argv) {
    std::string name = argv[0];
    if (auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
    Args args(argv + 1, argv + argc);
    if (name == "coreutils" && !args.empty()) {
        name = args[0];
        args.erase(args.begin());
    }
    struct Entry {
        const char* name;
        int (*fn)(const Args&);
    };
#define COREUTILS_ENTRY(n) Entry{#n, cmd_##n},
    static const Entry table[] = {COREUTILS_COMMANDS(COREUTILS_ENTRY)};
#undef COREUTILS_ENTRY
    for (auto& e : table)
        if (name == e.name) redox::sys::exit(e.fn(args));
    errout("coreutils: unknown command '" + name + "'\n");
    redox::sys::exit(127);
}
