#include "daemons/hostfs/HostScheme.h"

#include <algorithm>
#include <cstring>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace redox::daemon {

static int host_errno() { return errno > 0 && errno < 133 ? errno : EIO_; }

static std::string clean(std::string_view p) {
    while (p.starts_with('/')) p.remove_prefix(1);
    while (p.ends_with('/')) p.remove_suffix(1);
    return p.empty() ? std::string(".") : std::string(p);
}

// openat2 with RESOLVE_BENEATH: the kernel refuses any escape from the share.
static int open_beneath(int root, const std::string& path, int flags, mode_t mode) {
    open_how how{};
    how.flags = uint64_t(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH;
    return int(syscall(SYS_openat2, root, path.c_str(), &how, sizeof how));
}

Result<HostScheme::Handle*> HostScheme::handle(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return &it->second;
}

Result<OpenResult> HostScheme::open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx&) {
    std::string rel = clean(path);
    int hf = 0;
    uint64_t acc = flags & O_ACCMODE_;
    hf |= acc == O_WRONLY_ ? O_WRONLY : acc == O_RDWR_ ? O_RDWR : O_RDONLY;
    if (flags & O_STAT_) hf = O_PATH;
    if (flags & O_CREAT_) hf |= O_CREAT;
    if (flags & O_EXCL_) hf |= O_EXCL;
    if (flags & O_TRUNC_) hf |= O_TRUNC;
    if ((flags & O_DIRECTORY_) && (flags & O_CREAT_)) {
        if (mkdirat(m_root, rel.c_str(), mode & 07777) != 0 && !(errno == EEXIST && !(flags & O_EXCL_)))
            return err(host_errno());
        hf = O_RDONLY | O_DIRECTORY;
    } else if (flags & O_DIRECTORY_) {
        hf |= O_DIRECTORY;
    }
    int fd = open_beneath(m_root, rel, hf, mode & 07777);
    if (fd < 0 && errno == EISDIR) fd = open_beneath(m_root, rel, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return err(errno == EXDEV ? EACCES_ : host_errno());
    struct stat st;
    ::fstat(fd, &st);
    uint64_t id = m_next++;
    m_handles[id] = Handle{fd, rel == "." ? "" : rel, S_ISDIR(st.st_mode)};
    return OpenResult{id, NEWFD_POSITIONED};
}

Result<size_t> HostScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    if (h->dir) return err(EISDIR_);
    ssize_t n = pread(h->fd, buf.data(), buf.size(), off_t(offset == ~0ull ? 0 : offset));
    if (n < 0) return err(host_errno());
    return size_t(n);
}

Result<size_t> HostScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    if (offset == ~0ull || (fd_flags & O_APPEND_)) {
        struct stat st;
        ::fstat(h->fd, &st);
        offset = uint64_t(st.st_size);
    }
    ssize_t n = pwrite(h->fd, buf.data(), buf.size(), off_t(offset));
    if (n < 0) return err(host_errno());
    return size_t(n);
}

Result<uint64_t> HostScheme::fsize(uint64_t id) {
    Handle* h = TRY(handle(id));
    struct stat st;
    if (::fstat(h->fd, &st) != 0) return err(host_errno());
    return uint64_t(st.st_size);
}

Result<size_t> HostScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    Handle* h = TRY(handle(id));
    return put_path(buf, "/scheme/host/" + h->path);
}

Result<void> HostScheme::fstat(uint64_t id, Stat& out) {
    Handle* h = TRY(handle(id));
    struct stat st;
    if (::fstat(h->fd, &st) != 0) return err(host_errno());
    out.st_dev = st.st_dev;
    out.st_ino = st.st_ino;
    out.st_mode = uint16_t(st.st_mode);
    out.st_nlink = uint32_t(st.st_nlink);
    out.st_uid = st.st_uid;
    out.st_gid = st.st_gid;
    out.st_size = uint64_t(st.st_size);
    out.st_blksize = uint64_t(st.st_blksize);
    out.st_blocks = uint64_t(st.st_blocks);
    out.mtime = uint64_t(st.st_mtim.tv_sec); out.mtime_nsec = uint32_t(st.st_mtim.tv_nsec);
    out.atime = uint64_t(st.st_atim.tv_sec); out.atime_nsec = uint32_t(st.st_atim.tv_nsec);
    out.ctime = uint64_t(st.st_ctim.tv_sec); out.ctime_nsec = uint32_t(st.st_ctim.tv_nsec);
    return {};
}

Result<void> HostScheme::fsync(uint64_t id) {
    Handle* h = TRY(handle(id));
    if (!h->dir && ::fsync(h->fd) != 0) return err(host_errno());
    return {};
}

Result<void> HostScheme::ftruncate(uint64_t id, uint64_t len, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    if (::ftruncate(h->fd, off_t(len)) != 0) return err(host_errno());
    return {};
}

Result<void> HostScheme::fchmod(uint64_t id, uint16_t mode, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    if (::fchmod(h->fd, mode & 07777) != 0) return err(host_errno());
    return {};
}

Result<size_t> HostScheme::getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) {
    Handle* h = TRY(handle(id));
    if (!h->dir) return err(ENOTDIR_);
    int dfd = open_beneath(m_root, h->path.empty() ? "." : h->path, O_RDONLY | O_DIRECTORY, 0);
    if (dfd < 0) return err(host_errno());
    DIR* d = fdopendir(dfd);
    if (!d) { ::close(dfd); return err(host_errno()); }
    std::vector<std::pair<std::string, uint8_t>> names;
    while (dirent* e = readdir(d)) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        uint8_t kind = e->d_type == DT_DIR ? DT_DIR_ : e->d_type == DT_LNK ? DT_LNK_ : DT_REG_;
        names.emplace_back(e->d_name, kind);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    DirentWriter w(buf);
    for (uint64_t i = opaque; i < names.size(); ++i)
        if (!w.add(i + 1, i + 1, names[i].second, names[i].first)) break;
    return w.used();
}

Result<void> HostScheme::unlink(std::string_view path, uint64_t flags, const CallerCtx&) {
    std::string rel = clean(path);
    if (rel == "." || rel.find("..") != std::string::npos) return err(EACCES_);
    if (unlinkat(m_root, rel.c_str(), (flags & AT_REMOVEDIR_) ? AT_REMOVEDIR : 0) != 0) return err(host_errno());
    return {};
}

Result<void> HostScheme::frename(uint64_t id, std::string_view path, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    std::string to = clean(path);
    if (to.find("..") != std::string::npos) return err(EACCES_);
    if (renameat(m_root, h->path.c_str(), m_root, to.c_str()) != 0) return err(host_errno());
    h->path = to;
    return {};
}

void HostScheme::on_close(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return;
    ::close(it->second.fd);
    m_handles.erase(it);
}

} // namespace redox::daemon
