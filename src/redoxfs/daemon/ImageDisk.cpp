#include "redoxfs/daemon/ImageDisk.h"

#include "schemes/libredox.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace redox::rfsd {

namespace {
constexpr unsigned kQueueDepth = 64;
}

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
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return err(errno, path);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        ::close(fd);
        if (e == EWOULDBLOCK) return err(EBUSY, path + ": the image is in use (another boot or redoxfs serves it)");
        return err(e, path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return err(EINVAL, path + ": not a regular image file");
    }
    auto disk = std::unique_ptr<SharedImageDisk>(new SharedImageDisk(fd, uint64_t(st.st_size), path));
    if (int r = io_uring_queue_init(kQueueDepth, &disk->m_ring, 0); r < 0) return err(-r, path + ": io_uring");
    disk->m_ring_ok = true;
    return disk;
}

SharedImageDisk::~SharedImageDisk() {
    (void)drain();
    if (m_ring_ok) io_uring_queue_exit(&m_ring);
    ::close(m_fd);
}

Result<int> SharedImageDisk::submit_one(io_uring_sqe* sqe) {
    io_uring_sqe_set_data64(sqe, 0);
    if (int r = io_uring_submit_and_wait(&m_ring, 1); r < 0) return err(-r, m_path);
    // Completions of queued writes may come first; any failure among them counts.
    Result<void> writes{};
    for (;;) {
        io_uring_cqe* cqe = nullptr;
        if (int r = io_uring_wait_cqe(&m_ring, &cqe); r < 0) {
            if (r == -EINTR) continue;
            return err(-r, m_path);
        }
        uint64_t tag = io_uring_cqe_get_data64(cqe);
        int res = cqe->res;
        io_uring_cqe_seen(&m_ring, cqe);
        if (tag == 0) {
            if (!writes) return std::unexpected(writes.error());
            return res;
        }
        if (res < 0 && writes) writes = err(-res, m_path + ": write");
    }
}

Result<void> SharedImageDisk::drain() {
    if (m_inflight.empty()) return {};
    Result<void> out{};
    if (int r = io_uring_submit(&m_ring); r < 0) out = err(-r, m_path);
    size_t expected = m_inflight.size();
    for (size_t done = 0; done < expected;) {
        io_uring_cqe* cqe = nullptr;
        if (int r = io_uring_wait_cqe(&m_ring, &cqe); r < 0) {
            if (r == -EINTR) continue;
            out = err(-r, m_path);
            break;
        }
        // A short write of a regular file only happens on a full host disk.
        uint64_t want = io_uring_cqe_get_data64(cqe);
        if (cqe->res < 0 && out) out = err(-cqe->res, m_path + ": write");
        else if (cqe->res >= 0 && uint64_t(cqe->res) != want && out) out = err(ENOSPC, m_path + ": short write");
        io_uring_cqe_seen(&m_ring, cqe);
        ++done;
    }
    m_inflight.clear();
    return out;
}

Result<void> SharedImageDisk::read(uint64_t offset, std::span<uint8_t> buf) {
    if (offset > m_size || buf.size() > m_size - offset) return err(EIO, m_path + ": read past the end of the image");
    TRY(drain());
    for (size_t done = 0; done < buf.size();) {
        io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
        io_uring_prep_read(sqe, m_fd, buf.data() + done, unsigned(buf.size() - done), offset + done);
        int n = TRY(submit_one(sqe));
        if (n < 0) {
            if (n == -EINTR || n == -EAGAIN) continue;
            return err(-n, m_path);
        }
        if (n == 0) return err(EIO, m_path + ": short read");
        done += size_t(n);
    }
    return {};
}

Result<void> SharedImageDisk::write(uint64_t offset, std::span<const uint8_t> buf) {
    if (offset > m_size || buf.size() > m_size - offset) return err(ENOSPC, m_path + ": write past the end of the image");
    if (m_inflight.size() >= kQueueDepth) TRY(drain());
    auto owned = std::make_unique<std::vector<uint8_t>>(buf.begin(), buf.end());
    io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
    io_uring_prep_write(sqe, m_fd, owned->data(), unsigned(owned->size()), offset);
    io_uring_sqe_set_data64(sqe, owned->size());   // nonzero: a queued write of this many bytes
    m_inflight.push_back(std::move(owned));
    return {};
}

Result<void> SharedImageDisk::flush() {
    TRY(drain());
    if (m_durable && fdatasync(m_fd) != 0) return err(errno, m_path);
    return {};
}

Result<std::unique_ptr<SchemeImageDisk>> SchemeImageDisk::open(const std::string& path) {
    int fd = TRY(sys::open(path, O_RDWR_));
    auto st = sys::fstat(fd);
    if (!st || (st->st_mode & MODE_TYPE) == MODE_DIR) {
        (void)sys::close(fd);
        return err(st ? EISDIR : st.error().errnum, path);
    }
    return std::unique_ptr<SchemeImageDisk>(new SchemeImageDisk(fd, st->st_size, path));
}

SchemeImageDisk::~SchemeImageDisk() { (void)sys::close(m_fd); }

Result<void> SchemeImageDisk::read(uint64_t offset, std::span<uint8_t> buf) {
    if (offset > m_size || buf.size() > m_size - offset) return err(EIO, m_path + ": read past the end of the image");
    for (size_t done = 0; done < buf.size();) {
        auto n = sys::pread(m_fd, buf.data() + done, buf.size() - done, offset + done);
        if (!n) return err(n.error().errnum, m_path);
        if (*n == 0) return err(EIO, m_path + ": short read");
        done += *n;
    }
    return {};
}

Result<void> SchemeImageDisk::write(uint64_t offset, std::span<const uint8_t> buf) {
    if (offset > m_size || buf.size() > m_size - offset) return err(ENOSPC, m_path + ": write past the end of the image");
    for (size_t done = 0; done < buf.size();) {
        auto n = sys::pwrite(m_fd, buf.data() + done, buf.size() - done, offset + done);
        if (!n) return err(n.error().errnum, m_path);
        if (*n == 0) return err(ENOSPC, m_path + ": short write");
        done += *n;
    }
    return {};
}

Result<void> SchemeImageDisk::flush() {
    if (m_durable) {
        if (auto r = sys::fsync(m_fd); !r) return err(r.error().errnum, m_path);
    }
    return {};
}

} // namespace redox::rfsd
