#include "daemons/ipcd/ShmScheme.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace redox::ipcd {

// A shared memory object can be as large as this (the sim's RAM is the host's).
static constexpr uint64_t kMaxSize = 1ull << 34;

Result<std::shared_ptr<ShmScheme::Object>> ShmScheme::Object::create(const std::string& name) {
    int fd = memfd_create(("redox-shm-" + name).c_str(), MFD_CLOEXEC);
    if (fd < 0) return err(ENOMEM_, "memfd for shm:" + name);
    return std::shared_ptr<Object>(new Object(fd, name));
}

ShmScheme::Object::~Object() { ::close(m_fd); }

uint64_t ShmScheme::Object::size() const {
    struct stat st;
    return ::fstat(m_fd, &st) == 0 ? uint64_t(st.st_size) : 0;
}

Result<void> ShmScheme::Object::resize(uint64_t len) {
    if (len > kMaxSize) return err(EFBIG_);
    if (::ftruncate(m_fd, off_t(len)) != 0) return err(ENOMEM_);
    return {};
}

Result<std::shared_ptr<ShmScheme::Object>> ShmScheme::object(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return it->second;
}

Result<OpenResult> ShmScheme::open(std::string_view path, uint64_t flags, uint16_t, const CallerCtx&) {
    std::string name(path);
    while (!name.empty() && name.front() == '/') name.erase(0, 1);
    if (name.empty() || name.find('/') != std::string::npos) return err(name.empty() ? EISDIR_ : ENOENT_);
    auto it = m_names.find(name);
    std::shared_ptr<Object> obj;
    if (it != m_names.end()) {
        if ((flags & O_CREAT_) && (flags & O_EXCL_)) return err(EEXIST_);
        obj = it->second;
        if ((flags & O_TRUNC_) && (flags & O_ACCMODE_) != O_RDONLY_) TRY(obj->resize(0));
    } else {
        if (!(flags & O_CREAT_)) return err(ENOENT_);
        obj = TRY(Object::create(name));
        m_names[name] = obj;
    }
    uint64_t id = m_next++;
    m_handles[id] = obj;
    return OpenResult{id, NEWFD_POSITIONED};
}

Result<size_t> ShmScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    auto obj = TRY(object(id));
    if (offset == ~0ull) offset = 0;
    ssize_t n = ::pread(obj->fd(), buf.data(), buf.size(), off_t(offset));
    if (n < 0) return err(EIO_);
    return size_t(n);
}

Result<size_t> ShmScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    auto obj = TRY(object(id));
    if (offset == ~0ull) offset = 0;
    if (offset + buf.size() > kMaxSize) return err(EFBIG_);
    ssize_t n = ::pwrite(obj->fd(), buf.data(), buf.size(), off_t(offset));
    if (n < 0) return err(EIO_);
    return size_t(n);
}

Result<uint64_t> ShmScheme::fsize(uint64_t id) { return TRY(object(id))->size(); }

Result<void> ShmScheme::ftruncate(uint64_t id, uint64_t len, const CallerCtx&) { return TRY(object(id))->resize(len); }

Result<void> ShmScheme::fstat(uint64_t id, Stat& st) {
    auto obj = TRY(object(id));
    st = Stat{};
    st.st_mode = MODE_FILE | 0666;
    st.st_nlink = m_names.count(obj->name()) && m_names[obj->name()] == obj ? 1 : 0;
    st.st_size = obj->size();
    st.st_blksize = 4096;
    st.st_blocks = (st.st_size + 511) / 512;
    return {};
}

Result<size_t> ShmScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    auto obj = TRY(object(id));
    return put_path(buf, "/scheme/shm/" + obj->name());
}

Result<void> ShmScheme::unlink(std::string_view path, uint64_t, const CallerCtx&) {
    std::string name(path);
    while (!name.empty() && name.front() == '/') name.erase(0, 1);
    if (!m_names.erase(name)) return err(ENOENT_);
    return {};
}

Result<int> ShmScheme::mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t, const CallerCtx&) {
    auto obj = TRY(object(id));
    if (size == 0 || offset + size > kMaxSize) return err(EINVAL_);
    if (obj->size() < offset + size) TRY(obj->resize(offset + size));
    return obj->fd();
}

Result<uint32_t> ShmScheme::fevent(uint64_t id, uint32_t flags) {
    TRY(object(id));
    return flags & (EVENT_READ | EVENT_WRITE);
}

void ShmScheme::on_close(uint64_t id) { m_handles.erase(id); }

} // namespace redox::ipcd
