// The disks the redoxfs daemon serves from.
//
// PrivateImageDisk maps an image MAP_PRIVATE: reads come straight from the host's
// page cache, every write lands in a page private to this process (the kernel copies
// it on first write), so the image file stays byte-for-byte untouched. `redox-sim
// boot` runs on such a copy of its cached root image: nothing is copied at boot, and
// what a boot writes is gone when it ends.
//
// SharedImageDisk reads and writes the image through io_uring. Writes are queued
// without waiting (a commit's blocks go out as one batch) and complete before any
// read, before flush() returns and when the queue is full, so the commit order
// (blocks, then the header) holds. flush() reaches the host's storage (fdatasync)
// only while durable flushes are switched on, which the daemon does for fsync: every
// operation is still committed to the image file (a later boot or `redox-sim fs ls`
// sees it, even if the sim is killed), but only fsync waits for the host's disk.
#pragma once

#include "redoxfs/disk.h"

#include <liburing.h>

#include <memory>
#include <string>
#include <vector>

namespace redox::rfsd {

class PrivateImageDisk final : public redoxfs::Disk {
public:
    static Result<std::unique_ptr<PrivateImageDisk>> open(const std::string& path);
    ~PrivateImageDisk() override;
    Result<void> read(uint64_t offset, std::span<uint8_t> buf) override;
    Result<void> write(uint64_t offset, std::span<const uint8_t> buf) override;
    Result<void> flush() override { return {}; }
    uint64_t size() const override { return m_size; }

private:
    PrivateImageDisk(uint8_t* base, uint64_t size) : m_base(base), m_size(size) {}
    uint8_t* m_base;
    uint64_t m_size;
};

class SharedImageDisk final : public redoxfs::Disk {
public:
    // Fails with EBUSY when another process holds the image (another boot on it).
    static Result<std::unique_ptr<SharedImageDisk>> open(const std::string& path);
    ~SharedImageDisk() override;
    Result<void> read(uint64_t offset, std::span<uint8_t> buf) override;
    Result<void> write(uint64_t offset, std::span<const uint8_t> buf) override;
    Result<void> flush() override;
    uint64_t size() const override { return m_size; }
    void set_durable(bool on) { m_durable = on; }

private:
    SharedImageDisk(int fd, uint64_t size, std::string path) : m_fd(fd), m_size(size), m_path(std::move(path)) {}
    // Waits for every queued write; the first failure is the result.
    Result<void> drain();
    Result<int> submit_one(io_uring_sqe* sqe);

    int m_fd;                      // O_RDWR, holds the image's exclusive flock
    uint64_t m_size;
    std::string m_path;
    io_uring m_ring{};
    bool m_ring_ok = false;
    bool m_durable = false;
    // Writes go out through io_uring without waiting; their bytes live here until
    // they complete. A read, a flush or a full queue waits for them.
    std::vector<std::unique_ptr<std::vector<uint8_t>>> m_inflight;
};

// SchemeImageDisk is an image reached through a sim path (/scheme/host/x.img, a
// disk scheme): plain pread/pwrite calls on the sim fd, fsync for durable flushes.
class SchemeImageDisk final : public redoxfs::Disk {
public:
    static Result<std::unique_ptr<SchemeImageDisk>> open(const std::string& path);
    ~SchemeImageDisk() override;
    Result<void> read(uint64_t offset, std::span<uint8_t> buf) override;
    Result<void> write(uint64_t offset, std::span<const uint8_t> buf) override;
    Result<void> flush() override;
    uint64_t size() const override { return m_size; }
    void set_durable(bool on) { m_durable = on; }

private:
    SchemeImageDisk(int fd, uint64_t size, std::string path) : m_fd(fd), m_size(size), m_path(std::move(path)) {}
    int m_fd;
    uint64_t m_size;
    std::string m_path;
    bool m_durable = false;
};

} // namespace redox::rfsd
