// The disks the redoxfs daemon serves from.
//
// PrivateImageDisk maps an image MAP_PRIVATE: reads come straight from the host's
// page cache, every write lands in a page private to this process (the kernel copies
// it on first write), so the image file stays byte-for-byte untouched. `redox-sim
// boot` runs on such a copy of its cached root image: nothing is copied at boot, and
// what a boot writes is gone when it ends.
//
// SharedImageDisk writes through to the image with pwrite. flush() only reaches the
// host disk (fdatasync) while durable flushes are switched on, which the daemon does
// for fsync: every operation is still committed to the image file (a later boot or
// `redox-sim fs ls` sees it, even if the sim is killed), but only fsync waits for the
// host's storage.
#pragma once

#include "redoxfs/disk.h"

#include <memory>
#include <string>

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
    Result<void> read(uint64_t offset, std::span<uint8_t> buf) override { return m_file->read(offset, buf); }
    Result<void> write(uint64_t offset, std::span<const uint8_t> buf) override { return m_file->write(offset, buf); }
    Result<void> flush() override { return m_durable ? m_file->flush() : Result<void>{}; }
    uint64_t size() const override { return m_file->size(); }
    void set_durable(bool on) { m_durable = on; }

private:
    SharedImageDisk(std::unique_ptr<redoxfs::FileDisk> f, int lock_fd) : m_file(std::move(f)), m_lock_fd(lock_fd) {}
    std::unique_ptr<redoxfs::FileDisk> m_file;
    int m_lock_fd;   // holds the image's exclusive lock while the daemon runs
    bool m_durable = false;
};

} // namespace redox::rfsd
