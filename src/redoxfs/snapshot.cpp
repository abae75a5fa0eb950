// Snapshots (a redox-sim extension; upstream RedoxFS has none). A snapshot is a saved
// header.tree pointer. The list lives in one block reached from the header padding,
// which upstream hashes and preserves but never reads, and which the allocation log
// keeps allocated, so upstream mounts such an image and shows the live tree. Blocks a
// snapshot reaches are never freed while it exists (they are "protected").
#include <algorithm>
#include <cerrno>

#include "redoxfs/filesystem.h"

namespace redox::redoxfs {

namespace {
constexpr uint64_t kListMagic = 0x5453494C50414E53ULL;   // "SNAPLIST"
constexpr size_t kSnapName = 40;
struct SnapRecord {
    char name[kSnapName];
    uint64_t generation;
    uint64_t time;
    BlockPtr tree;
};
static_assert(sizeof(SnapRecord) == 72);
constexpr size_t kMaxSnaps = (kBlockSize - 16) / sizeof(SnapRecord);
struct SnapList {
    uint64_t magic;
    uint64_t count;
    SnapRecord recs[kMaxSnaps];
    uint8_t pad[kBlockSize - 16 - kMaxSnaps * sizeof(SnapRecord)];
};
static_assert(sizeof(SnapList) == kBlockSize);
} // namespace

Result<void> FileSystem::walk_tree(const BlockPtr& tree, const std::function<void(uint64_t, uint32_t)>& fn) {
    std::function<Result<void>(const BlockPtr&, int)> lists = [&](const BlockPtr& p, int depth) -> Result<void> {
        if (p.is_null()) return {};
        fn(p.index(), p.level());
        if (depth == 0) return {};
        BlockList l = TRY(read_as<BlockList>(p));
        for (auto& c : l.ptrs) TRY(lists(c, depth - 1));
        return {};
    };
    std::function<Result<void>(const BlockPtr&, int)> dir = [&](const BlockPtr& p, int depth) -> Result<void> {
        fn(p.index(), p.level());
        if (depth == 0) return {};
        Buf b = TRY(read_block(p));
        for (size_t i = 0; i < kHTreeEntries; ++i) {
            BlockPtr c;
            std::memcpy(&c, b.data() + i * 20 + 4, 16);
            if (!c.is_null()) TRY(dir(c, depth - 1));
        }
        return {};
    };
    std::function<Result<void>(const BlockPtr&, int)> tree_level = [&](const BlockPtr& p, int level) -> Result<void> {
        if (p.is_null()) return {};
        fn(p.index(), p.level());
        if (level == 4) {
            Node n = TRY(read_as<Node>(p));
            if (n.is_dir()) {
                if (n.ptrs[0].is_marker() && !n.ptrs[1].is_null()) TRY(dir(n.ptrs[1], int(n.ptrs[0].level())));
            } else if (!n.is_inline()) {
                const size_t tops[5] = {kL0, kL1, kL2, kL3, kL4};
                const size_t counts[5] = {128, 64, 32, 16, 8};
                for (int d = 0; d < 5; ++d)
                    for (size_t i = 0; i < counts[d]; ++i) TRY(lists(n.ptrs[tops[d] + i], d));
            }
            return {};
        }
        TreeList t = TRY(read_as<TreeList>(p));
        for (auto& c : t.ptrs) TRY(tree_level(c, level + 1));
        return {};
    };
    return tree_level(tree, 0);
}

Result<std::vector<SnapshotInfo>> FileSystem::snapshots() {
    std::vector<SnapshotInfo> out;
    SnapshotAnchor a = m_header.snapshot_anchor();
    if (a.magic != kSnapshotMagic || a.list.is_null()) return out;
    Buf b = TRY(read_block(a.list));
    SnapList l;
    std::memcpy(&l, b.data(), sizeof l);
    if (l.magic != kListMagic || l.count > kMaxSnaps) return err(EIO, "snapshot list: bad magic or count");
    for (size_t i = 0; i < l.count; ++i) {
        auto& r = l.recs[i];
        out.push_back({std::string(r.name, strnlen(r.name, kSnapName)), r.generation, r.time, r.tree});
    }
    return out;
}

Result<void> FileSystem::write_snapshots(const std::vector<SnapshotInfo>& list) {
    SnapshotAnchor a = m_header.snapshot_anchor();
    BlockPtr old = a.magic == kSnapshotMagic ? a.list : BlockPtr{};
    if (list.empty()) {
        free_block(old, nullptr);
        m_header.set_snapshot_anchor({0, {}});
    } else {
        SnapList l;
        std::memset(&l, 0, sizeof l);
        l.magic = kListMagic;
        l.count = list.size();
        for (size_t i = 0; i < list.size(); ++i) {
            std::memcpy(l.recs[i].name, list[i].name.data(), list[i].name.size());
            l.recs[i].generation = list[i].generation;
            l.recs[i].time = list[i].time;
            l.recs[i].tree = list[i].tree;
        }
        Buf b(kBlockSize);
        std::memcpy(b.data(), &l, sizeof l);
        BlockPtr p = TRY(put_block(old, std::move(b), 0, nullptr));
        m_header.set_snapshot_anchor({kSnapshotMagic, p});
    }
    m_header_changed = true;
    return {};
}

Result<void> FileSystem::load_snapshot_protection() {
    m_protected.clear();
    for (auto& s : TRY(snapshots())) {
        auto r = walk_tree(s.tree, [&](uint64_t i, uint32_t) { m_protected.insert(i); });
        if (!r) return err(r.error().errnum, "snapshot '" + s.name + "': " + r.error().context);
    }
    return {};
}

static Result<SnapshotInfo> find_snap(const std::vector<SnapshotInfo>& l, std::string_view name) {
    for (auto& s : l)
        if (s.name == name) return s;
    return err(ENOENT, "no snapshot named '" + std::string(name) + "'");
}

Result<void> FileSystem::snapshot_create(std::string_view name) {
    TRY(check_writable());
    if (name.empty() || name.size() >= kSnapName || name.find('/') != std::string_view::npos)
        return err(EINVAL, "snapshot name must be 1-39 characters without '/'");
    TRY(commit());
    auto list = TRY(snapshots());
    for (auto& s : list)
        if (s.name == name) return err(EEXIST, "snapshot '" + std::string(name) + "' exists");
    if (list.size() >= kMaxSnaps) return err(ENOSPC, "too many snapshots (at most " + std::to_string(kMaxSnaps) + ")");
    list.push_back({std::string(name), m_header.generation, now().sec, m_header.tree});
    TRY(walk_tree(m_header.tree, [&](uint64_t i, uint32_t) { m_protected.insert(i); }));
    TRY(write_snapshots(list));
    return commit();
}

// Frees the blocks of `tree` that neither the live tree nor a remaining snapshot uses.
static Result<void> drop_unshared(FileSystem& fs, const BlockPtr& tree, const BlockPtr& live,
                                  const std::vector<SnapshotInfo>& keep,
                                  const std::function<void(uint64_t, uint32_t)>& free_fn) {
    std::unordered_set<uint64_t> used;
    auto mark = [&](uint64_t i, uint32_t) { used.insert(i); };
    TRY(fs.walk_tree(live, mark));
    for (auto& s : keep) TRY(fs.walk_tree(s.tree, mark));
    std::vector<std::pair<uint64_t, uint32_t>> drop;
    TRY(fs.walk_tree(tree, [&](uint64_t i, uint32_t l) {
        if (!used.count(i)) {
            used.insert(i);
            drop.push_back({i, l});
        }
    }));
    for (auto [i, l] : drop) free_fn(i, l);
    return {};
}

Result<void> FileSystem::snapshot_delete(std::string_view name) {
    TRY(check_writable());
    TRY(commit());
    auto list = TRY(snapshots());
    SnapshotInfo s = TRY(find_snap(list, name));
    std::erase_if(list, [&](const SnapshotInfo& x) { return x.name == name; });
    m_protected.clear();
    for (auto& k : list) TRY(walk_tree(k.tree, [&](uint64_t i, uint32_t) { m_protected.insert(i); }));
    TRY(drop_unshared(*this, s.tree, m_header.tree, list, [&](uint64_t i, uint32_t l) { m_deferred.push_back({i, l}); }));
    TRY(write_snapshots(list));
    return commit();
}

Result<void> FileSystem::snapshot_rollback(std::string_view name) {
    TRY(check_writable());
    TRY(commit());
    auto list = TRY(snapshots());
    SnapshotInfo s = TRY(find_snap(list, name));
    BlockPtr old_live = m_header.tree;
    TRY(drop_unshared(*this, old_live, s.tree, list, [&](uint64_t i, uint32_t l) { m_deferred.push_back({i, l}); }));
    m_header.tree = s.tree;
    m_header_changed = true;
    m_read_cache.clear();
    return commit();
}

Result<void> FileSystem::view_snapshot(std::string_view name) {
    auto list = TRY(snapshots());
    SnapshotInfo s = TRY(find_snap(list, name));
    m_header.tree = s.tree;
    m_writable = false;
    return {};
}

} // namespace redox::redoxfs
