// nvmed's core: one NVMe controller through PciDevice. Admin queue + one I/O queue
// pair, Identify, Read/Write/Flush, MSI-X (falls back to MSI, then INTx).
//
// Two ways to do I/O:
//  - asynchronous, for a daemon's event loop and for deep queues: submit_io() with a
//    tag and a bus address inside one of your DmaBuffers, then poll_io() when
//    irq_fd() is readable (or just in a loop); never blocks;
//  - synchronous, through NvmeNamespace (a block::BlockDevice), which bounces through
//    an internal DMA buffer and waits at most Options::timeout_ms per command.
// After a timeout or a fatal controller status the controller is marked failed and
// every later request fails with EIO: the device may still own the buffers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "block/block_device.h"
#include "nvme/nvme_queue.h"
#include "pci/pci_device.h"

namespace redox::nvme {

struct ControllerInfo {
    uint16_t vendor = 0;
    std::string serial, model, firmware;
    uint32_t namespaces = 0;
    size_t max_transfer = 0; // bytes per command
};

struct NamespaceInfo {
    uint32_t nsid = 0;
    uint64_t blocks = 0;
    uint32_t block_size = 0;
};

class Nvme {
public:
    struct Options {
        int timeout_ms = 2000;
        uint32_t io_queue_entries = 64;
    };
    static Result<std::unique_ptr<Nvme>> create(pci::PciDevice& dev, Options opts);
    static Result<std::unique_ptr<Nvme>> create(pci::PciDevice& dev) { return create(dev, Options{}); }
    ~Nvme();

    const ControllerInfo& controller() const { return m_info; }
    const std::vector<NamespaceInfo>& namespaces() const { return m_namespaces; }
    pci::IrqMode irq_mode() const { return m_irq_mode; }

    // Queues a read or write of `blocks` blocks at `lba` to or from [bus, bus+len)
    // (contiguous bus memory, len = blocks * block size <= max_transfer).
    // EAGAIN when the queue is full: poll_io() first.
    Result<void> submit_io(uint8_t opcode, uint32_t nsid, uint64_t lba, uint32_t blocks, uint64_t bus, uint64_t tag);
    Result<void> submit_flush(uint32_t nsid, uint64_t tag);
    // Makes queued commands visible to the device (submit_io queues without ringing
    // so that a batch costs one doorbell write).
    void kick();
    using CompletionFn = std::function<void(uint64_t tag, Result<void> result)>;
    // Delivers finished commands; returns how many. Never blocks.
    size_t poll_io(const CompletionFn& done);
    size_t in_flight() const { return m_in_flight; }
    // Waits for the I/O interrupt up to timeout_ms; false on timeout.
    Result<bool> wait_io(int timeout_ms);
    int irq_fd() const;
    const NamespaceInfo* find_namespace(uint32_t nsid) const;

    // Synchronous single command through the bounce buffer.
    Result<void> read(uint32_t nsid, uint64_t lba, std::span<std::byte> buf);
    Result<void> write(uint32_t nsid, uint64_t lba, std::span<const std::byte> buf);
    Result<void> flush(uint32_t nsid);
    // Reads that may run at once: up to kDeepSlots commands in flight, each
    // through its own slice of a bounce area, one doorbell per wave. Reads
    // longer than kDeepChunk go one at a time through read().
    static constexpr size_t kDeepSlots = 32, kDeepChunk = 64 * 1024;
    void read_many(uint32_t nsid, std::span<block::BlockRead> reads);

private:
    struct Slot {
        bool busy = false;
        uint64_t tag = 0;
    };
    Nvme(pci::PciDevice& dev, Options opts) : m_dev(dev), m_opts(opts) {}
    Result<void> init();
    Result<void> wait_ready(bool ready);
    Result<void> setup_irqs();
    Result<uint32_t> admin(SubmissionEntry e);
    Result<void> identify();
    Result<void> create_io_queues();
    Result<void> health() const;
    Error failure(std::string what);
    Result<uint16_t> take_slot(uint64_t tag);
    Result<void> sync_io(uint8_t opcode, uint32_t nsid, uint64_t lba, uint32_t blocks);
    Result<void> wait_for_completions(const CompletionFn& done);
    Result<bool> wait_vector(size_t vector, int timeout_ms);

    pci::PciDevice& m_dev;
    Options m_opts;
    pci::RegisterWindow m_regs;
    uint64_t m_cap = 0;
    uint32_t m_dstrd = 0;
    int m_ready_timeout_ms = 0;
    pci::IrqMode m_irq_mode = pci::IrqMode::Intx;
    std::vector<pci::IrqEvent> m_irqs;
    QueuePair m_admin, m_io;
    uint16_t m_admin_cid = 0;
    std::vector<Slot> m_slots;
    std::vector<uint16_t> m_free;
    size_t m_in_flight = 0;
    pci::DmaBuffer m_prp_lists;  // one page per I/O slot
    pci::DmaBuffer m_bounce;
    pci::DmaBuffer m_deep;  // kDeepSlots * kDeepChunk, on first read_many
    pci::DmaBuffer m_identify;
    ControllerInfo m_info;
    std::vector<NamespaceInfo> m_namespaces;
    bool m_failed = false;
    std::string m_failure;
};

// One namespace as a block device (disk.<name>'s handle for it).
class NvmeNamespace final : public block::BlockDevice {
public:
    NvmeNamespace(Nvme& ctrl, NamespaceInfo ns) : m_ctrl(ctrl), m_ns(ns) {}
    uint32_t block_size() const override { return m_ns.block_size; }
    uint64_t block_count() const override { return m_ns.blocks; }
    Result<void> read(uint64_t lba, std::span<std::byte> buf) override;
    Result<void> write(uint64_t lba, std::span<const std::byte> buf) override;
    Result<void> flush() override { return m_ctrl.flush(m_ns.nsid); }
    void read_many(std::span<block::BlockRead> reads) override;

private:
    Nvme& m_ctrl;
    NamespaceInfo m_ns;
};

} // namespace redox::nvme
