#include "model/ahci_model.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace redox::pci {

using namespace ahci;

namespace {
constexpr size_t AbarSize = 0x1100;

void put_ata_string(uint16_t* words, const char* s, size_t nwords) {
    // ATA strings are space padded with the two bytes of each word swapped.
    std::vector<char> buf(nwords * 2, ' ');
    std::memcpy(buf.data(), s, std::min(buf.size(), std::strlen(s)));
    for (size_t i = 0; i < nwords; ++i)
        words[i] = static_cast<uint16_t>((uint8_t(buf[2 * i]) << 8) | uint8_t(buf[2 * i + 1]));
}
} // namespace

Result<std::unique_ptr<AhciModel>> AhciModel::create(const std::string& backing_path) {
    int fd = ::open(backing_path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return err(errno, "ahci model backing file " + backing_path);
    UniqueFd backing(fd);
    struct stat st{};
    if (::fstat(fd, &st) != 0 || st.st_size < 512)
        return err(EINVAL, "ahci model backing file " + backing_path + ": smaller than one sector");
    return std::unique_ptr<AhciModel>(new AhciModel(std::move(backing), static_cast<uint64_t>(st.st_size) / 512));
}

AhciModel::AhciModel(UniqueFd backing, uint64_t sectors)
    : ModelDevice("model:ahci", PciId{0x8086, 0x2922, 0x01, 0x06, 0x01, 0x02}),
      m_backing(std::move(backing)), m_sectors(sectors) {
    add_bar(AbarIndex, AbarSize);
    add_msi_capability();
    reset();
}

void AhciModel::reset() {
    m_ghc = GhcAe;
    m_is = 0;
    for (auto& p : m_ports)
        p = Port{};
}

void AhciModel::update_irq() {
    for (unsigned p = 0; p < Ports; ++p)
        if (m_ports[p].is & m_ports[p].ie)
            m_is |= 1u << p;
    if ((m_ghc & GhcIe) && m_is)
        raise_irq(0);
}

uint64_t AhciModel::bar_read(unsigned, uint64_t offset, unsigned size) {
    if (size != 4)
        return ~uint64_t{0};
    auto off = static_cast<uint32_t>(offset);
    switch (off) {
    case reg::Cap: return (Ports - 1) | ((Slots - 1) << 8) | CapS64a | (1u << 30) /* NCQ */;
    case reg::Ghc: return m_ghc;
    case reg::Is: return m_is;
    case reg::Pi: return (1u << Ports) - 1;
    case reg::Vs: return 0x00010301;
    default: break;
    }
    if (off < reg::PortBase || off >= reg::PortBase + Ports * reg::PortStride)
        return 0;
    unsigned pn = (off - reg::PortBase) / reg::PortStride;
    const Port& p = m_ports[pn];
    switch ((off - reg::PortBase) % reg::PortStride) {
    case reg::Clb: return static_cast<uint32_t>(p.clb);
    case reg::Clbu: return static_cast<uint32_t>(p.clb >> 32);
    case reg::Fb: return static_cast<uint32_t>(p.fb);
    case reg::Fbu: return static_cast<uint32_t>(p.fb >> 32);
    case reg::PIs: return p.is;
    case reg::PIe: return p.ie;
    case reg::Cmd: return p.cmd;
    case reg::Tfd: return disk_on(pn) ? p.tfd : 0x7F;
    case reg::Sig: return p.sig;
    case reg::Ssts: return disk_on(pn) ? (SstsDetPresent | (1u << 4) | (1u << 8)) : 0;
    case reg::Serr: return p.serr;
    case reg::Ci: return p.ci;
    default: return 0;
    }
}

void AhciModel::bar_write(unsigned, uint64_t offset, unsigned size, uint64_t value) {
    if (size != 4)
        return;
    auto off = static_cast<uint32_t>(offset);
    auto v = static_cast<uint32_t>(value);
    if (off == reg::Ghc) {
        if (v & GhcHr) {
            reset(); // HR reads back as 0: the reset is already complete
            return;
        }
        m_ghc = (v & GhcIe) | GhcAe;
        update_irq();
        return;
    }
    if (off == reg::Is) {
        m_is &= ~v;
        update_irq();
        return;
    }
    if (off >= reg::PortBase && off < reg::PortBase + Ports * reg::PortStride)
        port_write((off - reg::PortBase) / reg::PortStride, (off - reg::PortBase) % reg::PortStride, v);
}

void AhciModel::port_write(unsigned pn, uint32_t r, uint32_t v) {
    Port& p = m_ports[pn];
    switch (r) {
    case reg::Clb: p.clb = (p.clb & ~0xFFFFFFFFull) | (v & ~0x3FFu); return;
    case reg::Clbu: p.clb = (p.clb & 0xFFFFFFFF) | (uint64_t{v} << 32); return;
    case reg::Fb: p.fb = (p.fb & ~0xFFFFFFFFull) | (v & ~0xFFu); return;
    case reg::Fbu: p.fb = (p.fb & 0xFFFFFFFF) | (uint64_t{v} << 32); return;
    case reg::PIs: p.is &= ~v; if (!p.is) m_is &= ~(1u << pn); return;
    case reg::PIe: p.ie = v; update_irq(); return;
    case reg::Serr: p.serr &= ~v; return;
    case reg::Cmd: {
        uint32_t keep = v & (CmdSt | CmdSud | CmdPod | CmdFre);
        // FR and CR follow FRE and ST at once (the engines start instantly here).
        p.cmd = keep | ((keep & CmdFre) ? CmdFr : 0) | ((keep & CmdSt) ? CmdCr : 0);
        if ((keep & CmdFre) && disk_on(pn))
            p.sig = SigAta;
        if (!(keep & CmdSt))
            p.ci = 0;
        return;
    }
    case reg::Ci:
        if (!(p.cmd & CmdSt))
            return;
        p.ci |= v;
        run_commands(pn);
        return;
    default: return;
    }
}

void AhciModel::run_commands(unsigned pn) {
    Port& p = m_ports[pn];
    if (m_stalled || !disk_on(pn))
        return;
    for (uint32_t slot = 0; slot < Slots; ++slot) {
        if (!(p.ci & (1u << slot)))
            continue;
        CommandHeader h{};
        uint64_t bytes = 0;
        uint8_t error = ata::ErrAbort;
        if (dma_read(p.clb + slot * sizeof h, &h, sizeof h))
            error = execute(pn, h, bytes);
        h.prdbc = static_cast<uint32_t>(bytes);
        dma_write(p.clb + slot * sizeof h + offsetof(CommandHeader, prdbc), &h.prdbc, 4);
        p.tfd = error ? (0x41u | (uint32_t{error} << 8)) : 0x40u; // DRDY, and ERR on failure
        if (p.cmd & CmdFre) {
            uint8_t d2h[20] = {FisTypeD2H, 0x40, static_cast<uint8_t>(p.tfd), error};
            dma_write(p.fb + ReceivedFisD2H, d2h, sizeof d2h);
        }
        p.ci &= ~(1u << slot);
        p.is |= error ? PisTfes : PisDhrs;
    }
    update_irq();
}

uint8_t AhciModel::execute(unsigned, const CommandHeader& h, uint64_t& bytes) {
    FisRegH2D fis{};
    if (!dma_read(h.ctba + CommandTableCfis, &fis, sizeof fis) || fis.type != FisTypeH2D)
        return ata::ErrAbort;
    uint64_t lba = fis.lba0 | (uint64_t{fis.lba1} << 8) | (uint64_t{fis.lba2} << 16) | (uint64_t{fis.lba3} << 24) |
                   (uint64_t{fis.lba4} << 32) | (uint64_t{fis.lba5} << 40);
    uint32_t count = fis.count ? fis.count : 65536;
    switch (fis.command) {
    case ata::Identify: {
        std::array<uint16_t, 256> id{};
        id[0] = 0x0040; // fixed, non-removable ATA device
        put_ata_string(&id[ata::IdSerial], "REDOXSIM-AHCI-01", 10);
        put_ata_string(&id[ata::IdFirmware], "1.0", 4);
        put_ata_string(&id[ata::IdModel], "redox-sim SATA model", 20);
        uint32_t lba28 = static_cast<uint32_t>(std::min<uint64_t>(m_sectors, 0x0FFFFFFF));
        id[ata::IdLba28] = static_cast<uint16_t>(lba28);
        id[ata::IdLba28 + 1] = static_cast<uint16_t>(lba28 >> 16);
        id[ata::IdCmdSet2] = 1u << 10;
        for (int i = 0; i < 4; ++i)
            id[ata::IdLba48 + i] = static_cast<uint16_t>(m_sectors >> (16 * i));
        std::vector<std::byte> buf(512);
        std::memcpy(buf.data(), id.data(), 512);
        // Scatter into the PRDT like any data-in command.
        uint64_t table = h.ctba + CommandTablePrdt;
        size_t done = 0;
        for (uint16_t i = 0; i < h.prdtl && done < 512; ++i) {
            PrdEntry e{};
            if (!dma_read(table + i * sizeof e, &e, sizeof e))
                return ata::ErrAbort;
            size_t n = std::min<size_t>((e.dbc & 0x3FFFFF) + 1, 512 - done);
            if (!dma_write(e.dba, buf.data() + done, n))
                return ata::ErrAbort;
            done += n;
        }
        bytes = done;
        return done == 512 ? 0 : ata::ErrAbort;
    }
    case ata::ReadDmaExt:
    case ata::WriteDmaExt: {
        if (lba >= m_sectors || count > m_sectors - lba)
            return ata::ErrIdnf;
        bool write = fis.command == ata::WriteDmaExt;
        uint8_t e = transfer(h, write, size_t{count} * 512, lba * 512);
        if (!e)
            bytes = size_t{count} * 512;
        return e;
    }
    case ata::FlushCacheExt:
        return ::fdatasync(m_backing.get()) == 0 ? 0 : ata::ErrAbort;
    default:
        return ata::ErrAbort;
    }
}

// Gathers/scatters through the PRDT; every entry is translated before the file is
// touched so a bad DBA never leaves a partial write behind.
uint8_t AhciModel::transfer(const CommandHeader& h, bool to_device, size_t len, uint64_t file_off) {
    std::vector<std::pair<std::byte*, size_t>> spans;
    size_t covered = 0;
    uint64_t table = h.ctba + CommandTablePrdt;
    for (uint16_t i = 0; i < h.prdtl && covered < len; ++i) {
        PrdEntry e{};
        if (!dma_read(table + i * sizeof e, &e, sizeof e))
            return ata::ErrAbort;
        size_t n = std::min<size_t>((e.dbc & 0x3FFFFF) + 1, len - covered);
        std::byte* p = dma_span(e.dba, n);
        if (!p)
            return ata::ErrAbort;
        spans.emplace_back(p, n);
        covered += n;
    }
    if (covered < len)
        return ata::ErrAbort; // PRDT shorter than the transfer
    for (auto [p, n] : spans) {
        ssize_t r = to_device ? ::pwrite(m_backing.get(), p, n, static_cast<off_t>(file_off))
                              : ::pread(m_backing.get(), p, n, static_cast<off_t>(file_off));
        if (r != static_cast<ssize_t>(n))
            return ata::ErrAbort;
        file_off += n;
    }
    return 0;
}

} // namespace redox::pci
