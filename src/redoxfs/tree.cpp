// The node tree: four levels of TreeList (254 entries each) from header.tree down to
// node blocks. A node id is i3<<24 | i2<<16 | i1<<8 | i0; id 0 is reserved.
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "redoxfs/filesystem.h"

namespace redox::redoxfs {

static void split_id(uint32_t id, size_t ix[4]) {
    ix[0] = (id >> 24) & 0xFF;
    ix[1] = (id >> 16) & 0xFF;
    ix[2] = (id >> 8) & 0xFF;
    ix[3] = id & 0xFF;
}

Result<BlockPtr> FileSystem::node_ptr(uint32_t id) {
    size_t ix[4];
    split_id(id, ix);
    if (id == 0 || ix[0] >= kTreeEntries || ix[1] >= kTreeEntries || ix[2] >= kTreeEntries || ix[3] >= kTreeEntries)
        return err(ENOENT, "node " + std::to_string(id) + " does not exist");
    BlockPtr p = m_header.tree;
    for (int l = 0; l < 4; ++l) {
        if (p.is_null()) return err(ENOENT, "node " + std::to_string(id) + " does not exist");
        // One pointer of each level's list, read in place: no copy of the list.
        Buf scratch;
        auto t = block_ref(p, true, scratch);
        if (!t) return err(t.error().errnum, "node tree (node " + std::to_string(id) + "): " + t.error().context);
        if ((*t)->size() != sizeof(TreeList))
            return err(EIO, "block " + std::to_string(p.index()) + ": wrong size for its type");
        std::memcpy(static_cast<void*>(&p), (*t)->data() + offsetof(TreeList, ptrs) + ix[l] * sizeof(BlockPtr),
                    sizeof(BlockPtr));
    }
    if (p.is_null()) return err(ENOENT, "node " + std::to_string(id) + " does not exist");
    return p;
}

Result<Node> FileSystem::read_node(uint32_t id) {
    BlockPtr p = TRY(node_ptr(id));
    auto n = read_as<Node>(p);
    if (!n) return err(n.error().errnum, "node " + std::to_string(id) + ": " + n.error().context);
    return n;
}

Result<NodeMeta> FileSystem::read_meta(uint32_t id) {
    BlockPtr p = TRY(node_ptr(id));
    Buf scratch;
    auto b = block_ref(p, true, scratch);
    if (!b) return err(b.error().errnum, "node " + std::to_string(id) + ": " + b.error().context);
    if ((*b)->size() != sizeof(Node)) return err(EIO, "block " + std::to_string(p.index()) + ": wrong size for its type");
    NodeMeta m;
    std::memcpy(static_cast<void*>(&m), (*b)->data() + offsetof(Node, m), sizeof m);
    return m;
}

Result<void> FileSystem::write_node(uint32_t id, const Node& n) {
    size_t ix[4];
    split_id(id, ix);
    TreeList t[4];
    BlockPtr p = m_header.tree;
    for (int l = 0; l < 4; ++l) {
        t[l] = TRY(read_as<TreeList>(p));
        p = t[l].ptrs[ix[l]];
    }
    BlockPtr np = TRY(put_as(p, n, nullptr));
    for (int l = 3; l >= 0; --l) {
        t[l].ptrs[ix[l]] = np;
        BlockPtr old = l == 0 ? m_header.tree : t[l - 1].ptrs[ix[l - 1]];
        np = TRY(put_as(old, t[l], nullptr));
    }
    m_header.tree = np;
    m_header_changed = true;
    return {};
}

// First free slot in depth-first order, skipping branches flagged full (as upstream
// allocates, so both implementations keep the flags meaningful for each other).
Result<uint32_t> FileSystem::tree_insert(const BlockPtr& node) {
    TreeList l3 = TRY(read_as<TreeList>(m_header.tree));
    for (size_t i3 = 0; i3 < kTreeEntries; ++i3) {
        if (l3.branch_full(i3)) continue;
        TreeList l2 = TRY(read_or_empty<TreeList>(l3.ptrs[i3]));
        for (size_t i2 = 0; i2 < kTreeEntries; ++i2) {
            if (l2.branch_full(i2)) continue;
            TreeList l1 = TRY(read_or_empty<TreeList>(l2.ptrs[i2]));
            for (size_t i1 = 0; i1 < kTreeEntries; ++i1) {
                if (l1.branch_full(i1)) continue;
                TreeList l0 = TRY(read_or_empty<TreeList>(l1.ptrs[i1]));
                for (size_t i0 = 0; i0 < kTreeEntries; ++i0) {
                    if (l0.branch_full(i0)) continue;
                    uint32_t id = uint32_t(i3 << 24 | i2 << 16 | i1 << 8 | i0);
                    l0.set_branch_full(i0, true);
                    if (id == 0) continue;   // reserved null id
                    if (!l0.ptrs[i0].is_null()) return err(EIO, "node tree: slot of node " + std::to_string(id) + " is used but not marked full");
                    l0.ptrs[i0] = node;
                    l1.set_branch_full(i1, l0.all_full());
                    l1.ptrs[i1] = TRY(put_as(l1.ptrs[i1], l0, nullptr));
                    l2.set_branch_full(i2, l1.all_full());
                    l2.ptrs[i2] = TRY(put_as(l2.ptrs[i2], l1, nullptr));
                    l3.set_branch_full(i3, l2.all_full());
                    l3.ptrs[i3] = TRY(put_as(l3.ptrs[i3], l2, nullptr));
                    m_header.tree = TRY(put_as(m_header.tree, l3, nullptr));
                    m_header_changed = true;
                    return id;
                }
            }
        }
    }
    return err(ENOSPC, "node tree is full");
}

Result<void> FileSystem::tree_remove(uint32_t id) {
    size_t ix[4];
    split_id(id, ix);
    TreeList t[4];
    BlockPtr ptrs[4];
    ptrs[0] = m_header.tree;
    for (int l = 0; l < 4; ++l) {
        t[l] = TRY(read_as<TreeList>(ptrs[l]));
        if (l < 3) ptrs[l + 1] = t[l].ptrs[ix[l]];
    }
    BlockPtr child{};   // the node block itself was freed by the caller
    for (int l = 3; l >= 0; --l) {
        t[l].set_branch_full(ix[l], false);
        t[l].ptrs[ix[l]] = child;
        if (t[l].empty()) {
            free_block(ptrs[l], nullptr);
            child = BlockPtr{};
        } else {
            child = TRY(put_as(ptrs[l], t[l], nullptr));
        }
    }
    m_header.tree = child;
    m_header_changed = true;
    return {};
}

} // namespace redox::redoxfs
