// Block devices RedoxFS runs on. Offsets and sizes are in bytes; every access the
// file system makes is a whole number of 4 KiB blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "schemes/error.h"

namespace redox::redoxfs {

class Disk {
public:
    virtual ~Disk() = default;
    virtual Result<void> read(uint64_t offset, std::span<uint8_t> buf) = 0;
    virtual Result<void> write(uint64_t offset, std::span<const uint8_t> buf) = 0;
    virtual Result<void> flush() = 0;
    virtual uint64_t size() const = 0;
};

// A regular file or block device, through pread/pwrite and fdatasync.
class FileDisk final : public Disk {
public:
    static Result<std::unique_ptr<FileDisk>> open(const std::string& path, bool writable);
    // Creates (or truncates to) `size` bytes.
    static Result<std::unique_ptr<FileDisk>> create(const std::string& path, uint64_t size);
    ~FileDisk() override;
    Result<void> read(uint64_t offset, std::span<uint8_t> buf) override;
    Result<void> write(uint64_t offset, std::span<const uint8_t> buf) override;
    Result<void> flush() override;
    uint64_t size() const override { return m_size; }
    Result<void> truncate(uint64_t size);

private:
    FileDisk(int fd, uint64_t size, std::string path) : m_fd(fd), m_size(size), m_path(std::move(path)) {}
    int m_fd = -1;
    uint64_t m_size = 0;
    std::string m_path;
};

// A disk in memory (tests, benchmarks).
class MemoryDisk final : public Disk {
public:
    explicit MemoryDisk(uint64_t size) : m_data(size) {}
    explicit MemoryDisk(std::vector<uint8_t> data) : m_data(std::move(data)) {}
    Result<void> read(uint64_t offset, std::span<uint8_t> buf) override;
    Result<void> write(uint64_t offset, std::span<const uint8_t> buf) override;
    Result<void> flush() override { return {}; }
    uint64_t size() const override { return m_data.size(); }
    std::vector<uint8_t>& bytes() { return m_data; }

private:
    std::vector<uint8_t> m_data;
};

// Simulates a power cut: the first `writes_allowed` write calls reach the inner disk,
// every later write is silently dropped (as if the machine stopped), reads still work.
class PowerCutDisk final : public Disk {
public:
    PowerCutDisk(Disk& inner, uint64_t writes_allowed) : m_inner(inner), m_left(writes_allowed) {}
    Result<void> read(uint64_t offset, std::span<uint8_t> buf) override { return m_inner.read(offset, buf); }
    Result<void> write(uint64_t offset, std::span<const uint8_t> buf) override;
    Result<void> flush() override { return {}; }
    uint64_t size() const override { return m_inner.size(); }
    bool cut() const { return m_cut; }
    uint64_t writes_seen() const { return m_seen; }

private:
    Disk& m_inner;
    uint64_t m_left;
    uint64_t m_seen = 0;
    bool m_cut = false;
};

} // namespace redox::redoxfs
