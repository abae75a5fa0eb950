#include "ahci/ahci.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "ahci/ahci_regs.h"

namespace redox::ahci {

using pci::Mmio;

namespace {
using Clock = std::chrono::steady_clock;

template <typename F>
bool poll_until(int timeout_ms, F&& cond) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!cond()) {
        if (Clock::now() > deadline)
            return false;
        ::usleep(50);
    }
    return true;
}

// A host-to-device register FIS for an LBA48 command (count 0 means 65536).
FisRegH2D command_fis(uint8_t command, uint64_t lba, uint32_t sectors) {
    FisRegH2D fis{};
    fis.type = FisTypeH2D;
    fis.flags = 0x80;
    fis.command = command;
    fis.device = 1u << 6;
    fis.lba0 = static_cast<uint8_t>(lba);
    fis.lba1 = static_cast<uint8_t>(lba >> 8);
    fis.lba2 = static_cast<uint8_t>(lba >> 16);
    fis.lba3 = static_cast<uint8_t>(lba >> 24);
    fis.lba4 = static_cast<uint8_t>(lba >> 32);
    fis.lba5 = static_cast<uint8_t>(lba >> 40);
    fis.count = static_cast<uint16_t>(sectors);
    return fis;
}
} // namespace

Result<std::unique_ptr<Ahci>> Ahci::create(pci::PciDevice& dev, Options opts) {
    auto hba = std::unique_ptr<Ahci>(new Ahci(dev, opts));
    TRY(hba->init());
    return hba;
}

Result<void> Ahci::init() {
    pci::PciId id = TRY(m_dev.id());
    if (id.class_code != 0x01 || id.subclass != 0x06)
        return err(ENODEV, "ahci " + m_dev.name() + ": not a SATA controller (class 01:06)");
    TRY(m_dev.enable_bus_master());
    m_regs = TRY(m_dev.map_bar(AbarIndex));
    Mmio<uint32_t> ghc(m_regs, reg::Ghc);
    if (ghc.read() == 0xFFFFFFFF)
        return err(EIO, "ahci " + m_dev.name() + ": device removed (registers read all ones)");
    if (!(m_regs.read<uint32_t>(reg::Cap) & CapS64a))
        return err(ENOTSUP, "ahci " + m_dev.name() + ": HBA cannot address 64-bit DMA");

    ghc.write(GhcAe);
    ghc.write(GhcAe | GhcHr);
    if (!poll_until(1000, [&] { return !(ghc.read() & GhcHr); }))
        return err(EIO, "ahci " + m_dev.name() + ": HBA reset did not complete");
    ghc.write(GhcAe);

    m_irq_mode = m_dev.irq_count(pci::IrqMode::Msi) ? pci::IrqMode::Msi : pci::IrqMode::Intx;
    auto irqs = TRY(m_dev.enable_irqs(m_irq_mode, 1));
    m_irq = std::move(irqs[0]);

    m_pi = m_regs.read<uint32_t>(reg::Pi);
    for (unsigned p = 0; p < 32; ++p) {
        if (!(m_pi & (1u << p)))
            continue;
        TRY(stop_port(p));
        if ((m_regs.read<uint32_t>(port_reg(p, reg::Ssts)) & 0xF) != SstsDetPresent)
            continue; // nothing attached
        auto disk = std::unique_ptr<AhciDisk>(new AhciDisk(*this, p));
        TRY(disk->start());
        if (m_regs.read<uint32_t>(port_reg(p, reg::Sig)) != SigAta) {
            TRY(stop_port(p)); // ATAPI or a port multiplier: not ours
            continue;
        }
        m_disks.push_back(std::move(disk));
    }
    ghc.write(GhcAe | GhcIe);
    for (auto& d : m_disks)
        TRY(d->identify());
    return {};
}

Result<void> Ahci::stop_port(unsigned p) {
    Mmio<uint32_t> cmd(m_regs, port_reg(p, reg::Cmd));
    cmd.writef(CmdSt, false);
    if (!poll_until(500, [&] { return !(cmd.read() & CmdCr); }))
        return err(EIO, fmt::format("ahci {} port {}: command engine did not stop", m_dev.name(), p));
    cmd.writef(CmdFre, false);
    if (!poll_until(500, [&] { return !(cmd.read() & CmdFr); }))
        return err(EIO, fmt::format("ahci {} port {}: FIS receive did not stop", m_dev.name(), p));
    return {};
}

Result<void> Ahci::wait_irq(int timeout_ms) {
    if (TRY(m_irq.wait(timeout_ms))) {
        // Port bits are acknowledged by the waiting disk; here only the HBA summary.
        uint32_t is = m_regs.read<uint32_t>(reg::Is);
        m_regs.write<uint32_t>(reg::Is, is);
        if (m_irq_mode == pci::IrqMode::Intx)
            TRY(m_dev.unmask_intx());
    }
    return {};
}

std::string AhciDisk::where() const { return fmt::format("ahci {} port {}", m_hba.m_dev.name(), m_port); }

Result<void> AhciDisk::start() {
    pci::PciDevice& dev = m_hba.m_dev;
    const auto& regs = m_hba.m_regs;
    m_clb = TRY(dev.alloc_dma(32 * sizeof(CommandHeader)));
    m_fis = TRY(dev.alloc_dma(ReceivedFisSize));
    m_table = TRY(dev.alloc_dma(CommandTableSize));
    m_bounce = TRY(dev.alloc_dma(128 * 1024));
    regs.write<uint32_t>(port_reg(m_port, reg::Clb), static_cast<uint32_t>(m_clb.bus_addr()));
    regs.write<uint32_t>(port_reg(m_port, reg::Clbu), static_cast<uint32_t>(m_clb.bus_addr() >> 32));
    regs.write<uint32_t>(port_reg(m_port, reg::Fb), static_cast<uint32_t>(m_fis.bus_addr()));
    regs.write<uint32_t>(port_reg(m_port, reg::Fbu), static_cast<uint32_t>(m_fis.bus_addr() >> 32));
    regs.write<uint32_t>(port_reg(m_port, reg::Serr), 0xFFFFFFFF);
    regs.write<uint32_t>(port_reg(m_port, reg::PIs), 0xFFFFFFFF);
    Mmio<uint32_t> cmd(regs, port_reg(m_port, reg::Cmd));
    cmd.write(cmd.read() | CmdFre | CmdSud | CmdPod);
    // The signature is only valid once FIS receive runs and the device is idle.
    Mmio<uint32_t> tfd(regs, port_reg(m_port, reg::Tfd));
    if (!poll_until(m_hba.m_opts.timeout_ms, [&] { return !(tfd.read() & (TfdBsy | TfdDrq)); }))
        return err(EIO, where() + ": device stays busy");
    cmd.write(cmd.read() | CmdSt);
    regs.write<uint32_t>(port_reg(m_port, reg::PIe), PisDhrs | PisTfes);
    return {};
}

Result<void> AhciDisk::identify() {
    TRY(run(ata::Identify, 0, 0, 512, false, 1));
    const auto* w = m_bounce.at<const uint16_t>(0);
    auto text = [&](size_t word, size_t nwords) {
        std::string s;
        for (size_t i = 0; i < nwords; ++i) {
            s += static_cast<char>(w[word + i] >> 8);
            s += static_cast<char>(w[word + i] & 0xFF);
        }
        while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
            s.pop_back();
        return s;
    };
    m_id.serial = text(ata::IdSerial, 10);
    m_id.firmware = text(ata::IdFirmware, 4);
    m_id.model = text(ata::IdModel, 20);
    m_id.lba48 = w[ata::IdCmdSet2] & (1u << 10);
    if (m_id.lba48) {
        for (int i = 0; i < 4; ++i)
            m_id.sectors |= uint64_t{w[ata::IdLba48 + i]} << (16 * i);
    } else {
        m_id.sectors = w[ata::IdLba28] | (uint32_t{w[ata::IdLba28 + 1]} << 16);
    }
    if (m_id.sectors == 0)
        return err(EIO, where() + ": IDENTIFY reports no sectors");
    return {};
}

Result<void> AhciDisk::issue(uint8_t command, uint64_t lba, uint32_t sectors, uint64_t bus, size_t bytes, bool write) {
    if (bytes == 0 || bytes > (4u << 20) || bytes % 2)
        return err(EINVAL, where() + ": a PRD covers 2 bytes to 4 MiB, even");
    auto* prd = m_table.at<PrdEntry>(CommandTablePrdt);
    prd[0] = PrdEntry{bus, 0, static_cast<uint32_t>(bytes - 1)};
    return run(command, lba, sectors, bytes, write, 0);
}

// Builds the FIS and (unless prds == 0: caller filled one PRD) the PRDT over the
// bounce buffer in 16 KiB pieces, issues slot 0 and waits for it.
Result<void> AhciDisk::run(uint8_t command, uint64_t lba, uint32_t sectors, size_t bytes, bool write, unsigned prds) {
    if (m_failed)
        return err(EIO, m_failure);
    const auto& regs = m_hba.m_regs;
    *m_table.at<FisRegH2D>(CommandTableCfis) = command_fis(command, lba, sectors);
    if (prds != 0) {
        constexpr size_t Piece = 16 * 1024;
        prds = 0;
        auto* prd = m_table.at<PrdEntry>(CommandTablePrdt);
        for (size_t off = 0; off < bytes; off += Piece, ++prds) {
            size_t n = std::min(Piece, bytes - off);
            prd[prds] = PrdEntry{m_bounce.bus_addr(off), 0, static_cast<uint32_t>(n - 1)};
        }
    } else {
        prds = 1;
    }
    auto* hdr = m_clb.at<CommandHeader>(0);
    *hdr = CommandHeader{};
    hdr->flags = static_cast<uint16_t>(sizeof(FisRegH2D) / 4) | (write ? HeaderWrite : 0);
    hdr->prdtl = static_cast<uint16_t>(prds);
    hdr->ctba = m_table.bus_addr();
    std::atomic_thread_fence(std::memory_order_release);

    if (TRY(issue_slots(1, fmt::format("ATA command {:#04x}", command))))
        return {};
    uint32_t tfd = regs.read<uint32_t>(port_reg(m_port, reg::Tfd));
    uint8_t ata_err = static_cast<uint8_t>(tfd >> 8);
    const char* why = (ata_err & ata::ErrIdnf) ? "sector not found" : "command aborted";
    return err(EIO, fmt::format("{}: ATA command {:#04x} at LBA {} failed: {} (error {:#04x})", where(), command,
                                lba, why, ata_err));
}

Result<bool> AhciDisk::issue_slots(uint32_t mask, const std::string& what) {
    const auto& regs = m_hba.m_regs;
    Mmio<uint32_t> ci(regs, port_reg(m_port, reg::Ci));
    Mmio<uint32_t> pis(regs, port_reg(m_port, reg::PIs));
    ci.write(mask);
    auto deadline = Clock::now() + std::chrono::milliseconds(m_hba.m_opts.timeout_ms);
    for (;;) {
        uint32_t c = ci.read();
        if (c == 0xFFFFFFFF) {
            m_failed = true;
            m_failure = where() + ": device removed (registers read all ones)";
            return err(EIO, m_failure);
        }
        uint32_t is = pis.read();
        if (is & PisTfes) {
            pis.write(is);
            return false;
        }
        if (!(c & mask)) {
            pis.write(is);
            return true;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            m_failed = true;
            m_failure = fmt::format("{}: {} timed out after {} ms", where(), what, m_hba.m_opts.timeout_ms);
            return err(EIO, m_failure);
        }
        TRY(m_hba.wait_irq(static_cast<int>(std::min<long>(left, 50))));
    }
}

namespace {
// Command tables sit on 128-byte boundaries.
constexpr size_t TableStride = (CommandTableSize + 127) & ~size_t{127};
constexpr size_t Piece = 16 * 1024;  // bytes per PRD, as run() uses
} // namespace

void AhciDisk::read_many(std::span<block::BlockRead> reads) {
    std::vector<block::BlockRead*> fits;
    for (auto& r : reads) {
        if (auto ok = check_range(r.lba, r.buf.size(), "ahci read"); !ok)
            r.result = std::unexpected(ok.error());
        else if (r.buf.empty() || r.buf.size() > kBatchChunk || reads.size() < 2 || m_failed)
            r.result = read(r.lba, r.buf);
        else
            fits.push_back(&r);
    }
    if (fits.empty())
        return;
    if (!m_wave_tables.valid()) {
        auto tables = m_hba.m_dev.alloc_dma(kBatchSlots * TableStride);
        Result<pci::DmaBuffer> bounce = err(ENOMEM, "no command tables");
        if (tables)
            bounce = m_hba.m_dev.alloc_dma(kBatchSlots * kBatchChunk);
        if (!tables || !bounce) {
            for (auto* r : fits) r->result = read(r->lba, r->buf);
            return;
        }
        m_wave_tables = std::move(*tables);
        m_wave_bounce = std::move(*bounce);
    }
    for (size_t at = 0; at < fits.size(); at += kBatchSlots) {
        std::span<block::BlockRead* const> wave(fits.data() + at, std::min(kBatchSlots, fits.size() - at));
        auto ran = run_wave(wave);
        if (!ran) {  // the device is gone or hung: nothing more will work
            for (size_t i = at; i < fits.size(); ++i) fits[i]->result = std::unexpected(ran.error());
            return;
        }
        if (!*ran) {  // some command failed: each read again on its own, for its own answer
            for (auto* r : wave) r->result = read(r->lba, r->buf);
            continue;
        }
        for (size_t i = 0; i < wave.size(); ++i) {
            std::memcpy(wave[i]->buf.data(), m_wave_bounce.data() + i * kBatchChunk, wave[i]->buf.size());
            wave[i]->result = {};
        }
    }
}

Result<bool> AhciDisk::run_wave(std::span<block::BlockRead* const> wave) {
    if (m_failed)
        return err(EIO, m_failure);
    uint32_t mask = 0;
    for (size_t slot = 0; slot < wave.size(); ++slot) {
        const block::BlockRead& r = *wave[slot];
        std::byte* table = m_wave_tables.data() + slot * TableStride;
        *reinterpret_cast<FisRegH2D*>(table + CommandTableCfis) =
            command_fis(ata::ReadDmaExt, r.lba, static_cast<uint32_t>(r.buf.size() / 512));
        auto* prd = reinterpret_cast<PrdEntry*>(table + CommandTablePrdt);
        unsigned prds = 0;
        for (size_t off = 0; off < r.buf.size(); off += Piece, ++prds) {
            size_t n = std::min(Piece, r.buf.size() - off);
            prd[prds] = PrdEntry{m_wave_bounce.bus_addr(slot * kBatchChunk + off), 0, static_cast<uint32_t>(n - 1)};
        }
        auto* hdr = m_clb.at<CommandHeader>(slot * sizeof(CommandHeader));
        *hdr = CommandHeader{};
        hdr->flags = static_cast<uint16_t>(sizeof(FisRegH2D) / 4);
        hdr->prdtl = static_cast<uint16_t>(prds);
        hdr->ctba = m_wave_tables.bus_addr(slot * TableStride);
        mask |= 1u << slot;
    }
    std::atomic_thread_fence(std::memory_order_release);
    // A command of the wave failed: which one, the caller learns by reading
    // each again (as run() does, no port recovery is tried).
    if (!TRY(issue_slots(mask, fmt::format("a wave of {} reads", wave.size()))))
        return false;
    // Every command moved all its bytes (PRDBC), or the wave is done again singly.
    for (size_t slot = 0; slot < wave.size(); ++slot)
        if (m_clb.at<CommandHeader>(slot * sizeof(CommandHeader))->prdbc != wave[slot]->buf.size())
            return false;
    return true;
}

Result<void> AhciDisk::read(uint64_t lba, std::span<std::byte> buf) {
    TRY(check_range(lba, buf.size(), "ahci read"));
    for (size_t off = 0; off < buf.size(); off += m_bounce.size()) {
        size_t n = std::min(m_bounce.size(), buf.size() - off);
        TRY(run(ata::ReadDmaExt, lba + off / 512, static_cast<uint32_t>(n / 512), n, false, 1));
        std::memcpy(buf.data() + off, m_bounce.data(), n);
    }
    return {};
}

Result<void> AhciDisk::write(uint64_t lba, std::span<const std::byte> buf) {
    TRY(check_range(lba, buf.size(), "ahci write"));
    for (size_t off = 0; off < buf.size(); off += m_bounce.size()) {
        size_t n = std::min(m_bounce.size(), buf.size() - off);
        std::memcpy(m_bounce.data(), buf.data() + off, n);
        TRY(run(ata::WriteDmaExt, lba + off / 512, static_cast<uint32_t>(n / 512), n, true, 1));
    }
    return {};
}

Result<void> AhciDisk::flush() { return run(ata::FlushCacheExt, 0, 0, 0, false, 1); }

} // namespace redox::ahci
