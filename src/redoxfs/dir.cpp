// Directories since v7: an H-tree keyed by the low 32 bits of seahash(name).
// level0[0] of the directory node is a marker whose level is the depth d; level0[1]
// points at the single DirList (d == 0) or the root HTreeNode. Each HTreeNode entry
// carries the largest name hash below it; entries are sorted by that hash.
#include <algorithm>
#include <cerrno>

#include "redoxfs/filesystem.h"
#include "redoxfs/seahash.h"

namespace redox::redoxfs {

uint32_t name_hash(const void* name, size_t len) {
    uint32_t h = uint32_t(seahash(name, len));
    return h == kHashEmpty ? kHashEmpty - 1 : h;
}
static uint32_t hash_of(std::string_view s) { return name_hash(s.data(), s.size()); }

namespace {

struct HEntry {
    uint32_t hash;
    BlockPtr ptr;
};
using HNode = std::vector<HEntry>;

struct DEntry {
    uint32_t id;
    std::string name;
};
using DList = std::vector<DEntry>;

Result<HNode> parse_hnode(const Buf& b) {
    HNode n;
    for (size_t i = 0; i < kHTreeEntries; ++i) {
        HEntry e;
        std::memcpy(&e.hash, b.data() + i * 20, 4);
        std::memcpy(&e.ptr, b.data() + i * 20 + 4, 16);
        if (!e.ptr.is_null()) n.push_back(e);
    }
    return n;
}

Buf encode_hnode(const HNode& n) {
    Buf b(kBlockSize, 0);
    for (size_t i = 0; i < kHTreeEntries; ++i) {
        HEntry e = i < n.size() ? n[i] : HEntry{kHashEmpty, BlockPtr{}};
        std::memcpy(b.data() + i * 20, &e.hash, 4);
        std::memcpy(b.data() + i * 20 + 4, &e.ptr, 16);
    }
    return b;
}

Result<DList> parse_dlist(const Buf& b) {
    uint16_t count, len;
    std::memcpy(&count, b.data() + kDirCountOffset, 2);
    std::memcpy(&len, b.data() + kDirCountOffset + 2, 2);
    if (len > kDirBytes) return err(EIO, "directory block: entry bytes overflow the block");
    DList out;
    size_t pos = 0, end = size_t(len);
    for (uint16_t i = 0; i < count; ++i) {
        if (pos + 5 > end) return err(EIO, "directory block: entry count exceeds its bytes");
        uint32_t id;
        std::memcpy(&id, b.data() + pos, 4);
        size_t nl = b[pos + 4];
        if (nl == 0 || nl > kNameMax || pos + 5 + nl > end) return err(EIO, "directory block: bad name length");
        out.push_back({id, std::string(reinterpret_cast<const char*>(b.data() + pos + 5), nl)});
        pos += 5 + nl;
    }
    return out;
}

size_t dlist_bytes(const DList& d) {
    size_t n = 0;
    for (auto& e : d) n += 5 + e.name.size();
    return n;
}

Buf encode_dlist(const DList& d) {
    Buf b(kBlockSize, 0);
    uint16_t count = uint16_t(d.size()), len = uint16_t(dlist_bytes(d));
    std::memcpy(b.data() + kDirCountOffset, &count, 2);
    std::memcpy(b.data() + kDirCountOffset + 2, &len, 2);
    size_t pos = 0;
    for (auto& e : d) {
        std::memcpy(b.data() + pos, &e.id, 4);
        b[pos + 4] = uint8_t(e.name.size());
        std::memcpy(b.data() + pos + 5, e.name.data(), e.name.size());
        pos += 5 + e.name.size();
    }
    return b;
}

uint32_t hnode_max(const HNode& n) {
    uint32_t m = kHashEmpty;
    for (auto& e : n)
        if (e.hash != kHashEmpty) m = (m == kHashEmpty || e.hash > m) ? e.hash : m;
    return m;
}

uint32_t dlist_max(const DList& d) {
    uint32_t m = kHashEmpty;
    for (auto& e : d) {
        uint32_t h = hash_of(e.name);
        m = (m == kHashEmpty || h > m) ? h : m;
    }
    return m;
}

// Children a lookup of `h` must visit: the first whose max >= h, then the following
// ones while the previous max equals h (equal hashes may straddle siblings).
std::vector<size_t> candidates(const HNode& n, uint32_t h) {
    std::vector<size_t> out;
    uint32_t last = 0;
    for (size_t i = 0; i < n.size(); ++i) {
        if (n[i].hash < h) continue;
        if (last > h) break;
        out.push_back(i);
        last = n[i].hash;
    }
    return out;
}

// Splits a sorted run in two near the middle without separating equal hashes
// more than needed; `plus_one` mirrors the DirList flavour of the split.
template <class T, class H>
size_t split_point(const std::vector<T>& v, H hash, bool plus_one) {
    size_t half = v.size() / 2;
    uint32_t hh = hash(v[half]);
    size_t first = half, last = half;
    for (size_t i = 0; i < v.size(); ++i)
        if (hash(v[i]) == hh) {
            first = std::min(first, i);
            last = std::max(last, i);
        }
    if (plus_one) last += 1;
    size_t split = (half - first) < (last - half) ? first : last;
    return std::max<size_t>(split, 1);
}

} // namespace

Result<void> FileSystem::check_name(const Node& dir, std::string_view name) {
    if (name.empty() || name == "." || name == "..") return err(EINVAL, "invalid name '" + std::string(name) + "'");
    if (name.size() > kNameMax) return err(ENAMETOOLONG, "name longer than 252 bytes");
    if (name.find(':') != std::string_view::npos || name.find('/') != std::string_view::npos ||
        name.find('\0') != std::string_view::npos)
        return err(EINVAL, "name '" + std::string(name) + "' contains ':', '/' or NUL");
    auto found = TRY(dir_find(dir, name));
    if (found) return err(EEXIST, std::string(name));
    return {};
}

Result<std::optional<uint32_t>> FileSystem::dir_find(const Node& dir, std::string_view name) {
    if (!dir.ptrs[0].is_marker()) return std::optional<uint32_t>{};
    uint32_t depth = dir.ptrs[0].level();
    uint32_t h = hash_of(name);
    HNode level = depth == 0 ? HNode{{kHashEmpty - 1, dir.ptrs[1]}} : TRY(parse_hnode(TRY(read_block(dir.ptrs[1]))));
    // Depth-first over the candidate children.
    std::function<Result<std::optional<uint32_t>>(const HNode&, uint32_t)> walk =
        [&](const HNode& n, uint32_t levels) -> Result<std::optional<uint32_t>> {
        for (size_t i : candidates(n, h)) {
            Buf b = TRY(read_block(n[i].ptr));
            if (levels == 1) {
                DList d = TRY(parse_dlist(b));
                for (auto& e : d)
                    if (e.name == name) return std::optional<uint32_t>(e.id);
            } else {
                auto r = TRY(walk(TRY(parse_hnode(b)), levels - 1));
                if (r) return r;
            }
        }
        return std::optional<uint32_t>{};
    };
    return walk(level, std::max<uint32_t>(depth, 1));
}

Result<std::vector<std::pair<uint32_t, std::string>>> FileSystem::dir_entries(const Node& dir) {
    std::vector<std::pair<uint32_t, std::string>> out;
    if (!dir.ptrs[0].is_marker()) return out;
    uint32_t depth = dir.ptrs[0].level();
    std::function<Result<void>(const BlockPtr&, uint32_t)> walk = [&](const BlockPtr& p, uint32_t levels) -> Result<void> {
        Buf b = TRY(read_block(p));
        if (levels == 0) {
            for (auto& e : TRY(parse_dlist(b))) out.push_back({e.id, std::move(e.name)});
        } else {
            for (auto& e : TRY(parse_hnode(b))) TRY(walk(e.ptr, levels - 1));
        }
        return {};
    };
    TRY(walk(dir.ptrs[1], depth));
    return out;
}

Result<void> FileSystem::dir_insert(Node& dir, std::string_view name, uint32_t id) {
    if (!dir.ptrs[0].is_marker()) {
        dir.ptrs[0] = BlockPtr::marker(0);
        dir.ptrs[1] = TRY(put_block(BlockPtr{}, encode_dlist({}), 0, &dir));
        dir.m.size += kBlockSize;
    }
    uint32_t depth = dir.ptrs[0].level();
    uint32_t h = hash_of(name);
    DEntry entry{id, std::string(name)};

    // Returns a new right sibling (its max hash and contents) when `n` overflowed.
    std::function<Result<std::optional<std::pair<uint32_t, HNode>>>(HNode&, uint32_t)> insert =
        [&](HNode& n, uint32_t levels) -> Result<std::optional<std::pair<uint32_t, HNode>>> {
        size_t idx = 0;
        for (size_t i = 0; i < n.size(); ++i) {
            idx = i;
            if (n[i].hash >= h) break;
        }
        std::optional<HEntry> sibling;
        if (levels == 1) {
            DList d = TRY(parse_dlist(TRY(read_block(n[idx].ptr))));
            if (dlist_bytes(d) + 5 + entry.name.size() <= kDirBytes) {
                d.push_back(entry);
                uint32_t cur = n[idx].hash;
                n[idx].hash = (cur == kHashEmpty || h > cur) ? h : cur;
                n[idx].ptr = TRY(put_block(n[idx].ptr, encode_dlist(d), 0, &dir));
            } else {
                d.push_back(entry);
                std::stable_sort(d.begin(), d.end(),
                                 [](const DEntry& a, const DEntry& b) { return hash_of(a.name) < hash_of(b.name); });
                size_t split = split_point(d, [](const DEntry& e) { return hash_of(e.name); }, true);
                DList right(d.begin() + std::ptrdiff_t(std::min(split, d.size())), d.end());
                d.resize(std::min(split, d.size()));
                n[idx].hash = hash_of(d.back().name);
                n[idx].ptr = TRY(put_block(n[idx].ptr, encode_dlist(d), 0, &dir));
                if (!right.empty()) {
                    BlockPtr rp = TRY(put_block(BlockPtr{}, encode_dlist(right), 0, &dir));
                    dir.m.size += kBlockSize;
                    sibling = HEntry{hash_of(right.back().name), rp};
                }
            }
        } else {
            HNode child = TRY(parse_hnode(TRY(read_block(n[idx].ptr))));
            auto split = TRY(insert(child, levels - 1));
            n[idx].hash = hnode_max(child);
            n[idx].ptr = TRY(put_block(n[idx].ptr, encode_hnode(child), 0, &dir));
            if (split) {
                BlockPtr rp = TRY(put_block(BlockPtr{}, encode_hnode(split->second), 0, &dir));
                dir.m.size += kBlockSize;
                sibling = HEntry{split->first, rp};
            }
        }
        if (!sibling) return std::optional<std::pair<uint32_t, HNode>>{};
        n.push_back(*sibling);
        std::stable_sort(n.begin(), n.end(), [](const HEntry& a, const HEntry& b) { return a.hash < b.hash; });
        if (n.size() <= kHTreeEntries) return std::optional<std::pair<uint32_t, HNode>>{};
        size_t sp = split_point(n, [](const HEntry& e) { return e.hash; }, false);
        HNode right(n.begin() + std::ptrdiff_t(sp), n.end());
        n.resize(sp);
        return std::optional<std::pair<uint32_t, HNode>>{{right.back().hash, std::move(right)}};
    };

    bool fake = depth == 0;   // a lone DirList is addressed through a one-entry fake root
    HNode root = fake ? HNode{{kHashEmpty - 1, dir.ptrs[1]}} : TRY(parse_hnode(TRY(read_block(dir.ptrs[1]))));
    auto split = TRY(insert(root, std::max<uint32_t>(depth, 1)));
    if (fake && root.size() == 1) {
        dir.ptrs[1] = root[0].ptr;
        return {};
    }
    if (fake) {
        depth = 1;   // the single DirList split: the fake root becomes a real block
        dir.m.size += kBlockSize;
    }
    BlockPtr rp = TRY(put_block(fake ? BlockPtr{} : dir.ptrs[1], encode_hnode(root), 0, &dir));
    if (split) {
        BlockPtr sp = TRY(put_block(BlockPtr{}, encode_hnode(split->second), 0, &dir));
        HNode top{{hnode_max(root), rp}, {split->first, sp}};
        std::stable_sort(top.begin(), top.end(), [](const HEntry& a, const HEntry& b) { return a.hash < b.hash; });
        rp = TRY(put_block(BlockPtr{}, encode_hnode(top), 0, &dir));
        depth += 1;
        dir.m.size += 2 * kBlockSize;
    }
    dir.ptrs[0] = BlockPtr::marker(depth);
    dir.ptrs[1] = rp;
    return {};
}

Result<void> FileSystem::dir_remove(Node& dir, std::string_view name) {
    if (!dir.ptrs[0].is_marker()) return err(ENOENT, std::string(name));
    uint32_t depth = dir.ptrs[0].level();
    uint32_t h = hash_of(name);
    // Returns false when the name is not below `n`.
    std::function<Result<bool>(HNode&, uint32_t)> remove = [&](HNode& n, uint32_t levels) -> Result<bool> {
        for (size_t i : candidates(n, h)) {
            Buf b = TRY(read_block(n[i].ptr));
            bool now_empty = false;
            if (levels == 1) {
                DList d = TRY(parse_dlist(b));
                auto it = std::find_if(d.begin(), d.end(), [&](const DEntry& e) { return e.name == name; });
                if (it == d.end()) continue;
                d.erase(it);
                if (d.empty()) now_empty = true;
                else {
                    n[i].hash = dlist_max(d);
                    n[i].ptr = TRY(put_block(n[i].ptr, encode_dlist(d), 0, &dir));
                }
            } else {
                HNode child = TRY(parse_hnode(b));
                if (!TRY(remove(child, levels - 1))) continue;
                if (child.empty()) now_empty = true;
                else {
                    n[i].hash = hnode_max(child);
                    n[i].ptr = TRY(put_block(n[i].ptr, encode_hnode(child), 0, &dir));
                }
            }
            if (now_empty) {
                free_block(n[i].ptr, &dir);
                dir.m.size -= kBlockSize;
                n.erase(n.begin() + std::ptrdiff_t(i));
            }
            return true;
        }
        return false;
    };
    HNode root = depth == 0 ? HNode{{kHashEmpty - 1, dir.ptrs[1]}} : TRY(parse_hnode(TRY(read_block(dir.ptrs[1]))));
    if (!TRY(remove(root, std::max<uint32_t>(depth, 1)))) return err(ENOENT, std::string(name));
    if (root.empty()) {
        if (depth > 0) {
            free_block(dir.ptrs[1], &dir);
            dir.m.size -= kBlockSize;
        }
        dir.ptrs[0] = BlockPtr{};
        dir.ptrs[1] = BlockPtr{};
    } else if (depth > 0) {
        dir.ptrs[1] = TRY(put_block(dir.ptrs[1], encode_hnode(root), 0, &dir));
    } else {
        dir.ptrs[1] = root[0].ptr;
    }
    return {};
}

} // namespace redox::redoxfs
