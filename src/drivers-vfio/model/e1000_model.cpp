#include "model/e1000_model.h"

#include <algorithm>

#include "e1000/e1000_regs.h"

namespace redox::pci {

using namespace e1000;

namespace {
constexpr size_t Bar0Size = 0x20000;
constexpr size_t MaxQueuedRx = 4096;
} // namespace

std::unique_ptr<E1000Model> E1000Model::create(std::array<uint8_t, 6> mac) {
    return std::unique_ptr<E1000Model>(new E1000Model(mac));
}

E1000Model::E1000Model(std::array<uint8_t, 6> mac)
    : ModelDevice("model:e1000", PciId{VendorIntel, Device82540Em, 0x02, 0x00, 0x00, 0x03}) {
    add_bar(0, Bar0Size);
    set_intx(true); // the 82540EM has no MSI capability
    for (int i = 0; i < 3; ++i)
        m_eeprom[i] = static_cast<uint16_t>(mac[2 * i] | (mac[2 * i + 1] << 8));
    reset();
}

void E1000Model::reset() {
    std::fill(m_regs.begin(), m_regs.end(), 0);
    m_from_host.clear();
    r(reg::Ral0) = m_eeprom[0] | (uint32_t{m_eeprom[1]} << 16);
    r(reg::Rah0) = m_eeprom[2] | RahAv;
    // Bit 31 reads as set on QEMU's 82540EM; drivers must not mistake it for "removed".
    r(reg::Status) = 0x80000000u;
}

void E1000Model::interrupt(uint32_t cause) {
    r(reg::Icr) |= cause;
    if (r(reg::Icr) & r(reg::Ims))
        raise_irq(0);
}

uint64_t E1000Model::bar_read(unsigned, uint64_t offset, unsigned size) {
    if (size != 4)
        return ~uint64_t{0};
    if (offset == reg::Icr)
        return std::exchange(r(reg::Icr), 0); // read-to-clear
    return r(static_cast<uint32_t>(offset));
}

void E1000Model::bar_write(unsigned, uint64_t offset, unsigned size, uint64_t value64) {
    if (size != 4)
        return;
    auto off = static_cast<uint32_t>(offset);
    auto v = static_cast<uint32_t>(value64);
    switch (off) {
    case reg::Ctrl:
        if (v & CtrlRst) {
            reset();
            return;
        }
        r(off) = v;
        if ((v & CtrlSlu) && !(r(reg::Status) & StatusLu)) {
            r(reg::Status) |= StatusLu | StatusFd | (2u << 6); // 1000 Mb/s full duplex
            interrupt(IntLsc);
        }
        return;
    case reg::Status:
        return; // read-only
    case reg::Eerd:
        if (v & EerdStart) {
            uint32_t addr = (v >> 8) & 0xFF;
            uint16_t data = addr < m_eeprom.size() ? m_eeprom[addr] : 0xFFFF;
            r(off) = (uint32_t{data} << 16) | (addr << 8) | EerdDone;
        }
        return;
    case reg::Mdic: {
        // The PHY answers at once; reads of the MII status say link and autoneg done.
        uint32_t phy_reg = (v >> 16) & 0x1F;
        uint16_t data = static_cast<uint16_t>(v);
        if ((v & (3u << 26)) == MdicOpRead)
            data = phy_reg == 1 ? 0x796D : 0;
        r(off) = (v & ~0xFFFFu) | data | MdicReady;
        return;
    }
    case reg::Icr:
        r(off) &= ~v;
        return;
    case reg::Ics:
        interrupt(v);
        return;
    case reg::Ims:
        r(off) |= v;
        interrupt(0);
        return;
    case reg::Imc:
        r(reg::Ims) &= ~v;
        return;
    case reg::Tdt:
        r(off) = v;
        if (r(reg::Tctl) & TctlEn)
            transmit();
        return;
    case reg::Rdt:
    case reg::Rctl:
        r(off) = v;
        deliver_rx();
        return;
    default:
        r(off) = v;
    }
}

void E1000Model::transmit() {
    uint32_t count = r(reg::Tdlen) / sizeof(TxDesc);
    if (count == 0)
        return;
    uint64_t base = r(reg::Tdbal) | (uint64_t{r(reg::Tdbah)} << 32);
    uint32_t head = r(reg::Tdh) % count, tail = r(reg::Tdt) % count;
    Frame frame;
    bool sent = false;
    while (head != tail) {
        uint64_t at = base + uint64_t{head} * sizeof(TxDesc);
        TxDesc d{};
        if (!dma_read(at, &d, sizeof d))
            break; // ring unreachable: the device stalls, as a master abort would
        size_t old = frame.size();
        frame.resize(old + d.length);
        bool ok = frame.size() <= 16384 && dma_read(d.addr, frame.data() + old, d.length);
        if (d.cmd & TxCmdEop) {
            if (ok)
                m_to_host.push_back(std::move(frame));
            frame = {};
        } else if (!ok) {
            frame = {};
        }
        if (d.cmd & TxCmdRs) {
            uint8_t status = TxStatusDd;
            dma_write(at + offsetof(TxDesc, status), &status, 1);
        }
        head = (head + 1) % count;
        sent = true;
    }
    r(reg::Tdh) = head;
    if (sent)
        interrupt(IntTxdw);
}

void E1000Model::deliver_rx() {
    uint32_t count = r(reg::Rdlen) / sizeof(RxDesc);
    if (!(r(reg::Rctl) & RctlEn) || count == 0)
        return;
    uint64_t base = r(reg::Rdbal) | (uint64_t{r(reg::Rdbah)} << 32);
    uint32_t head = r(reg::Rdh) % count, tail = r(reg::Rdt) % count;
    bool delivered = false;
    while (!m_from_host.empty() && head != tail) {
        uint64_t at = base + uint64_t{head} * sizeof(RxDesc);
        RxDesc d{};
        if (!dma_read(at, &d, sizeof d))
            break;
        const Frame& f = m_from_host.front();
        if (dma_write(d.addr, f.data(), f.size())) {
            d.length = static_cast<uint16_t>(f.size());
            d.status = RxStatusDd | RxStatusEop;
            d.errors = 0;
            dma_write(at, &d, sizeof d);
            delivered = true;
        }
        m_from_host.pop_front();
        head = (head + 1) % count;
    }
    r(reg::Rdh) = head;
    if (delivered)
        interrupt(IntRxt0);
}

void E1000Model::host_send(std::span<const uint8_t> frame) {
    if (frame.size() > MaxFrame || m_from_host.size() >= MaxQueuedRx) {
        ++m_rx_dropped;
        interrupt(IntRxo);
        return;
    }
    m_from_host.emplace_back(frame.begin(), frame.end());
    deliver_rx();
}

std::optional<Frame> E1000Model::host_receive() {
    if (m_to_host.empty())
        return std::nullopt;
    Frame f = std::move(m_to_host.front());
    m_to_host.pop_front();
    return f;
}

} // namespace redox::pci
