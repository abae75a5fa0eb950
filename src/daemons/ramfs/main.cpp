// ramfs: `ramfs NAME [TREE] [--size BYTES]` serves NAME from memory. TREE is
// a sim path to an installer tree (the root file system the boot config
// describes); programs it names are read from their sim paths (initfs).
#include "daemons/daemon.h"
#include "daemons/ramfs/RamScheme.h"

#include <cstdlib>
#include <string>

namespace redox::daemon {
Result<void> load_tree(RamScheme& scheme, const std::string& tree_path);
}

int main(int argc, char** argv) {
    using namespace redox;
    std::string name, tree;
    uint64_t size = 1ull << 30;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--size" && i + 1 < argc) size = std::strtoull(argv[++i], nullptr, 10);
        else if (name.empty()) name = a;
        else if (tree.empty()) tree = a;
        else daemon::die("ramfs", "usage: ramfs NAME [TREE] [--size BYTES]");
    }
    if (name.empty()) daemon::die("ramfs", "usage: ramfs NAME [TREE] [--size BYTES]");
    daemon::RamScheme scheme(name, size);
    if (!tree.empty()) {
        if (auto r = daemon::load_tree(scheme, tree); !r) daemon::die("ramfs", "loading " + tree + ": " + r.error().message());
    }
    (void)sys::set_name("ramfs");
    auto r = scheme.serve(name, [] { daemon::ready(); });
    if (!r) daemon::die("ramfs", r.error().message());
    return 0;
}
