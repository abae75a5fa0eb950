#include "redoxfs/daemon/FileScheme.h"

#include <algorithm>
#include <cstring>
#include <cerrno>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace redox::rfsd {

using redoxfs::Caller;
using redoxfs::kRootId;

namespace {

Caller caller(const CallerCtx& c) { return Caller{c.uid, c.gid}; }

std::vector<std::string> components(std::string_view path) {
    std::vector<std::string> out;
    while (!path.empty()) {
        size_t slash = path.find('/');
        std::string_view part = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
        if (!part.empty() && part != ".") out.emplace_back(part);
    }
    return out;
}

std::string join(const std::vector<std::pair<uint32_t, std::string>>& stack, std::string_view last = {}) {
    std::string out;
    for (size_t i = 1; i < stack.size(); ++i) {
        if (!out.empty()) out += '/';
        out += stack[i].second;
    }
    if (!last.empty()) {
        if (!out.empty()) out += '/';
        out += last;
    }
    return out;
}

uint8_t dirent_kind(uint16_t mode) {
    switch (mode & redoxfs::kModeType) {
    case redoxfs::kModeDir: return DT_DIR_;
    case redoxfs::kModeSymlink: return DT_LNK_;
    case redoxfs::kModeSock: return DT_SOCK_;
    default: return DT_REG_;
    }
}

bool is_dir(uint16_t mode) { return (mode & redoxfs::kModeType) == redoxfs::kModeDir; }
bool is_link(uint16_t mode) { return (mode & redoxfs::kModeType) == redoxfs::kModeSymlink; }

} // namespace

template <class T> Result<T> FileScheme::changed(Result<T> r) {
    if (r) {
        if (auto c = m_fs->commit(); !c) return std::unexpected(c.error());
    }
    return r;
}

Result<void> FileScheme::commit(bool durable) {
    if (m_set_durable) m_set_durable(durable);
    auto r = m_fs->commit();
    if (m_set_durable) m_set_durable(false);
    return r;
}

Result<FileScheme::Handle*> FileScheme::handle(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return &it->second;
}

Result<FileScheme::Resolved> FileScheme::resolve(std::string_view path, const Caller& c, bool nofollow) {
    std::vector<std::string> todo = components(path);
    std::reverse(todo.begin(), todo.end());
    std::vector<std::pair<uint32_t, std::string>> stack{{kRootId, ""}};
    int hops = 0;
    while (!todo.empty()) {
        std::string part = std::move(todo.back());
        todo.pop_back();
        if (part == "..") {
            if (stack.size() > 1) stack.pop_back();
            continue;
        }
        uint32_t dir = stack.back().first;
        auto found = m_fs->lookup(dir, part, c);
        if (!found) {
            int e = found.error().errnum;
            if (e == ENOENT && todo.empty()) {
                Resolved out;
                out.parent = dir;
                out.name = part;
                out.path = join(stack, part);
                return out;
            }
            return err(e);
        }
        auto st = TRY(m_fs->stat(*found));
        if (is_link(st.mode) && !(todo.empty() && nofollow)) {
            if (++hops > 40) return err(ELOOP_);
            std::string target = TRY(m_fs->readlink(*found));
            if (target.starts_with("/scheme/") || target.find(':') != std::string::npos) return err(EXDEV_);
            if (target.starts_with('/')) stack.resize(1);
            auto more = components(target);
            for (auto i = more.rbegin(); i != more.rend(); ++i) todo.push_back(*i);
            continue;
        }
        if (todo.empty()) {
            Resolved out;
            out.node = *found;
            out.parent = dir;
            out.name = part;
            out.path = join(stack, part);
            return out;
        }
        if (!is_dir(st.mode)) return err(ENOTDIR_);
        stack.emplace_back(*found, part);
    }
    Resolved out;
    out.node = stack.back().first;
    out.parent = stack.size() > 1 ? stack[stack.size() - 2].first : kRootId;
    out.name = stack.back().second;
    out.path = join(stack);
    return out;
}

Result<OpenResult> FileScheme::add_handle(uint32_t ino, uint64_t flags, std::string path) {
    uint64_t id = m_next++;
    m_handles[id] = Handle{ino, flags, std::move(path)};
    m_open_count[ino]++;
    m_fs->on_open(ino);
    return OpenResult{id, NEWFD_POSITIONED};
}

Result<OpenResult> FileScheme::open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) {
    Caller c = caller(ctx);
    auto r = TRY(resolve(path, c, flags & O_NOFOLLOW_));
    uint64_t acc = flags & O_ACCMODE_;
    bool want_read = acc == O_RDONLY_ || acc == O_RDWR_;
    bool want_write = acc == O_WRONLY_ || acc == O_RDWR_;
    if (!r.node) {
        if (!(flags & O_CREAT_)) return err(ENOENT_);
        uint16_t type = (flags & O_DIRECTORY_) ? redoxfs::kModeDir
                      : (flags & O_SYMLINK_) ? redoxfs::kModeSymlink : redoxfs::kModeFile;
        uint16_t perm = type == redoxfs::kModeSymlink ? 0777 : (mode & MODE_PERM);
        uint32_t ino = TRY(changed(m_fs->mknod(r.parent, r.name, uint16_t(type | perm), c)));
        return add_handle(ino, flags, r.path);
    }
    if ((flags & O_CREAT_) && (flags & O_EXCL_)) return err(EEXIST_);
    auto st = TRY(m_fs->stat(*r.node));
    if (is_link(st.mode) && !(flags & O_SYMLINK_) && !(flags & O_STAT_)) return err(ELOOP_);
    if (!(flags & O_STAT_)) {
        if (want_read && !TRY(m_fs->permitted(*r.node, 4, c))) return err(EACCES_);
        if (want_write && !TRY(m_fs->permitted(*r.node, 2, c))) return err(EACCES_);
    }
    if ((flags & O_DIRECTORY_) && !is_dir(st.mode)) return err(ENOTDIR_);
    if (is_dir(st.mode) && want_write && !(flags & O_STAT_)) return err(EISDIR_);
    if ((flags & O_TRUNC_) && !is_dir(st.mode) && want_write && st.size != 0) {
        m_exec_images.forget(*r.node);
        TRY(changed(m_fs->truncate(*r.node, 0)));
    }
    return add_handle(*r.node, flags, r.path);
}

Result<size_t> FileScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    if (h->flags & O_STAT_) return err(EBADF_);   // opened to stat: no read permission was checked
    if (offset == ~0ull) offset = 0;
    if (auto m = m_mappings.find(h->ino); m != m_mappings.end() && m->second.shared_write) {
        // The mapping holds the newest bytes of the file.
        auto st = TRY(m_fs->stat(h->ino));
        if (offset >= st.size) return 0;
        ssize_t n = pread(m->second.memfd, buf.data(), std::min<uint64_t>(buf.size(), st.size - offset), off_t(offset));
        if (n < 0) return err(EIO_);
        return size_t(n);
    }
    auto r = m_fs->read(h->ino, offset, buf);
    if (!r) return err(r.error().errnum);
    return *r;
}

Result<size_t> FileScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    if (h->flags & O_STAT_) return err(EBADF_);
    if (offset == ~0ull || (fd_flags & O_APPEND_)) offset = TRY(m_fs->stat(h->ino)).size;
    if (m_mappings.count(h->ino)) TRY(write_back(h->ino));
    m_exec_images.forget(h->ino);
    size_t n = TRY(changed(m_fs->write(h->ino, offset, buf)));
    if (auto m = m_mappings.find(h->ino); m != m_mappings.end()) {
        // Keep the handed-out pages in step with the file (pwrite grows the memfd;
        // it never shrinks under a live mapping).
        if (pwrite(m->second.memfd, buf.data(), n, off_t(offset)) != ssize_t(n)) return err(EIO_);
    }
    return n;
}

Result<uint64_t> FileScheme::fsize(uint64_t id) {
    Handle* h = TRY(handle(id));
    return TRY(m_fs->stat(h->ino)).size;
}

Result<void> FileScheme::fchmod(uint64_t id, uint16_t mode, const CallerCtx& ctx) {
    Handle* h = TRY(handle(id));
    return changed(m_fs->chmod(h->ino, mode & MODE_PERM, caller(ctx)));
}

Result<void> FileScheme::fchown(uint64_t id, uint32_t uid, uint32_t gid, const CallerCtx& ctx) {
    Handle* h = TRY(handle(id));
    auto st = TRY(m_fs->stat(h->ino));
    std::optional<uint32_t> new_uid, new_gid;
    if (uid != ~0u) new_uid = uid;
    if (gid != ~0u) new_gid = gid;
    // Only root gives a file away; an owner may only move it into their own group.
    if (ctx.uid != 0) {
        if (ctx.uid != st.uid) return err(EPERM_);
        if (new_uid && *new_uid != st.uid) return err(EPERM_);
        if (new_gid && *new_gid != ctx.gid && *new_gid != st.gid) return err(EPERM_);
    }
    return changed(m_fs->chown(h->ino, new_uid, new_gid, caller(ctx)));
}

Result<size_t> FileScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    Handle* h = TRY(handle(id));
    return put_path(buf, "/scheme/" + m_name + "/" + h->path);
}

Result<void> FileScheme::frename(uint64_t id, std::string_view path, const CallerCtx& ctx) {
    Handle* h = TRY(handle(id));
    Caller c = caller(ctx);
    auto from = TRY(resolve(h->path, c, true));
    auto to = TRY(resolve(path, c, true));
    if (!from.node || *from.node != h->ino) return err(ENOENT_);
    if (from.node == kRootId || to.name.empty()) return err(EBUSY_);
    TRY(sticky_check(from.parent, *from.node, ctx));
    if (to.node && *to.node != *from.node) TRY(sticky_check(to.parent, *to.node, ctx));
    TRY(changed(m_fs->rename(from.parent, from.name, to.parent, to.name, c)));
    if (to.node && *to.node != *from.node) m_exec_images.forget(*to.node);
    h->path = to.path;
    return {};
}

// In a sticky directory (/tmp) only root, the directory's owner and the entry's
// owner may move or replace an entry.
Result<void> FileScheme::sticky_check(uint32_t dir, uint32_t node, const CallerCtx& ctx) {
    if (ctx.uid == 0) return {};
    auto d = TRY(m_fs->stat(dir));
    if (!(d.mode & 01000) || d.uid == ctx.uid) return {};
    if (TRY(m_fs->stat(node)).uid != ctx.uid) return err(EPERM_);
    return {};
}

Result<void> FileScheme::flink(uint64_t id, std::string_view path, const CallerCtx& ctx) {
    Handle* h = TRY(handle(id));
    Caller c = caller(ctx);
    auto to = TRY(resolve(path, c, true));
    if (to.node) return err(EEXIST_);
    return changed(m_fs->link(to.parent, to.name, h->ino, c));
}

Result<void> FileScheme::fstat(uint64_t id, Stat& out) {
    Handle* h = TRY(handle(id));
    auto st = TRY(m_fs->stat(h->ino));
    out.st_dev = 1;
    out.st_ino = st.ino;
    out.st_mode = st.mode;
    out.st_nlink = st.nlink;
    out.st_uid = st.uid;
    out.st_gid = st.gid;
    out.st_size = st.size;
    out.st_blksize = redoxfs::kBlockSize;
    out.st_blocks = st.blocks * (redoxfs::kBlockSize / 512);
    out.mtime = st.mtime.sec; out.mtime_nsec = st.mtime.nsec;
    out.atime = st.atime.sec; out.atime_nsec = st.atime.nsec;
    out.ctime = st.ctime.sec; out.ctime_nsec = st.ctime.nsec;
    return {};
}

Result<void> FileScheme::fstatvfs(uint64_t id, StatVfs& out) {
    TRY(handle(id));
    auto v = m_fs->statvfs();
    out.f_bsize = uint32_t(v.bsize);
    out.f_blocks = v.blocks;
    out.f_bfree = v.bfree;
    out.f_bavail = v.bfree;
    return {};
}

Result<void> FileScheme::fsync(uint64_t id) {
    Handle* h = TRY(handle(id));
    if (m_mappings.count(h->ino)) TRY(write_back(h->ino));
    return commit(true);
}

Result<void> FileScheme::ftruncate(uint64_t id, uint64_t len, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    if ((h->flags & O_ACCMODE_) == O_RDONLY_ || (h->flags & O_STAT_)) return err(EBADF_);
    if (m_mappings.count(h->ino)) TRY(write_back(h->ino));
    m_exec_images.forget(h->ino);
    TRY(changed(m_fs->truncate(h->ino, len)));
    if (auto m = m_mappings.find(h->ino); m != m_mappings.end()) {
        // Bytes past the new end read as zeros when the file grows again.
        if (::ftruncate(m->second.memfd, off_t(len)) != 0) return err(EIO_);
    }
    return {};
}

Result<void> FileScheme::futimens(uint64_t id, std::span<const TimeSpec> times, const CallerCtx& ctx) {
    Handle* h = TRY(handle(id));
    auto st = TRY(m_fs->stat(h->ino));
    if (ctx.uid != 0 && ctx.uid != st.uid) return err(EPERM_);
    std::optional<redoxfs::Timespec> at, mt;
    if (times.size() >= 1) at = redoxfs::Timespec{uint64_t(times[0].tv_sec), uint32_t(times[0].tv_nsec)};
    if (times.size() >= 2) mt = redoxfs::Timespec{uint64_t(times[1].tv_sec), uint32_t(times[1].tv_nsec)};
    return changed(m_fs->utimens(h->ino, at, mt));
}

Result<size_t> FileScheme::getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) {
    Handle* h = TRY(handle(id));
    auto entries = m_fs->getdents(h->ino, opaque, buf.size() / 24 + 1);
    if (!entries) return err(entries.error().errnum);
    DirentWriter w(buf);
    for (auto& e : *entries) {
        auto st = TRY(m_fs->stat(e.ino));
        if (!w.add(e.ino, e.next_cookie, dirent_kind(st.mode), e.name)) break;
    }
    return w.used();
}

Result<void> FileScheme::unlink(std::string_view path, uint64_t flags, const CallerCtx& ctx) {
    Caller c = caller(ctx);
    auto r = TRY(resolve(path, c, true));
    if (!r.node) return err(ENOENT_);
    if (*r.node == kRootId) return err(EBUSY_);
    TRY(changed(m_fs->unlink(r.parent, r.name, flags & AT_REMOVEDIR_, c)));
    m_exec_images.forget(*r.node);
    return {};
}

Result<int> FileScheme::mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t flags, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    if (h->flags & O_STAT_) return err(EBADF_);
    auto st = TRY(m_fs->stat(h->ino));
    if (is_dir(st.mode)) return err(EISDIR_);
    bool writable = (h->flags & O_ACCMODE_) == O_WRONLY_ || (h->flags & O_ACCMODE_) == O_RDWR_;
    bool want_write = flags & PROT_WRITE_;
    bool shared = flags & MAP_SHARED_;
    if (want_write && shared && !writable) return err(EACCES_);
    if (sys::wants_exec_image(flags) && offset == 0 && size >= st.size) {
        // A shared writable mapping holds bytes the file does not have yet.
        if (auto m = m_mappings.find(h->ino); m != m_mappings.end() && m->second.shared_write) return err(EBUSY_);
        uint32_t ino = h->ino;
        return m_exec_images.get(ino, st.size, st.mtime.sec * 1000000000ull + st.mtime.nsec, h->path,
                                 [&](int fd, uint64_t len) -> Result<void> {
            std::vector<uint8_t> chunk(1 << 20);
            for (uint64_t off = 0; off < len;) {
                size_t want = size_t(std::min<uint64_t>(chunk.size(), len - off));
                size_t n = TRY(m_fs->read(ino, off, std::span<uint8_t>(chunk.data(), want)));
                if (n == 0) return err(EIO_);
                if (pwrite(fd, chunk.data(), n, off_t(off)) != ssize_t(n)) return err(EIO_);
                off += n;
            }
            return {};
        });
    }
    auto it = m_mappings.find(h->ino);
    if (it == m_mappings.end()) {
        int fd = memfd_create("redoxfs-fmap", MFD_CLOEXEC);
        if (fd < 0) return err(ENOMEM_);
        Mapping m{fd, false};
        if (::ftruncate(fd, off_t(st.size)) != 0) { ::close(fd); return err(ENOMEM_); }
        std::vector<uint8_t> chunk(1 << 20);
        for (uint64_t off = 0; off < st.size;) {
            size_t n = TRY(m_fs->read(h->ino, off, chunk));
            if (n == 0) break;
            if (pwrite(fd, chunk.data(), n, off_t(off)) != ssize_t(n)) { ::close(fd); return err(EIO_); }
            off += n;
        }
        it = m_mappings.emplace(h->ino, m).first;
    }
    // The mapping may reach past the end of the file (the caller sees zeros there).
    if (offset + size > st.size) {
        off_t cur = lseek(it->second.memfd, 0, SEEK_END);
        if (cur >= 0 && uint64_t(cur) < offset + size && ::ftruncate(it->second.memfd, off_t(offset + size)) != 0)
            return err(ENOMEM_);
    }
    if (want_write && shared) it->second.shared_write = true;
    return it->second.memfd;
}

// Copies the bytes of a shared writable mapping into the file (up to its size).
Result<void> FileScheme::write_back(uint32_t ino) {
    auto it = m_mappings.find(ino);
    if (it == m_mappings.end() || !it->second.shared_write) return {};
    auto st = TRY(m_fs->stat(ino));
    std::vector<uint8_t> chunk(1 << 20), cur(1 << 20);
    for (uint64_t off = 0; off < st.size;) {
        size_t want = size_t(std::min<uint64_t>(chunk.size(), st.size - off));
        ssize_t n = pread(it->second.memfd, chunk.data(), want, off_t(off));
        if (n <= 0) return err(EIO_);
        size_t have = TRY(m_fs->read(ino, off, std::span<uint8_t>(cur.data(), size_t(n))));
        if (have != size_t(n) || std::memcmp(cur.data(), chunk.data(), size_t(n)) != 0) {
            m_exec_images.forget(ino);
            TRY(changed(m_fs->write(ino, off, std::span<const uint8_t>(chunk.data(), size_t(n)))));
        }
        off += uint64_t(n);
    }
    return {};
}

void FileScheme::on_close(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return;
    uint32_t ino = it->second.ino;
    m_handles.erase(it);
    if (--m_open_count[ino] == 0) {
        m_open_count.erase(ino);
        if (auto m = m_mappings.find(ino); m != m_mappings.end()) {
            (void)write_back(ino);
            ::close(m->second.memfd);
            m_mappings.erase(m);
        }
    }
    // The last close of a node unlinked while open destroys it.
    (void)changed(m_fs->on_close(ino));
}


Result<size_t> FileScheme::call(uint64_t id, std::span<uint8_t> payload, std::span<const uint64_t>,
                                const CallerCtx& ctx) {
    TRY(handle(id));
    if (ctx.uid != 0) return err(EPERM_);
    std::string text(reinterpret_cast<const char*>(payload.data()), payload.size());
    text = text.substr(0, text.find('\0'));
    std::vector<std::string> w;
    for (size_t i = 0; i < text.size();) {
        size_t j = text.find(' ', i);
        if (j == std::string::npos) j = text.size();
        if (j > i) w.push_back(text.substr(i, j - i));
        i = j + 1;
    }
    if (w.size() < 2 || w[0] != "snapshot") return err(EINVAL_, "expected snapshot create|delete|list");
    if (w[1] == "list" && w.size() == 2) {
        std::string out;
        for (auto& s : TRY(m_fs->snapshots())) out += s.name + "\n";
        size_t n = std::min(out.size(), payload.size());
        std::memcpy(payload.data(), out.data(), n);
        if (n < payload.size()) payload[n] = 0;
        return n;
    }
    if (w.size() != 3) return err(EINVAL_, "expected snapshot create|delete NAME");
    if (w[1] == "create") TRY(m_fs->snapshot_create(w[2]));
    else if (w[1] == "delete") TRY(m_fs->snapshot_delete(w[2]));
    else return err(EINVAL_, "expected snapshot create|delete|list");
    if (m_set_durable) TRY(commit(true));
    return 0;
}

} // namespace redox::rfsd
