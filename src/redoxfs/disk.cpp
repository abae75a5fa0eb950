#include "redoxfs/disk.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace redox::redoxfs {

Result<std::unique_ptr<FileDisk>> FileDisk::open(const std::string& path, bool writable) {
    int fd = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return err(errno, path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        return err(e, path);
    }
    uint64_t size = uint64_t(st.st_size);
    if (S_ISBLK(st.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, &size) != 0) size = 0;
    }
    return std::unique_ptr<FileDisk>(new FileDisk(fd, size, path));
}

Result<std::unique_ptr<FileDisk>> FileDisk::create(const std::string& path, uint64_t size) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return err(errno, path);
    if (ftruncate(fd, off_t(size)) != 0) {
        int e = errno;
        ::close(fd);
        return err(e, path);
    }
    return std::unique_ptr<FileDisk>(new FileDisk(fd, size, path));
}

FileDisk::~FileDisk() {
    if (m_fd >= 0) ::close(m_fd);
}

Result<void> FileDisk::read(uint64_t offset, std::span<uint8_t> buf) {
    if (offset > m_size || buf.size() > m_size - offset) return err(EIO, m_path + ": read past end of image");
    size_t done = 0;
    while (done < buf.size()) {
        ssize_t n = pread(m_fd, buf.data() + done, buf.size() - done, off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return err(errno, m_path);
        }
        if (n == 0) return err(EIO, m_path + ": short read");
        done += size_t(n);
    }
    return {};
}

Result<void> FileDisk::write(uint64_t offset, std::span<const uint8_t> buf) {
    if (offset > m_size || buf.size() > m_size - offset) return err(ENOSPC, m_path + ": write past end of image");
    size_t done = 0;
    while (done < buf.size()) {
        ssize_t n = pwrite(m_fd, buf.data() + done, buf.size() - done, off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return err(errno, m_path);
        }
        done += size_t(n);
    }
    return {};
}

Result<void> FileDisk::flush() {
    if (fdatasync(m_fd) != 0 && errno != EINVAL && errno != EROFS) return err(errno, m_path);
    return {};
}

Result<void> FileDisk::truncate(uint64_t size) {
    if (ftruncate(m_fd, off_t(size)) != 0) return err(errno, m_path);
    m_size = size;
    return {};
}

Result<void> MemoryDisk::read(uint64_t offset, std::span<uint8_t> buf) {
    if (offset > m_data.size() || buf.size() > m_data.size() - offset) return err(EIO, "memory disk: read past end");
    std::memcpy(buf.data(), m_data.data() + offset, buf.size());
    return {};
}

Result<void> MemoryDisk::write(uint64_t offset, std::span<const uint8_t> buf) {
    if (offset > m_data.size() || buf.size() > m_data.size() - offset) return err(ENOSPC, "memory disk: write past end");
    std::memcpy(m_data.data() + offset, buf.data(), buf.size());
    return {};
}

Result<void> PowerCutDisk::write(uint64_t offset, std::span<const uint8_t> buf) {
    ++m_seen;
    if (m_left == 0) {
        m_cut = true;
        return {};
    }
    --m_left;
    return m_inner.write(offset, buf);
}

} // namespace redox::redoxfs
