// disk.<name>: the disks of one storage controller (nvmed, ahcid) and their GPT
// partitions, as Redox's disk schemes name them.
//
//   ""      directory: one entry per disk ("0", "1", ... in controller order: NVMe
//           namespaces, AHCI ports with a disk) and per partition ("0p0", "0p1",
//           ... by GPT entry slot)
//   N, NpM  the disk or partition: positioned read/write at any byte offset (whole
//           blocks go straight to the device; a partial block is read, patched and
//           written back), fsync = the device's flush, fstat/fsize = its size
//
// Who may open: uid 0. Cost: the driver's bounce buffer plus one copy. Unshared fds
// get direct channels (schemes/direct.h); the reads a client batches there reach
// the device together (BlockDevice::read_many: NVMe queues them, AHCI issues
// them in a wave of command slots). A device fault
// fails the request with EIO; the first one is logged as one line.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "block/block_device.h"
#include "schemes/server.h"

namespace redox::disk {

class DiskScheme final : public SchemeServer {
public:
    // `who` prefixes log lines ("nvmed disk.pci-00-03.0"); before_request runs before
    // every device access (fault plans of device models).
    DiskScheme(std::string who, std::string scheme_name, std::vector<block::BlockDevice*> disks,
               std::function<void()> before_request = {});

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<uint64_t> fsize(uint64_t id) override;
    Result<void> fsync(uint64_t id) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    void on_close(uint64_t id) override { m_handles.erase(id); }
    // Reads and writes are positioned and answered synchronously: an unshared fd
    // may get a direct channel (a private ring to this daemon, no kernel-sim hop).
    bool direct_io() const override { return true; }
    // A client's batch of reads goes to the device together.
    bool overlaps_reads() const override { return true; }
    void read_many(std::span<ReadRequest> reads, const CallerCtx& ctx) override;

    // "0", "0p1", ...: what the directory lists.
    std::vector<std::string> names() const;

private:
    struct Entry {
        std::string name;
        block::BlockDevice* dev;
    };
    Result<Entry*> entry(uint64_t id);
    // Maps a device error to EIO (logged once); misuse errors pass through.
    Error fault(const Error& e);

    std::string m_who, m_scheme;
    std::vector<std::unique_ptr<block::BlockDevice>> m_partitions;
    std::vector<Entry> m_entries;
    std::function<void()> m_before;
    std::map<uint64_t, size_t> m_handles;  // id -> entry index, SIZE_MAX for the directory
    uint64_t m_next = 1;
    bool m_logged = false;
};

} // namespace redox::disk
