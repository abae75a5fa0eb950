#include "daemons/ramfs/RamFs.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <vector>

namespace redox::daemon {

TimeSpec now_timespec() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return TimeSpec{ts.tv_sec, int32_t(ts.tv_nsec), 0};
}

RamFs::RamFs(uint64_t capacity) : m_capacity(capacity) {
    auto root = std::make_unique<Inode>();
    root->ino = 1;
    root->mode = MODE_DIR | 0755;
    root->nlink = 2;
    root->parent = 1;
    root->mtime = root->atime = root->ctime = now_timespec();
    m_nodes[1] = std::move(root);
}

Inode* RamFs::get(uint64_t ino) {
    auto it = m_nodes.find(ino);
    return it == m_nodes.end() ? nullptr : it->second.get();
}

bool RamFs::may(const Inode& n, const CallerCtx& c, int want) const {
    if (c.uid == 0) return true;
    int bits = c.uid == n.uid ? (n.mode >> 6) : c.gid == n.gid ? (n.mode >> 3) : n.mode;
    return (bits & want) == want;
}

static std::vector<std::string> components(std::string_view path) {
    std::vector<std::string> out;
    while (!path.empty()) {
        size_t slash = path.find('/');
        std::string_view part = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
        if (!part.empty() && part != ".") out.emplace_back(part);
    }
    return out;
}

Result<RamFs::Lookup> RamFs::lookup(std::string_view path, const CallerCtx& c, bool nofollow) {
    std::vector<std::string> todo = components(path);
    std::reverse(todo.begin(), todo.end());
    Inode* cur = &root();
    int hops = 0;
    Lookup out;
    while (!todo.empty()) {
        std::string part = std::move(todo.back());
        todo.pop_back();
        if (!cur->is_dir()) return err(ENOTDIR_);
        if (!may(*cur, c, MAY_EXEC)) return err(EACCES_);
        if (part == "..") {
            cur = get(cur->parent);
            continue;
        }
        auto it = cur->children.find(part);
        if (it == cur->children.end()) {
            if (!todo.empty()) return err(ENOENT_);
            out.parent = cur;
            out.name = part;
            out.path = path_of(*cur) + (cur->ino == 1 ? "" : "/") + part;
            return out;
        }
        Inode* next = get(it->second);
        if (next->is_link() && !(todo.empty() && nofollow)) {
            if (++hops > 40) return err(ELOOP_);
            std::string_view target = next->data;
            if (target.starts_with("/scheme/") || target.find(':') != std::string_view::npos) return err(EXDEV_);
            auto more = components(target);
            for (auto i = more.rbegin(); i != more.rend(); ++i) todo.push_back(*i);
            if (target.starts_with('/')) cur = &root();
            continue;
        }
        if (todo.empty()) {
            out.node = next;
            out.parent = cur;
            out.name = part;
            out.path = next->is_dir() ? path_of(*next) : path_of(*cur) + (cur->ino == 1 ? "" : "/") + part;
            return out;
        }
        cur = next;
    }
    out.node = cur;
    out.parent = get(cur->parent);
    out.path = path_of(*cur);
    return out;
}

std::string RamFs::path_of(const Inode& n) const {
    if (n.ino == 1) return "";
    if (!n.is_dir()) return "";  // files may have several names; callers track paths
    std::vector<std::string> parts;
    const Inode* cur = &n;
    while (cur->ino != 1) {
        const Inode* parent = m_nodes.at(cur->parent).get();
        for (auto& [name, ino] : parent->children)
            if (ino == cur->ino) { parts.push_back(name); break; }
        cur = parent;
    }
    std::string out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        if (!out.empty()) out += '/';
        out += *it;
    }
    return out;
}

Result<Inode*> RamFs::create(Inode& parent, const std::string& name, uint16_t mode, const CallerCtx& c) {
    if (!parent.is_dir()) return err(ENOTDIR_);
    if (name.empty() || name == "." || name == ".." || name.size() > 255) return err(EINVAL_);
    if (parent.children.count(name)) return err(EEXIST_);
    if (!may(parent, c, MAY_WRITE | MAY_EXEC)) return err(EACCES_);
    auto n = std::make_unique<Inode>();
    n->ino = m_next++;
    n->mode = mode;
    n->uid = c.uid;
    n->gid = c.gid;
    n->nlink = n->is_dir() ? 2 : 1;
    n->parent = n->is_dir() ? parent.ino : 0;
    n->mtime = n->atime = n->ctime = now_timespec();
    if (n->is_dir()) parent.nlink++;
    parent.children[name] = n->ino;
    parent.mtime = now_timespec();
    Inode* raw = n.get();
    m_nodes[raw->ino] = std::move(n);
    return raw;
}

Result<void> RamFs::unlink(Inode& parent, const std::string& name, bool dir, const CallerCtx& c) {
    auto it = parent.children.find(name);
    if (it == parent.children.end()) return err(ENOENT_);
    Inode* n = get(it->second);
    if (!may(parent, c, MAY_WRITE | MAY_EXEC)) return err(EACCES_);
    if ((parent.mode & 01000) && c.uid != 0 && c.uid != n->uid && c.uid != parent.uid) return err(EPERM_);
    if (dir) {
        if (!n->is_dir()) return err(ENOTDIR_);
        if (!n->children.empty()) return err(ENOTEMPTY_);
        parent.nlink--;
        n->nlink = 0;
    } else {
        if (n->is_dir()) return err(EISDIR_);
        n->nlink--;
    }
    parent.children.erase(it);
    parent.mtime = now_timespec();
    return {};
}

Result<void> RamFs::link(Inode& parent, const std::string& name, Inode& target) {
    if (target.is_dir()) return err(EPERM_);
    if (parent.children.count(name)) return err(EEXIST_);
    parent.children[name] = target.ino;
    target.nlink++;
    return {};
}

Result<void> RamFs::rename(Inode& fp, const std::string& from, Inode& tp, const std::string& to, const CallerCtx& c) {
    auto it = fp.children.find(from);
    if (it == fp.children.end()) return err(ENOENT_);
    if (!may(fp, c, MAY_WRITE | MAY_EXEC) || !may(tp, c, MAY_WRITE | MAY_EXEC)) return err(EACCES_);
    Inode* n = get(it->second);
    // A directory may not move into itself.
    for (Inode* cur = &tp; n->is_dir(); cur = get(cur->parent)) {
        if (cur == n) return err(EINVAL_);
        if (cur->ino == 1) break;
    }
    if (auto t = tp.children.find(to); t != tp.children.end()) {
        if (t->second == n->ino) return {};
        Inode* old = get(t->second);
        if (old->is_dir()) {
            if (!n->is_dir()) return err(EISDIR_);
            if (!old->children.empty()) return err(ENOTEMPTY_);
        } else if (n->is_dir()) {
            return err(ENOTDIR_);
        }
        TRY(unlink(tp, to, old->is_dir(), c));
    }
    fp.children.erase(from);
    tp.children[to] = n->ino;
    if (n->is_dir()) {
        n->parent = tp.ino;
        fp.nlink--;
        tp.nlink++;
    }
    return {};
}

Result<void> RamFs::resize(Inode& n, uint64_t size) {
    if (size > n.data.size() && m_used + (size - n.data.size()) > m_capacity) return err(ENOSPC_);
    m_used = m_used - n.data.size() + size;
    n.data.resize(size);
    n.mtime = now_timespec();
    ++n.version;
    return {};
}

Result<void> RamFs::write(Inode& n, uint64_t offset, std::span<const uint8_t> data) {
    if (offset + data.size() > n.data.size()) TRY(resize(n, offset + data.size()));
    std::memcpy(n.data.data() + offset, data.data(), data.size());
    n.mtime = now_timespec();
    ++n.version;
    return {};
}

void RamFs::release(uint64_t ino) {
    auto it = m_nodes.find(ino);
    if (it == m_nodes.end() || ino == 1 || it->second->nlink > 0) return;
    m_used -= it->second->data.size();
    m_nodes.erase(it);
}

} // namespace redox::daemon
