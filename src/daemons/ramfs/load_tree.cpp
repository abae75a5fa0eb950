// Fill a ramfs from an installer tree: directories, files (inline data or
// content read from a sim path such as /scheme/initfs/bin/ls) and symlinks,
// with their modes and owners.
#include "daemons/ramfs/RamScheme.h"
#include "installer/tree.h"
#include "schemes/libredox.h"

namespace redox::daemon {

Result<void> load_tree(RamScheme& scheme, const std::string& tree_path) {
    int fd = TRY(sys::open(tree_path, O_RDONLY_));
    auto bytes = sys::read_all(fd);
    (void)sys::close(fd);
    if (!bytes) return std::unexpected(bytes.error());
    auto nodes = TRY(installer::parse_tree(*bytes));
    RamFs& fs = scheme.fs();
    CallerCtx root{};
    for (auto& n : nodes) {
        auto l = TRY(fs.lookup(n.path, root, true));
        Inode* node = l.node;
        uint16_t type = n.type == installer::Node::Type::Dir ? MODE_DIR
                      : n.type == installer::Node::Type::Symlink ? MODE_SYMLINK : MODE_FILE;
        if (!node) {
            if (!l.parent) return err(ENOENT_, n.path);
            node = TRY(fs.create(*l.parent, l.name, uint16_t(type | (n.mode & MODE_PERM)), root));
        }
        node->mode = uint16_t(type | (n.mode & MODE_PERM));
        node->uid = n.uid;
        node->gid = n.gid;
        if (type == MODE_DIR) continue;
        if (!n.host_source.empty()) {
            int src = TRY(sys::open(n.host_source, O_RDONLY_));
            auto content = sys::read_all(src);
            (void)sys::close(src);
            if (!content) return std::unexpected(Error(content.error().errnum, n.host_source));
            TRY(fs.resize(*node, 0));
            TRY(fs.write(*node, 0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content->data()), content->size())));
        } else {
            TRY(fs.resize(*node, 0));
            TRY(fs.write(*node, 0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(n.data.data()), n.data.size())));
        }
    }
    return {};
}

} // namespace redox::daemon
