#include "daemons/ramfs/RamScheme.h"

#include <cstring>
#include <unistd.h>

namespace redox::daemon {

Result<RamScheme::Handle*> RamScheme::handle(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return &it->second;
}

Result<OpenResult> RamScheme::open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& c) {
    bool nofollow = flags & O_NOFOLLOW_;
    auto l = TRY(m_fs.lookup(path, c, nofollow));
    Inode* n = l.node;
    uint64_t acc = flags & O_ACCMODE_;
    bool want_read = acc == O_RDONLY_ || acc == O_RDWR_;
    bool want_write = acc == O_WRONLY_ || acc == O_RDWR_;
    if (!n) {
        if (!(flags & O_CREAT_) || !l.parent) return err(ENOENT_);
        uint16_t type = (flags & O_DIRECTORY_) ? MODE_DIR : (flags & O_SYMLINK_) ? MODE_SYMLINK : MODE_FILE;
        uint16_t perm = type == MODE_SYMLINK ? 0777 : (mode & MODE_PERM);
        n = TRY(m_fs.create(*l.parent, l.name, uint16_t(type | perm), c));
    } else {
        if ((flags & O_CREAT_) && (flags & O_EXCL_)) return err(EEXIST_);
        if (n->is_link() && !(flags & O_SYMLINK_) && !(flags & O_STAT_)) return err(ELOOP_);
        if (!(flags & O_STAT_)) {
            if (want_read && !m_fs.may(*n, c, MAY_READ)) return err(EACCES_);
            if (want_write && !m_fs.may(*n, c, MAY_WRITE)) return err(EACCES_);
        }
        if ((flags & O_DIRECTORY_) && !n->is_dir()) return err(ENOTDIR_);
        if (n->is_dir() && want_write && !(flags & O_STAT_)) return err(EISDIR_);
        if ((flags & O_TRUNC_) && !n->is_dir() && want_write) TRY(m_fs.resize(*n, 0));
    }
    uint64_t id = m_next++;
    m_handles[id] = Handle{n->ino, flags, l.path};
    m_open_count[n->ino]++;
    return OpenResult{id, NEWFD_POSITIONED};
}

Result<size_t> RamScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    Inode* n = m_fs.get(h->ino);
    if (n->is_dir()) return err(EISDIR_);
    if (offset == ~0ull) offset = 0;
    if (offset >= n->data.size()) return 0;
    size_t len = std::min<size_t>(buf.size(), n->data.size() - offset);
    std::memcpy(buf.data(), n->data.data() + offset, len);
    return len;
}

Result<size_t> RamScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    Inode* n = m_fs.get(h->ino);
    if (n->is_dir()) return err(EISDIR_);
    if (offset == ~0ull || (fd_flags & O_APPEND_)) offset = n->data.size();
    TRY(m_fs.write(*n, offset, buf));
    return buf.size();
}

Result<uint64_t> RamScheme::fsize(uint64_t id) {
    Handle* h = TRY(handle(id));
    return m_fs.get(h->ino)->data.size();
}

Result<void> RamScheme::fchmod(uint64_t id, uint16_t mode, const CallerCtx& c) {
    Handle* h = TRY(handle(id));
    Inode* n = m_fs.get(h->ino);
    if (c.uid != 0 && c.uid != n->uid) return err(EPERM_);
    n->mode = uint16_t((n->mode & MODE_TYPE) | (mode & MODE_PERM));
    n->ctime = now_timespec();
    return {};
}

Result<void> RamScheme::fchown(uint64_t id, uint32_t uid, uint32_t gid, const CallerCtx& c) {
    Handle* h = TRY(handle(id));
    Inode* n = m_fs.get(h->ino);
    if (c.uid != 0 && !(uid == n->uid && c.uid == n->uid && gid == c.gid)) return err(EPERM_);
    n->uid = uid;
    n->gid = gid;
    n->ctime = now_timespec();
    return {};
}

Result<size_t> RamScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    Handle* h = TRY(handle(id));
    return put_path(buf, "/scheme/" + m_name + "/" + h->path);
}

Result<void> RamScheme::frename(uint64_t id, std::string_view path, const CallerCtx& c) {
    Handle* h = TRY(handle(id));
    auto from = TRY(m_fs.lookup(h->path, c, true));
    auto to = TRY(m_fs.lookup(path, c, true));
    if (!from.node || !from.parent || !to.parent) return err(ENOENT_);
    TRY(m_fs.rename(*from.parent, from.name, *to.parent, to.name, c));
    h->path = to.path;
    return {};
}

Result<void> RamScheme::flink(uint64_t id, std::string_view path, const CallerCtx& c) {
    Handle* h = TRY(handle(id));
    auto to = TRY(m_fs.lookup(path, c, true));
    if (to.node) return err(EEXIST_);
    if (!to.parent) return err(ENOENT_);
    if (!m_fs.may(*to.parent, c, MAY_WRITE | MAY_EXEC)) return err(EACCES_);
    return m_fs.link(*to.parent, to.name, *m_fs.get(h->ino));
}

Result<void> RamScheme::fstat(uint64_t id, Stat& st) {
    Handle* h = TRY(handle(id));
    Inode* n = m_fs.get(h->ino);
    st.st_dev = 1;
    st.st_ino = n->ino;
    st.st_mode = n->mode;
    st.st_nlink = n->nlink;
    st.st_uid = n->uid;
    st.st_gid = n->gid;
    st.st_size = n->is_dir() ? n->children.size() : n->data.size();
    st.st_blksize = 4096;
    st.st_blocks = (n->data.size() + 511) / 512;
    st.mtime = uint64_t(n->mtime.tv_sec); st.mtime_nsec = uint32_t(n->mtime.tv_nsec);
    st.atime = uint64_t(n->atime.tv_sec); st.atime_nsec = uint32_t(n->atime.tv_nsec);
    st.ctime = uint64_t(n->ctime.tv_sec); st.ctime_nsec = uint32_t(n->ctime.tv_nsec);
    return {};
}

Result<void> RamScheme::fstatvfs(uint64_t, StatVfs& st) {
    st.f_bsize = 4096;
    st.f_blocks = m_fs.capacity() / 4096;
    st.f_bfree = (m_fs.capacity() - m_fs.used()) / 4096;
    st.f_bavail = st.f_bfree;
    return {};
}

Result<void> RamScheme::ftruncate(uint64_t id, uint64_t len, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    Inode* n = m_fs.get(h->ino);
    if (n->is_dir()) return err(EISDIR_);
    if ((h->flags & O_ACCMODE_) == O_RDONLY_) return err(EBADF_);
    return m_fs.resize(*n, len);
}

Result<void> RamScheme::futimens(uint64_t id, std::span<const TimeSpec> times, const CallerCtx& c) {
    Handle* h = TRY(handle(id));
    Inode* n = m_fs.get(h->ino);
    if (c.uid != 0 && c.uid != n->uid) return err(EPERM_);
    if (times.size() >= 1) n->atime = times[0];
    if (times.size() >= 2) n->mtime = times[1];
    return {};
}

Result<size_t> RamScheme::getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) {
    Handle* h = TRY(handle(id));
    Inode* n = m_fs.get(h->ino);
    if (!n->is_dir()) return err(ENOTDIR_);
    DirentWriter w(buf);
    uint64_t index = 0;
    for (auto& [name, ino] : n->children) {
        if (index++ < opaque) continue;
        Inode* c = m_fs.get(ino);
        uint8_t kind = c->is_dir() ? DT_DIR_ : c->is_link() ? DT_LNK_ : DT_REG_;
        if (!w.add(ino, index, kind, name)) break;
    }
    return w.used();
}

Result<void> RamScheme::unlink(std::string_view path, uint64_t flags, const CallerCtx& c) {
    auto l = TRY(m_fs.lookup(path, c, true));
    if (!l.node) return err(ENOENT_);
    if (!l.parent || l.node->ino == 1) return err(EBUSY_);
    uint64_t ino = l.node->ino;
    TRY(m_fs.unlink(*l.parent, l.name, flags & AT_REMOVEDIR_, c));
    m_exec_images.forget(ino);
    if (!m_open_count.count(ino)) m_fs.release(ino);
    return {};
}

Result<int> RamScheme::mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t flags, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    Inode* n = m_fs.get(h->ino);
    if ((h->flags & O_STAT_) || n->is_dir() || n->is_link()) return err(EBADF_);
    if (!sys::wants_exec_image(flags) || offset != 0 || size < n->data.size()) return err(ENODEV_);
    return m_exec_images.get(n->ino, n->data.size(), n->version, h->path, [n](int fd, uint64_t len) -> Result<void> {
        for (uint64_t off = 0; off < len;) {
            ssize_t w = pwrite(fd, n->data.data() + off, size_t(len - off), off_t(off));
            if (w <= 0) return err(EIO_);
            off += uint64_t(w);
        }
        return {};
    });
}

void RamScheme::on_close(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return;
    uint64_t ino = it->second.ino;
    m_handles.erase(it);
    if (--m_open_count[ino] == 0) {
        m_open_count.erase(ino);
        m_fs.release(ino);
    }
}

} // namespace redox::daemon
