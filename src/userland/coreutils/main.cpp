// coreutils: one binary, many names (as uutils on Redox): /usr/bin/ls is a
// symlink to it and argv[0] picks the command.
#include "userland/coreutils/util.h"

#include <cstring>

using namespace redox::userland;

int main(int argc, char** argv) {
    std::string name = argv[0];
    if (auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
    Args args(argv + 1, argv + argc);
    if (name == "coreutils" && !args.empty()) {
        name = args[0];
        args.erase(args.begin());
    }
    struct { const char* name; int (*fn)(const Args&); } table[] = {
        {"echo", cmd_echo}, {"cat", cmd_cat}, {"ls", cmd_ls}, {"ps", cmd_ps}, {"kill", cmd_kill},
        {"sleep", cmd_sleep}, {"true", cmd_true}, {"false", cmd_false}, {"env", cmd_env},
        {"uname", cmd_uname}, {"mkdir", cmd_mkdir}, {"rm", cmd_rm}, {"touch", cmd_touch},
    };
    for (auto& e : table)
        if (name == e.name) redox::sys::exit(e.fn(args));
    errout("coreutils: unknown command '" + name + "'\n");
    redox::sys::exit(127);
}
