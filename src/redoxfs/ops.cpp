// Node-level operations with Redox `file` scheme semantics (permissions, links,
// rename, symlinks), each one all-or-nothing within the open transaction.
#include <algorithm>
#include <cerrno>

#include "redoxfs/filesystem.h"

namespace redox::redoxfs {

static bool perm_ok(const Node& n, uint16_t want, const Caller& c) {
    uint16_t perm = n.m.mode & 07;
    if (n.m.uid == c.uid) perm |= (n.m.mode >> 6) & 07;
    if (n.m.gid == c.gid || c.gid == 0) perm |= (n.m.mode >> 3) & 07;
    if (c.uid == 0) perm |= 07;
    return (perm & want) == want;
}

Result<FileSystem::Saved> FileSystem::op_begin() {
    TRY(check_writable());
    if (m_write_cache_bytes > (64u << 20)) TRY(flush_write_cache());
    m_undo.clear();
    m_op_freed.clear();
    m_journal = true;
    return Saved{m_header, m_header_changed, m_alloc, m_deferred.size()};
}

void FileSystem::op_end(Saved& s, bool ok) {
    m_journal = false;
    if (!ok) {
        for (auto it = m_undo.rbegin(); it != m_undo.rend(); ++it) {
            if (it->kind == 0) m_fresh.erase(it->idx);
            else if (it->kind == 1) m_fresh[it->idx] = it->level;
            else if (it->buf) m_write_cache[it->idx] = std::move(*it->buf);
            else m_write_cache.erase(it->idx);
        }
        m_write_cache_bytes = 0;
        for (auto& [_, b] : m_write_cache) m_write_cache_bytes += b.size();
        m_header = s.header;
        m_header_changed = s.changed;
        m_alloc = std::move(s.alloc);
        m_deferred.resize(s.deferred);
    } else {
        for (auto [idx, level] : m_op_freed) m_alloc.deallocate(idx, level);
    }
    m_op_freed.clear();
    m_undo.clear();
}

template <class T> Result<T> FileSystem::guarded(const std::function<Result<T>()>& f) {
    Saved s = TRY(op_begin());
    Result<T> r = f();
    op_end(s, bool(r));
    return r;
}

Result<bool> FileSystem::permitted(uint32_t ino, uint16_t want, const Caller& c) {
    Node n = TRY(read_node(ino));
    return perm_ok(n, want, c);
}

Result<Stat> FileSystem::stat(uint32_t ino) {
    NodeMeta m = TRY(read_meta(ino));
    Stat s;
    s.ino = ino;
    s.mode = m.mode;
    s.uid = m.uid;
    s.gid = m.gid;
    s.nlink = m.links;
    s.size = m.size;
    s.blocks = m.blocks;
    s.ctime = {m.ctime, m.ctime_nsec};
    s.mtime = {m.mtime, m.mtime_nsec};
    s.atime = {m.atime, m.atime_nsec};
    return s;
}

Result<uint32_t> FileSystem::lookup(uint32_t dir, std::string_view name, const Caller& c) {
    Node d = TRY(read_node(dir));
    if (!d.is_dir()) return err(ENOTDIR, std::string(name));
    if (!perm_ok(d, 01, c)) return err(EACCES, std::string(name));
    auto id = TRY(dir_find(d, name));
    if (!id) return err(ENOENT, std::string(name));
    return *id;
}

Result<std::string> FileSystem::readlink(uint32_t ino) {
    Node n = TRY(read_node(ino));
    if (n.type() != kModeSymlink) return err(EINVAL, "not a symlink");
    std::string s(n.m.size, '\0');
    TRY(read_data(n, 0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(s.data()), s.size())));
    return s;
}

// Walks `path` keeping the chain of directories (no parent links exist on disk).
static std::vector<std::string> split_path(std::string_view p) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string_view::npos) j = p.size();
        if (j > i) out.emplace_back(p.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

Result<uint32_t> FileSystem::resolve(std::string_view path, const Caller& c, bool follow_last) {
    std::vector<uint32_t> stack{kRootId};
    std::vector<std::string> todo = split_path(path);
    std::reverse(todo.begin(), todo.end());
    int links = 0;
    while (!todo.empty()) {
        std::string comp = std::move(todo.back());
        todo.pop_back();
        if (comp == ".") continue;
        if (comp == "..") {
            if (stack.size() > 1) stack.pop_back();
            continue;
        }
        uint32_t id = TRY(lookup(stack.back(), comp, c));
        Node n = TRY(read_node(id));
        if (n.type() == kModeSymlink && (follow_last || !todo.empty())) {
            if (++links > 64) return err(ELOOP, std::string(path));
            std::string target = TRY(readlink(id));
            auto parts = split_path(target);
            if (!target.empty() && target[0] == '/') stack.resize(1);
            for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_back(*it);
            continue;
        }
        stack.push_back(id);
    }
    return stack.back();
}

Result<std::pair<uint32_t, std::string>> FileSystem::resolve_parent(std::string_view path, const Caller& c) {
    auto parts = split_path(path);
    if (parts.empty()) return err(EINVAL, "path has no last component: " + std::string(path));
    std::string last = parts.back();
    std::string dir;
    for (size_t i = 0; i + 1 < parts.size(); ++i) dir += "/" + parts[i];
    uint32_t d = TRY(resolve(dir, c, true));
    return std::pair<uint32_t, std::string>{d, last};
}

Result<std::vector<DirEntryInfo>> FileSystem::getdents(uint32_t dir, uint64_t cookie, size_t max) {
    Node d = TRY(read_node(dir));
    if (!d.is_dir()) return err(ENOTDIR, "node " + std::to_string(dir));
    auto all = TRY(dir_entries(d));
    std::vector<DirEntryInfo> out;
    for (uint64_t i = cookie; i < all.size() && out.size() < max; ++i)
        out.push_back({all[i].first, std::move(all[i].second), i + 1});
    return out;
}

Result<uint32_t> FileSystem::mknod(uint32_t dir, std::string_view name, uint16_t mode, const Caller& c,
                                   std::optional<Timespec> ctime) {
    return guarded<uint32_t>([&]() -> Result<uint32_t> {
        Node d = TRY(read_node(dir));
        if (!d.is_dir()) return err(ENOTDIR, std::string(name));
        if (!perm_ok(d, 03, c)) return err(EACCES, std::string(name));
        TRY(check_name(d, name));
        uint16_t type = mode & kModeType;
        if (type != kModeFile && type != kModeDir && type != kModeSymlink && type != kModeSock)
            return err(EINVAL, "unsupported node type");
        Node n;
        std::memset(&n, 0, sizeof n);
        Timespec t = ctime ? *ctime : now();
        n.m.mode = mode;
        n.m.uid = c.uid;
        n.m.gid = c.gid;
        n.m.links = 1;
        n.m.blocks = 1;
        n.m.ctime = n.m.mtime = n.m.atime = t.sec;
        n.m.ctime_nsec = n.m.mtime_nsec = n.m.atime_nsec = t.nsec;
        n.m.record_level = type == kModeFile ? kRecordLevel : 0;
        n.m.flags = type == kModeDir ? 0 : kNodeInlineData;
        BlockPtr p = TRY(put_as(BlockPtr{}, n, nullptr));
        uint32_t id = TRY(tree_insert(p));
        TRY(dir_insert(d, name, id));
        TRY(write_node(dir, d));
        return id;
    });
}

Result<uint32_t> FileSystem::symlink(uint32_t dir, std::string_view name, std::string_view target, const Caller& c) {
    return guarded<uint32_t>([&]() -> Result<uint32_t> {
        Node d = TRY(read_node(dir));
        if (!d.is_dir()) return err(ENOTDIR, std::string(name));
        if (!perm_ok(d, 03, c)) return err(EACCES, std::string(name));
        TRY(check_name(d, name));
        Node n;
        std::memset(&n, 0, sizeof n);
        Timespec t = now();
        n.m.mode = kModeSymlink | 0777;
        n.m.uid = c.uid;
        n.m.gid = c.gid;
        n.m.links = 1;
        n.m.blocks = 1;
        n.m.ctime = n.m.mtime = n.m.atime = t.sec;
        n.m.ctime_nsec = n.m.mtime_nsec = n.m.atime_nsec = t.nsec;
        n.m.flags = kNodeInlineData;
        TRY(write_data(n, 0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(target.data()), target.size())));
        BlockPtr p = TRY(put_as(BlockPtr{}, n, nullptr));
        uint32_t nid = TRY(tree_insert(p));
        TRY(dir_insert(d, name, nid));
        TRY(write_node(dir, d));
        return nid;
    });
}

Result<void> FileSystem::link(uint32_t dir, std::string_view name, uint32_t ino, const Caller& c) {
    return guarded<void>([&]() -> Result<void> {
        Node d = TRY(read_node(dir));
        if (!d.is_dir()) return err(ENOTDIR, std::string(name));
        if (!perm_ok(d, 03, c)) return err(EACCES, std::string(name));
        Node n = TRY(read_node(ino));
        if (n.is_dir()) return err(EPERM, "hard links to directories are not allowed");
        TRY(check_name(d, name));
        TRY(dir_insert(d, name, ino));
        TRY(write_node(dir, d));
        n.m.links += 1;
        TRY(write_node(ino, n));
        return {};
    });
}

Result<void> FileSystem::destroy_node(uint32_t id) {
    Node n = TRY(read_node(id));
    TRY(free_all_data(n));
    BlockPtr p = TRY(node_ptr(id));
    free_block(p, nullptr);
    TRY(tree_remove(id));
    return {};
}

Result<void> FileSystem::write_release_list() {
    // Rewritten whole: it is tiny (only nodes unlinked while open).
    BlockPtr p = m_header.release;
    while (!p.is_null()) {
        ReleaseList l = TRY(read_as<ReleaseList>(p));
        free_block(p, nullptr);
        p = l.prev;
    }
    BlockPtr prev{};
    for (size_t i = 0; i < m_release.size(); i += 1020) {
        ReleaseList l;
        std::memset(&l, 0, sizeof l);
        l.prev = prev;
        for (size_t j = 0; j < 1020 && i + j < m_release.size(); ++j) l.ids[j] = m_release[i + j];
        prev = TRY(put_as(BlockPtr{}, l, nullptr));
    }
    m_header.release = prev;
    m_header_changed = true;
    return {};
}

Result<void> FileSystem::release_pending() {
    // Nodes listed by an earlier mount (ours or upstream's) that were never closed.
    BlockPtr p = m_header.release;
    if (p.is_null()) return {};
    std::vector<uint32_t> ids;
    while (!p.is_null()) {
        ReleaseList l = TRY(read_as<ReleaseList>(p));
        for (uint32_t id : l.ids)
            if (id) ids.push_back(id);
        p = l.prev;
    }
    for (uint32_t id : ids) {
        auto n = read_node(id);
        if (n && n->m.links == 0) TRY(destroy_node(id));
    }
    m_release.clear();
    return write_release_list();
}

Result<void> FileSystem::unlink(uint32_t dir, std::string_view name, bool is_dir, const Caller& c) {
    return guarded<void>([&]() -> Result<void> {
        Node d = TRY(read_node(dir));
        if (!d.is_dir()) return err(ENOTDIR, std::string(name));
        if (!perm_ok(d, 03, c)) return err(EACCES, std::string(name));
        auto found = TRY(dir_find(d, name));
        if (!found) return err(ENOENT, std::string(name));
        uint32_t id = *found;
        Node n = TRY(read_node(id));
        if (is_dir) {
            if (!n.is_dir()) return err(ENOTDIR, std::string(name));
            if (n.m.size > 0) return err(ENOTEMPTY, std::string(name));
        } else if (n.is_dir()) {
            return err(EISDIR, std::string(name));
        }
        if ((d.m.mode & 01000) && c.uid != 0 && c.uid != n.m.uid && c.uid != d.m.uid)
            return err(EPERM, std::string(name));   // sticky directory
        TRY(dir_remove(d, name));
        TRY(write_node(dir, d));
        n.m.links = n.m.links > 0 ? n.m.links - 1 : 0;
        if (n.m.links > 0) return write_node(id, n);
        if (m_open.count(id)) {
            TRY(write_node(id, n));
            m_release.push_back(id);
            return write_release_list();
        }
        return destroy_node(id);
    });
}

void FileSystem::on_open(uint32_t ino) { ++m_open[ino]; }

Result<void> FileSystem::on_close(uint32_t ino) {
    auto it = m_open.find(ino);
    if (it == m_open.end()) return {};
    if (--it->second > 0) return {};
    m_open.erase(it);
    auto r = std::find(m_release.begin(), m_release.end(), ino);
    if (r == m_release.end()) return {};
    return guarded<void>([&]() -> Result<void> {
        m_release.erase(std::find(m_release.begin(), m_release.end(), ino));
        TRY(destroy_node(ino));
        return write_release_list();
    });
}

// True when `target` is `root` or lies below it (rename must not create a cycle).
static Result<bool> contains(FileSystem& fs, uint32_t root, uint32_t target) {
    if (root == target) return true;
    Node n = TRY(fs.read_node(root));
    if (!n.is_dir()) return false;
    for (auto& [id, name] : TRY(fs.dir_entries(n))) {
        Node c = TRY(fs.read_node(id));
        if (c.is_dir() && TRY(contains(fs, id, target))) return true;
    }
    return false;
}

Result<void> FileSystem::rename(uint32_t odir, std::string_view oname, uint32_t ndir, std::string_view nname,
                                const Caller& c) {
    return guarded<void>([&]() -> Result<void> {
        Node od = TRY(read_node(odir));
        Node nd = TRY(read_node(ndir));
        if (!od.is_dir() || !nd.is_dir()) return err(ENOTDIR, std::string(oname));
        if (!perm_ok(od, 03, c) || !perm_ok(nd, 03, c)) return err(EACCES, std::string(oname));
        auto of = TRY(dir_find(od, oname));
        if (!of) return err(ENOENT, std::string(oname));
        uint32_t id = *of;
        Node n = TRY(read_node(id));
        if (n.is_dir() && TRY(contains(*this, id, ndir))) return err(EINVAL, "cannot move a directory into itself");
        auto nf = TRY(dir_find(nd, nname));
        if (nf) {
            if (*nf == id) return {};
            Node t = TRY(read_node(*nf));
            if (t.is_dir() && !n.is_dir()) return err(EISDIR, std::string(nname));
            if (!t.is_dir() && n.is_dir()) return err(ENOTDIR, std::string(nname));
            if (t.is_dir() && t.m.size > 0) return err(ENOTEMPTY, std::string(nname));
            TRY(dir_remove(nd, nname));
            t.m.links = t.m.links > 0 ? t.m.links - 1 : 0;
            if (t.m.links > 0) TRY(write_node(*nf, t));
            else if (m_open.count(*nf)) {
                TRY(write_node(*nf, t));
                m_release.push_back(*nf);
                TRY(write_release_list());
            } else TRY(destroy_node(*nf));
        } else {
            TRY(check_name(nd, nname));
        }
        if (odir == ndir) {
            TRY(dir_insert(nd, nname, id));
            TRY(dir_remove(nd, oname));
            return write_node(ndir, nd);
        }
        TRY(dir_insert(nd, nname, id));
        TRY(write_node(ndir, nd));
        od = TRY(read_node(odir));
        TRY(dir_remove(od, oname));
        return write_node(odir, od);
    });
}

Result<size_t> FileSystem::read(uint32_t ino, uint64_t off, std::span<uint8_t> buf) {
    Node n = TRY(read_node(ino));
    if (n.is_dir()) return err(EISDIR, "node " + std::to_string(ino));
    return read_data(n, off, buf);
}

static void touch_mtime(Node& n) {
    Timespec t = now();
    if (t.sec > n.m.mtime || (t.sec == n.m.mtime && t.nsec > n.m.mtime_nsec)) {
        n.m.mtime = t.sec;
        n.m.mtime_nsec = t.nsec;
    }
}

Result<size_t> FileSystem::write(uint32_t ino, uint64_t off, std::span<const uint8_t> buf) {
    return guarded<size_t>([&]() -> Result<size_t> {
        Node n = TRY(read_node(ino));
        if (n.is_dir()) return err(EISDIR, "node " + std::to_string(ino));
        TRY(write_data(n, off, buf));
        touch_mtime(n);
        TRY(write_node(ino, n));
        return buf.size();
    });
}

Result<void> FileSystem::truncate(uint32_t ino, uint64_t size) {
    return guarded<void>([&]() -> Result<void> {
        Node n = TRY(read_node(ino));
        if (n.is_dir()) return err(EISDIR, "node " + std::to_string(ino));
        if (n.m.size == size) return {};
        TRY(truncate_data(n, size));
        touch_mtime(n);
        return write_node(ino, n);
    });
}

Result<void> FileSystem::chmod(uint32_t ino, uint16_t perm, const Caller& c) {
    return guarded<void>([&]() -> Result<void> {
        Node n = TRY(read_node(ino));
        if (c.uid != 0 && c.uid != n.m.uid) return err(EPERM, "only the owner may chmod");
        n.m.mode = uint16_t((n.m.mode & kModeType) | (perm & kModePerm));
        return write_node(ino, n);
    });
}

Result<void> FileSystem::chown(uint32_t ino, std::optional<uint32_t> uid, std::optional<uint32_t> gid,
                               const Caller& c) {
    return guarded<void>([&]() -> Result<void> {
        Node n = TRY(read_node(ino));
        if (c.uid != 0 && c.uid != n.m.uid) return err(EPERM, "only the owner may chown");
        if (uid) n.m.uid = *uid;
        if (gid) n.m.gid = *gid;
        return write_node(ino, n);
    });
}

Result<void> FileSystem::utimens(uint32_t ino, std::optional<Timespec> atime, std::optional<Timespec> mtime) {
    return guarded<void>([&]() -> Result<void> {
        Node n = TRY(read_node(ino));
        if (atime) {
            n.m.atime = atime->sec;
            n.m.atime_nsec = atime->nsec;
        }
        if (mtime) {
            n.m.mtime = mtime->sec;
            n.m.mtime_nsec = mtime->nsec;
        }
        return write_node(ino, n);
    });
}

} // namespace redox::redoxfs
