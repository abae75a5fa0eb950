#include "redoxfs/daemon/ImageDisk.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace redox::rfsd {

Result<std::unique_ptr<PrivateImageDisk>> PrivateImageDisk::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return err(errno, path);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        ::close(fd);
        return err(EINVAL, path + ": not a regular, non-empty image file");
    }
    uint64_t size = uint64_t(st.st_size);
    void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
    int e = errno;
    ::close(fd);
    if (base == MAP_FAILED) return err(e, path + ": cannot map the image");
    return std::unique_ptr<PrivateImageDisk>(new PrivateImageDisk(static_cast<uint8_t*>(base), size));
}

PrivateImageDisk::~PrivateImageDisk() { munmap(m_base, m_size); }

Result<void> PrivateImageDisk::read(uint64_t offset, std::span<uint8_t> buf) {
    if (offset > m_size || buf.size() > m_size - offset) return err(EIO, "read past the end of the image");
    std::memcpy(buf.data(), m_base + offset, buf.size());
    return {};
}

Result<void> PrivateImageDisk::write(uint64_t offset, std::span<const uint8_t> buf) {
    if (offset > m_size || buf.size() > m_size - offset) return err(ENOSPC, "write past the end of the image");
    std::memcpy(m_base + offset, buf.data(), buf.size());
    return {};
}

Result<std::unique_ptr<SharedImageDisk>> SharedImageDisk::open(const std::string& path) {
    int lock = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (lock < 0) return err(errno, path);
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        ::close(lock);
        if (e == EWOULDBLOCK) return err(EBUSY, path + ": the image is in use (another boot or redoxfs serves it)");
        return err(e, path);
    }
    auto f = redoxfs::FileDisk::open(path, true);
    if (!f) {
        ::close(lock);
        return std::unexpected(f.error());
    }
    return std::unique_ptr<SharedImageDisk>(new SharedImageDisk(std::move(*f), lock));
}

SharedImageDisk::~SharedImageDisk() { ::close(m_lock_fd); }

} // namespace redox::rfsd
