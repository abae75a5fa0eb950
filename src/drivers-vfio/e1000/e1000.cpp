#include "e1000/e1000.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>

#include "e1000/e1000_regs.h"

namespace redox::e1000 {

using pci::Mmio;

namespace {
using Clock = std::chrono::steady_clock;

// Polls cond until true or timeout; the register reads inside are cheap.
template <typename F>
bool poll_until(int timeout_ms, F&& cond) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        if (cond())
            return true;
        if (Clock::now() > deadline)
            return false;
        ::usleep(20);
    }
}
} // namespace

Result<std::unique_ptr<E1000>> E1000::create(pci::PciDevice& dev, Options opts) {
    if (opts.rx_descriptors % 8 || opts.tx_descriptors % 8 || opts.rx_descriptors < 8 || opts.tx_descriptors < 8)
        return err(EINVAL, "e1000: ring sizes must be non-zero multiples of 8");
    auto nic = std::unique_ptr<E1000>(new E1000(dev, opts));
    TRY(nic->init());
    return nic;
}

Result<void> E1000::check_present() const {
    if (m_regs.read<uint32_t>(reg::Status) == 0xFFFFFFFF)
        return err(EIO, "e1000 " + m_dev.name() + ": device removed (registers read all ones)");
    return {};
}

Result<void> E1000::init() {
    pci::PciId id = TRY(m_dev.id());
    if (id.vendor != VendorIntel || id.class_code != 0x02)
        return err(ENODEV, "e1000 " + m_dev.name() + ": not an Intel network controller");
    TRY(m_dev.enable_bus_master());
    m_regs = TRY(m_dev.map_bar(0));
    TRY(check_present());
    TRY(reset());
    TRY(read_mac());
    TRY(setup_rx());
    TRY(setup_tx());
    auto irqs = TRY(m_dev.enable_irqs(pci::IrqMode::Intx, 1));
    m_irq = std::move(irqs[0]);
    Mmio<uint32_t>(m_regs, reg::Ctrl).writef(CtrlSlu | CtrlAsde, true);
    if (!link_up())
        restart_autoneg();
    Mmio<uint32_t>(m_regs, reg::Ims).write(IntRxt0 | IntTxdw | IntLsc | IntRxo);
    return {};
}

Result<void> E1000::reset() {
    Mmio<uint32_t>(m_regs, reg::Imc).write(0xFFFFFFFF);
    Mmio<uint32_t> ctrl(m_regs, reg::Ctrl);
    ctrl.write(ctrl.read() | CtrlRst);
    // The manual asks for ~1 us before touching the device again after RST.
    ::usleep(10);
    if (!poll_until(m_opts.timeout_ms, [&] { return !(ctrl.read() & CtrlRst); }))
        return err(EIO, "e1000 " + m_dev.name() + ": reset did not complete");
    TRY(check_present());
    Mmio<uint32_t>(m_regs, reg::Imc).write(0xFFFFFFFF);
    (void)m_regs.read<uint32_t>(reg::Icr);
    return {};
}

Result<void> E1000::read_mac() {
    Mmio<uint32_t> eerd(m_regs, reg::Eerd);
    for (uint32_t word = 0; word < 3; ++word) {
        eerd.write((word << 8) | EerdStart);
        uint32_t v = 0;
        if (!poll_until(m_opts.timeout_ms, [&] { return (v = eerd.read()) & EerdDone; }))
            return err(EIO, "e1000 " + m_dev.name() + ": EEPROM read timed out");
        m_mac[2 * word] = static_cast<uint8_t>(v >> 16);
        m_mac[2 * word + 1] = static_cast<uint8_t>(v >> 24);
    }
    // Filter on our own address; multicast table cleared.
    Mmio<uint32_t>(m_regs, reg::Ral0).write(m_mac[0] | m_mac[1] << 8 | m_mac[2] << 16 | uint32_t{m_mac[3]} << 24);
    Mmio<uint32_t>(m_regs, reg::Rah0).write(m_mac[4] | m_mac[5] << 8 | RahAv);
    for (uint32_t i = 0; i < 128; ++i)
        m_regs.write<uint32_t>(reg::Mta + 4 * i, 0);
    return {};
}

Result<void> E1000::setup_rx() {
    uint32_t n = m_opts.rx_descriptors;
    m_rx_ring = TRY(m_dev.alloc_dma(n * sizeof(RxDesc)));
    m_rx_bufs = TRY(m_dev.alloc_dma(n * RxBufferSize));
    for (uint32_t i = 0; i < n; ++i)
        m_rx_ring.at<RxDesc>(0)[i] = RxDesc{m_rx_bufs.bus_addr(i * RxBufferSize), 0, 0, 0, 0, 0};
    uint64_t ring = m_rx_ring.bus_addr();
    Mmio<uint32_t>(m_regs, reg::Rdbal).write(static_cast<uint32_t>(ring));
    Mmio<uint32_t>(m_regs, reg::Rdbah).write(static_cast<uint32_t>(ring >> 32));
    Mmio<uint32_t>(m_regs, reg::Rdlen).write(n * sizeof(RxDesc));
    Mmio<uint32_t>(m_regs, reg::Rdh).write(0);
    Mmio<uint32_t>(m_regs, reg::Rdt).write(n - 1);
    m_rx_next = 0;
    Mmio<uint32_t>(m_regs, reg::Rctl).write(RctlEn | RctlBam | RctlSecrc);
    return {};
}

Result<void> E1000::setup_tx() {
    uint32_t n = m_opts.tx_descriptors;
    m_tx_ring = TRY(m_dev.alloc_dma(n * sizeof(TxDesc)));
    m_tx_bufs = TRY(m_dev.alloc_dma(n * RxBufferSize));
    uint64_t ring = m_tx_ring.bus_addr();
    Mmio<uint32_t>(m_regs, reg::Tdbal).write(static_cast<uint32_t>(ring));
    Mmio<uint32_t>(m_regs, reg::Tdbah).write(static_cast<uint32_t>(ring >> 32));
    Mmio<uint32_t>(m_regs, reg::Tdlen).write(n * sizeof(TxDesc));
    Mmio<uint32_t>(m_regs, reg::Tdh).write(0);
    Mmio<uint32_t>(m_regs, reg::Tdt).write(0);
    m_tx_tail = m_tx_clean = 0;
    // Collision threshold 0x10 and distance 0x40: the manual's full-duplex values.
    Mmio<uint32_t>(m_regs, reg::Tctl).write(TctlEn | TctlPsp | (0x10u << 4) | (0x40u << 12));
    return {};
}

// After RST the PHY may wait for software to (re)start autonegotiation before the
// link comes up (QEMU's e1000 does). A PHY that does not answer is left alone: the
// link state is reported by link_up(), not treated as an init failure.
void E1000::restart_autoneg() {
    Mmio<uint32_t> mdic_reg(m_regs, reg::Mdic);
    mdic_reg.write(mdic(PhyCtrl, MdicOpWrite, PhyCtrlAutoneg));
    poll_until(std::min(m_opts.timeout_ms, 100), [&] { return mdic_reg.read() & (MdicReady | MdicError); });
}

bool E1000::link_up() const {
    uint32_t status = m_regs.read<uint32_t>(reg::Status);
    return status != 0xFFFFFFFF && (status & StatusLu); // all ones: removed, not "up"
}

void E1000::reclaim_tx() {
    auto* ring = m_tx_ring.at<volatile TxDesc>(0);
    while (m_tx_clean != m_tx_tail && (ring[m_tx_clean].status & TxStatusDd))
        m_tx_clean = (m_tx_clean + 1) % m_opts.tx_descriptors;
}

Result<void> E1000::queue_tx(std::span<const uint8_t> frame) {
    if (frame.empty() || frame.size() > MaxFrame)
        return err(EINVAL, "e1000: frame of " + std::to_string(frame.size()) + " bytes (1..1518 allowed)");
    uint32_t n = m_opts.tx_descriptors;
    auto full = [&] { return (m_tx_tail + 1) % n == m_tx_clean; };
    reclaim_tx();
    if (full()) {
        TRY(check_present());
        if (!poll_until(m_opts.timeout_ms, [&] { reclaim_tx(); return !full(); }))
            return err(EIO, "e1000 " + m_dev.name() + ": transmit timed out (ring full)");
    }
    std::memcpy(m_tx_bufs.data() + size_t{m_tx_tail} * RxBufferSize, frame.data(), frame.size());
    auto* d = m_tx_ring.at<TxDesc>(0) + m_tx_tail;
    d->addr = m_tx_bufs.bus_addr(size_t{m_tx_tail} * RxBufferSize);
    d->length = static_cast<uint16_t>(frame.size());
    d->cmd = TxCmdEop | TxCmdIfcs | TxCmdRs;
    d->status = 0;
    m_tx_tail = (m_tx_tail + 1) % n;
    return {};
}

Result<void> E1000::send(std::span<const uint8_t> frame) {
    TRY(queue_tx(frame));
    std::atomic_thread_fence(std::memory_order_release);
    Mmio<uint32_t>(m_regs, reg::Tdt).write(m_tx_tail);
    return {};
}

Result<void> E1000::send_batch(std::span<const std::span<const uint8_t>> frames) {
    uint32_t queued = 0;
    for (auto f : frames) {
        // Kick before waiting for room, or a batch longer than the ring deadlocks.
        if ((m_tx_tail + 2) % m_opts.tx_descriptors == m_tx_clean && queued) {
            Mmio<uint32_t>(m_regs, reg::Tdt).write(m_tx_tail);
            queued = 0;
        }
        TRY(queue_tx(f));
        ++queued;
    }
    std::atomic_thread_fence(std::memory_order_release);
    if (queued)
        Mmio<uint32_t>(m_regs, reg::Tdt).write(m_tx_tail);
    return {};
}

Result<size_t> E1000::receive_batch(const FrameSink& sink, size_t max) {
    auto* ring = m_rx_ring.at<volatile RxDesc>(0);
    size_t got = 0;
    uint32_t n = m_opts.rx_descriptors;
    while (got < max && (ring[m_rx_next].status & RxStatusDd)) {
        std::atomic_thread_fence(std::memory_order_acquire);
        uint16_t len = ring[m_rx_next].length;
        bool good = (ring[m_rx_next].status & RxStatusEop) && ring[m_rx_next].errors == 0 && len <= RxBufferSize;
        if (good)
            sink({reinterpret_cast<const uint8_t*>(m_rx_bufs.data()) + size_t{m_rx_next} * RxBufferSize, len});
        ring[m_rx_next].status = 0;
        m_rx_next = (m_rx_next + 1) % n;
        ++got;
    }
    if (got) {
        // The descriptor before m_rx_next is the last one we own again.
        Mmio<uint32_t>(m_regs, reg::Rdt).write((m_rx_next + n - 1) % n);
    } else {
        TRY(check_present());
    }
    return got;
}

Result<size_t> E1000::receive(std::span<uint8_t> buf) {
    size_t len = 0;
    bool truncated = false;
    TRY(receive_batch(
        [&](std::span<const uint8_t> f) {
            truncated = f.size() > buf.size();
            len = std::min(f.size(), buf.size());
            std::memcpy(buf.data(), f.data(), len);
        },
        1));
    if (truncated)
        return err(EMSGSIZE, "e1000: received frame larger than the buffer");
    return len;
}

Result<size_t> E1000::receive_wait(std::span<uint8_t> buf, int timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        size_t n = TRY(receive(buf));
        if (n)
            return n;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0)
            return size_t{0};
        if (TRY(m_irq.wait(static_cast<int>(left))))
            TRY(handle_irq());
    }
}

Result<uint32_t> E1000::handle_irq() {
    m_irq.consume();
    uint32_t icr = m_regs.read<uint32_t>(reg::Icr);
    if (icr == 0xFFFFFFFF)
        return err(EIO, "e1000 " + m_dev.name() + ": device removed (ICR reads all ones)");
    TRY(m_dev.unmask_intx());
    return icr;
}

} // namespace redox::e1000
