#include "redoxfs/fsck.h"

#include <algorithm>
#include <lz4.h>
#include <map>
#include <set>

#include "redoxfs/seahash.h"

namespace redox::redoxfs {

namespace {

class Checker {
public:
    Checker(FileSystem& fs, FsckReport& r, const std::function<void(uint64_t)>& p)
        : m_fs(fs), m_r(r), m_progress(p), m_owner(fs.fs_blocks()) {}

    void run() {
        for (auto& p : m_fs.open_problems()) error(p);
        check_headers();
        check_alloc_log();
        check_tree_lists();
        check_dir(kRootId, "/");
        check_orphans();
        check_snapshots();
        check_allocation();
    }

private:
    void error(std::string s) { m_r.errors.push_back(std::move(s)); }
    void warn(std::string s) { m_r.warnings.push_back(std::move(s)); }

    // Records that `what` uses the block run of `p`; reports overlaps and bad ranges.
    void use(const BlockPtr& p, const std::string& what) {
        uint64_t n = 1ULL << p.level();
        if (p.index() + n > m_fs.fs_blocks() || p.index() <= kHeaderRing) {
            error(what + ": block " + std::to_string(p.index()) + " is outside the usable area");
            return;
        }
        for (uint64_t i = p.index(); i < p.index() + n; ++i) {
            if (!m_owner[i].empty()) {
                error(what + ": block " + std::to_string(i) + " is also used by " + m_owner[i]);
                continue;
            }
            m_owner[i] = what;
            ++m_r.used_blocks;
        }
    }

    void check_headers() {
        Disk& d = m_fs.disk();
        uint64_t base = m_fs.reserved_blocks();
        Buf b(kBlockSize);
        for (uint64_t s = 0; s < kHeaderRing && (base + s + 1) * kBlockSize <= d.size(); ++s) {
            if (!d.read((base + s) * kBlockSize, b)) continue;
            if (std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; })) continue;
            Header h;
            std::memcpy(&h, b.data(), sizeof h);
            bool shaped = std::memcmp(h.signature, kSignature, 8) == 0 && h.version == kVersion;
            bool hash_ok = h.hash == seahash(&h, offsetof(Header, encrypted_hash));
            std::string slot = "header slot " + std::to_string(s);
            if (!shaped) {
                error(slot + ": damaged (not a RedoxFS v8 header)");
            } else if (!hash_ok && h.generation < m_fs.generation()) {
                // upstream `redoxfs-mkfs --encrypt` writes generation 0 before filling
                // the key slot, so that slot's hash is stale from the start.
                warn(slot + ": stale checksum on old generation " + std::to_string(h.generation));
            } else if (!hash_ok) {
                error(slot + ": damaged (checksum mismatch)");
            } else if (h.generation % kHeaderRing != s) {
                error(slot + ": holds generation " + std::to_string(h.generation) + ", which belongs in another slot");
            }
        }
    }

    void check_alloc_log() {
        BlockPtr p = m_fs.header().alloc;
        size_t guard = 0;
        while (!p.is_null() && guard++ < (1u << 20)) {
            auto b = m_fs.read_block(p);
            if (!b) {
                error("allocation log: " + b.error().context);
                return;
            }
            use(p, "allocation log");
            AllocList l;
            std::memcpy(&l, b->data(), sizeof l);
            p = l.prev;
        }
        p = m_fs.header().release;
        while (!p.is_null()) {
            auto b = m_fs.read_block(p);
            if (!b) {
                error("release list: " + b.error().context);
                return;
            }
            use(p, "release list");
            ReleaseList l;
            std::memcpy(&l, b->data(), sizeof l);
            for (uint32_t id : l.ids)
                if (id) m_released.insert(id);
            p = l.prev;
        }
        SnapshotAnchor a = m_fs.header().snapshot_anchor();
        if (a.magic == kSnapshotMagic && !a.list.is_null()) {
            if (auto b = m_fs.read_block(a.list); !b) error("snapshot list: " + b.error().context);
            else use(a.list, "snapshot list");
        }
    }

    // Walks the four TreeList levels; node blocks are checked with their paths later.
    void check_tree_lists() {
        std::function<bool(const BlockPtr&, int, uint32_t)> walk = [&](const BlockPtr& p, int level, uint32_t prefix) -> bool {
            std::string what = "node tree level " + std::to_string(3 - level) + " block " + std::to_string(p.index());
            auto b = m_fs.read_block(p);
            if (!b) {
                error(what + ": " + b.error().context + " (nodes below it are unreadable)");
                return false;
            }
            use(p, what);
            TreeList t;
            std::memcpy(&t, b->data(), sizeof t);
            bool all_full = true;
            for (size_t i = 0; i < kTreeEntries; ++i) {
                uint32_t id = (prefix << 8) | uint32_t(i);
                bool child_full;
                if (level == 3) {
                    if (!t.ptrs[i].is_null()) m_nodes[id] = t.ptrs[i];
                    child_full = !t.ptrs[i].is_null() || id == 0;
                    if (id == 0 && !t.ptrs[i].is_null()) error("node tree: reserved node id 0 is used");
                } else {
                    child_full = !t.ptrs[i].is_null() && walk(t.ptrs[i], level + 1, id);
                }
                if (t.branch_full(i) != child_full && !(level == 3 && id == 0))
                    error(what + ": full flag of entry " + std::to_string(i) + " is wrong");
                all_full &= child_full;
            }
            return all_full;
        };
        if (m_fs.header().tree.is_null()) {
            error("header: node tree pointer is null");
            return;
        }
        walk(m_fs.header().tree, 0, 0);
    }

    std::optional<Node> node(uint32_t id, const std::string& path) {
        auto it = m_nodes.find(id);
        if (it == m_nodes.end()) {
            error(path + ": refers to node " + std::to_string(id) + ", which does not exist");
            return std::nullopt;
        }
        auto b = m_fs.read_block(it->second);
        if (!b) {
            error(path + ": node " + std::to_string(id) + ": " + b.error().context);
            return std::nullopt;
        }
        if (b->size() != kBlockSize) {
            error(path + ": node block has the wrong size");
            return std::nullopt;
        }
        Node n;
        std::memcpy(&n, b->data(), sizeof n);
        return n;
    }

    // Returns the number of 4 KiB blocks the pointer and its subtree occupy.
    uint64_t check_data_ptr(const BlockPtr& p, int depth, const std::string& path, uint64_t rec, uint64_t span) {
        if (p.is_null()) return 0;
        std::string what = path + ": record " + std::to_string(rec);
        auto b = m_fs.read_block(p);
        if (!b) {
            error(what + ": " + b.error().context);
            return 1ULL << p.level();
        }
        use(p, path);
        uint64_t blocks = 1ULL << p.level();
        if (depth == 0) {
            if (uint32_t dl = p.decomp_level()) {
                size_t comp = size_t((*b)[0]) | size_t((*b)[1]) << 8;
                Buf out(level_bytes(dl));
                if (comp + 2 > b->size() ||
                    LZ4_decompress_safe(reinterpret_cast<const char*>(b->data() + 2), reinterpret_cast<char*>(out.data()),
                                        int(comp), int(out.size())) < 0)
                    error(what + ": compressed record does not decompress");
            }
            return blocks;
        }
        BlockList l;
        std::memcpy(&l, b->data(), sizeof l);
        for (size_t i = 0; i < 256; ++i) blocks += check_data_ptr(l.ptrs[i], depth - 1, path, rec + i * span / 256, span / 256);
        return blocks;
    }

    void check_file(uint32_t id, const Node& n, const std::string& path) {
        if (n.is_inline()) {
            if (n.m.size >= kInlineMax) error(path + ": inline file claims " + std::to_string(n.m.size) + " bytes");
            if (n.m.blocks != 1) error(path + ": block count " + std::to_string(n.m.blocks) + ", expected 1");
            return;
        }
        uint64_t blocks = 1;
        const size_t tops[5] = {kL0, kL1, kL2, kL3, kL4};
        const size_t counts[5] = {128, 64, 32, 16, 8};
        uint64_t rec = 0, span = 1;
        for (int d = 0; d < 5; ++d) {
            for (size_t i = 0; i < counts[d]; ++i) {
                blocks += check_data_ptr(n.ptrs[tops[d] + i], d, path, rec, span);
                rec += span;
            }
            span *= 256;
        }
        if (blocks != n.m.blocks)
            error(path + ": block count " + std::to_string(n.m.blocks) + ", found " + std::to_string(blocks));
        (void)id;
    }

    void check_dir(uint32_t id, const std::string& path) {
        auto n = node(id, path);
        if (!n) return;
        use(m_nodes[id], path);
        m_seen.insert(id);
        ++m_r.nodes;
        ++m_r.dirs;
        if (m_progress && m_r.nodes % 256 == 0) m_progress(m_r.nodes);
        if (!n->is_dir()) {
            error(path + ": expected a directory");
            return;
        }
        uint64_t blocks = 1, dir_blocks = 0;
        std::vector<std::pair<uint32_t, std::string>> entries;
        if (n->ptrs[0].is_marker()) {
            std::function<uint32_t(const BlockPtr&, uint32_t)> walk = [&](const BlockPtr& p, uint32_t levels) -> uint32_t {
                auto b = m_fs.read_block(p);
                if (!b) {
                    error(path + ": directory block: " + b.error().context);
                    return 0;
                }
                use(p, path);
                ++blocks;
                ++dir_blocks;
                uint32_t maxh = 0;
                if (levels == 0) {
                    uint16_t count, len;
                    std::memcpy(&count, b->data() + kDirCountOffset, 2);
                    std::memcpy(&len, b->data() + kDirCountOffset + 2, 2);
                    size_t pos = 0;
                    for (uint16_t i = 0; i < count; ++i) {
                        if (pos + 5 > len || len > kDirBytes) {
                            error(path + ": directory block " + std::to_string(p.index()) + ": entries overflow");
                            break;
                        }
                        uint32_t cid;
                        std::memcpy(&cid, b->data() + pos, 4);
                        size_t nl = (*b)[pos + 4];
                        if (nl == 0 || pos + 5 + nl > len) {
                            error(path + ": directory block " + std::to_string(p.index()) + ": bad name length");
                            break;
                        }
                        std::string name(reinterpret_cast<const char*>(b->data() + pos + 5), nl);
                        maxh = std::max(maxh, name_hash(name.data(), name.size()));
                        entries.push_back({cid, std::move(name)});
                        pos += 5 + nl;
                    }
                    return maxh;
                }
                uint32_t prev = 0;
                for (size_t i = 0; i < kHTreeEntries; ++i) {
                    uint32_t h;
                    BlockPtr c;
                    std::memcpy(&h, b->data() + i * 20, 4);
                    std::memcpy(&c, b->data() + i * 20 + 4, 16);
                    if (c.is_null()) continue;
                    if (h < prev) error(path + ": H-tree block " + std::to_string(p.index()) + ": hashes out of order");
                    prev = h;
                    uint32_t sub = walk(c, levels - 1);
                    if (sub > h) error(path + ": H-tree block " + std::to_string(p.index()) + ": entry hash below its subtree's names");
                    maxh = std::max(maxh, h);
                }
                return maxh;
            };
            if (!n->ptrs[1].is_null()) walk(n->ptrs[1], n->ptrs[0].level());
            else error(path + ": directory marker without a root block");
        }
        if (n->m.size != dir_blocks * kBlockSize)
            error(path + ": directory size " + std::to_string(n->m.size) + ", expected " + std::to_string(dir_blocks * kBlockSize));
        if (n->m.blocks != blocks)
            error(path + ": block count " + std::to_string(n->m.blocks) + ", found " + std::to_string(blocks));
        for (auto& [cid, name] : entries) {
            std::string cpath = path == "/" ? "/" + name : path + "/" + name;
            if (name.find('/') != std::string::npos || name.find(':') != std::string::npos || name == "." || name == "..")
                error(cpath + ": invalid name");
            // Every name must be findable by the lookup rule upstream uses.
            auto found = m_fs.lookup(id, name);
            if (!found || *found != cid) error(cpath + ": cannot be found by name lookup (H-tree order broken)");
            auto c = node(cid, cpath);
            if (!c) continue;
            if (c->is_dir()) {
                if (m_seen.count(cid)) {
                    error(cpath + ": directory linked more than once");
                    continue;
                }
                check_dir(cid, cpath);
                continue;
            }
            if (++m_refs[cid] > 1) continue;   // hard link: contents checked once
            m_paths[cid] = cpath;
            use(m_nodes[cid], cpath);
            m_seen.insert(cid);
            ++m_r.nodes;
            ++m_r.files;
            if (m_progress && m_r.nodes % 256 == 0) m_progress(m_r.nodes);
            check_file(cid, *c, cpath);
        }
    }

    void check_orphans() {
        for (auto& [id, cnt] : m_refs) {
            auto it = m_nodes.find(id);
            if (it == m_nodes.end()) continue;
            auto b = m_fs.read_block(it->second);
            if (!b) continue;
            Node n;
            std::memcpy(&n, b->data(), sizeof n);
            if (n.m.links != cnt)
                error(m_paths[id] + ": link count " + std::to_string(n.m.links) + ", but " + std::to_string(cnt) + " directory entries");
        }
        for (auto& [id, p] : m_nodes) {
            if (m_seen.count(id)) continue;
            if (m_released.count(id)) {
                use(p, "released node " + std::to_string(id));
                continue;
            }
            error("node " + std::to_string(id) + ": not linked from any directory (orphan)");
            use(p, "orphan node " + std::to_string(id));
        }
    }

    void check_snapshots() {
        auto list = m_fs.snapshots();
        if (!list) return;   // reported with the open problems
        for (auto& s : *list) {
            auto r = m_fs.walk_tree(s.tree, [&](uint64_t i, uint32_t l) {
                for (uint64_t k = i; k < i + (1ULL << l) && k < m_owner.size(); ++k)
                    if (m_owner[k].empty()) {
                        m_owner[k] = "snapshot " + s.name;
                        ++m_r.used_blocks;
                    }
            });
            if (!r) error("snapshot '" + s.name + "': " + r.error().context);
        }
    }

    void check_allocation() {
        const Allocator& a = m_fs.allocator();
        uint64_t leaked = 0;
        for (auto [i, n] : a.free_runs())
            for (uint64_t k = i; k < i + n && k < m_owner.size(); ++k)
                if (!m_owner[k].empty()) error(m_owner[k] + ": block " + std::to_string(k) + " is marked free in the allocation log");
        for (uint64_t k = kHeaderRing + 1; k < m_owner.size(); ++k)
            if (m_owner[k].empty() && !a.is_free(k)) ++leaked;
        if (leaked) warn(std::to_string(leaked) + " blocks are neither used nor free (leaked space)");
    }

    FileSystem& m_fs;
    FsckReport& m_r;
    const std::function<void(uint64_t)>& m_progress;
    std::vector<std::string> m_owner;
    std::map<uint32_t, BlockPtr> m_nodes;
    std::set<uint32_t> m_seen, m_released;
    std::map<uint32_t, uint32_t> m_refs;
    std::map<uint32_t, std::string> m_paths;
};

} // namespace

FsckReport fsck(FileSystem& fs, const std::function<void(uint64_t)>& progress) {
    FsckReport r;
    Checker(fs, r, progress).run();
    return r;
}

} // namespace redox::redoxfs
