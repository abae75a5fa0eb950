// ahcid's core: an AHCI HBA through PciDevice (registers in BAR5). HBA reset, port
// detection (PxSSTS.DET, signature), IDENTIFY, READ/WRITE DMA EXT and FLUSH CACHE
// EXT through command slot 0 with a PRDT over a per-port bounce buffer, MSI (or
// INTx). Each SATA disk found is a block::BlockDevice.
// A command that times out marks its port failed (EIO from then on): the HBA may
// still own the buffers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "block/block_device.h"
#include "pci/pci_device.h"

namespace redox::ahci {

struct AtaIdentity {
    std::string model, serial, firmware;
    uint64_t sectors = 0;
    bool lba48 = false;
};

class Ahci;

class AhciDisk final : public block::BlockDevice {
public:
    unsigned port() const { return m_port; }
    const AtaIdentity& identity() const { return m_id; }
    uint32_t block_size() const override { return 512; }
    uint64_t block_count() const override { return m_id.sectors; }
    Result<void> read(uint64_t lba, std::span<std::byte> buf) override;
    Result<void> write(uint64_t lba, std::span<const std::byte> buf) override;
    Result<void> flush() override;
    // Reads that arrive together go out as one wave of commands in up to
    // kBatchSlots command slots, one PxCI write for the wave (the HBA runs them
    // in turn; no NCQ). A failed wave is retried one read at a time, so each
    // read gets its own answer.
    static constexpr size_t kBatchSlots = 32, kBatchChunk = 64 * 1024;
    void read_many(std::span<block::BlockRead> reads) override;

    // One ATA command with a single PRD at an arbitrary bus address: for daemons
    // doing zero-copy I/O into their own DMA buffers.
    Result<void> issue(uint8_t command, uint64_t lba, uint32_t sectors, uint64_t bus, size_t bytes, bool write);

private:
    friend class Ahci;
    AhciDisk(Ahci& hba, unsigned port) : m_hba(hba), m_port(port) {}
    Result<void> start();
    Result<void> identify();
    Result<void> run(uint8_t command, uint64_t lba, uint32_t sectors, size_t bytes, bool write, unsigned prds);
    // Issues the wave (at most kBatchSlots reads of at most kBatchChunk) and waits;
    // false when the HBA reported an error for some command of it.
    Result<bool> run_wave(std::span<block::BlockRead* const> wave);
    // Writes PxCI and waits until the slots in mask are done (true) or the HBA
    // reports a task file error (false); a removed or silent HBA fails the disk.
    // `what` names the work in the timeout message.
    Result<bool> issue_slots(uint32_t mask, const std::string& what);
    std::string where() const;

    Ahci& m_hba;
    unsigned m_port;
    AtaIdentity m_id;
    pci::DmaBuffer m_clb, m_fis, m_table, m_bounce;
    pci::DmaBuffer m_wave_tables, m_wave_bounce;  // on the first read_many
    bool m_failed = false;
    std::string m_failure;
};

class Ahci {
public:
    struct Options {
        int timeout_ms = 2000;
    };
    static Result<std::unique_ptr<Ahci>> create(pci::PciDevice& dev, Options opts);
    static Result<std::unique_ptr<Ahci>> create(pci::PciDevice& dev) { return create(dev, Options{}); }

    uint32_t ports_implemented() const { return m_pi; }
    const std::vector<std::unique_ptr<AhciDisk>>& disks() const { return m_disks; }
    int irq_fd() const { return m_irq.fd(); }

private:
    friend class AhciDisk;
    Ahci(pci::PciDevice& dev, Options opts) : m_dev(dev), m_opts(opts) {}
    Result<void> init();
    Result<void> stop_port(unsigned port);
    // Waits for the interrupt and acknowledges it at the HBA.
    Result<void> wait_irq(int timeout_ms);

    pci::PciDevice& m_dev;
    Options m_opts;
    pci::RegisterWindow m_regs;
    pci::IrqEvent m_irq;
    pci::IrqMode m_irq_mode = pci::IrqMode::Intx;
    uint32_t m_pi = 0;
    std::vector<std::unique_ptr<AhciDisk>> m_disks;
};

} // namespace redox::ahci
