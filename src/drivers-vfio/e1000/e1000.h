// e1000d's core: an 82540EM-family NIC moving raw Ethernet frames. Written only
// against PciDevice, so it drives QEMU's e1000 through VFIO and our model alike.
//
// Event-loop use: poll irq_fd(); when readable call handle_irq(), then
// receive_batch() until it returns 0. Nothing here blocks except the *_wait helpers
// and send() when the TX ring is full (bounded by Options::timeout_ms).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "pci/pci_device.h"

namespace redox::e1000 {

using MacAddress = std::array<uint8_t, 6>;

class E1000 {
public:
    struct Options {
        int timeout_ms = 1000;
        uint32_t rx_descriptors = 256; // multiple of 8
        uint32_t tx_descriptors = 256;
    };

    static Result<std::unique_ptr<E1000>> create(pci::PciDevice& dev, Options opts);
    static Result<std::unique_ptr<E1000>> create(pci::PciDevice& dev) { return create(dev, Options{}); }

    const MacAddress& mac() const { return m_mac; }
    bool link_up() const;

    // Queues one frame (without FCS, at most 1518 bytes) and tells the device.
    Result<void> send(std::span<const uint8_t> frame);
    // Queues all frames, then tells the device once.
    Result<void> send_batch(std::span<const std::span<const uint8_t>> frames);

    using FrameSink = std::function<void(std::span<const uint8_t>)>;
    // Hands up to `max` received frames to sink; returns how many. Never blocks.
    Result<size_t> receive_batch(const FrameSink& sink, size_t max = SIZE_MAX);
    // Copies one received frame into buf; 0 if none is waiting.
    Result<size_t> receive(std::span<uint8_t> buf);
    // Like receive, but waits up to timeout_ms for the interrupt; 0 on timeout.
    Result<size_t> receive_wait(std::span<uint8_t> buf, int timeout_ms);

    int irq_fd() const { return m_irq.fd(); }

    // An interrupt may have arrived since the last handle_irq (no sim call).

    bool irq_signalled() const { return m_irq.maybe_pending(); }
    // Reads and clears the interrupt causes and re-arms INTx; returns the causes.
    Result<uint32_t> handle_irq();

private:
    E1000(pci::PciDevice& dev, Options opts) : m_dev(dev), m_opts(opts) {}
    Result<void> init();
    Result<void> reset();
    Result<void> read_mac();
    Result<void> setup_rx();
    Result<void> setup_tx();
    Result<void> check_present() const;
    void restart_autoneg();
    Result<void> queue_tx(std::span<const uint8_t> frame);
    void reclaim_tx();

    pci::PciDevice& m_dev;
    Options m_opts;
    pci::RegisterWindow m_regs;
    pci::IrqEvent m_irq;
    MacAddress m_mac{};
    pci::DmaBuffer m_rx_ring, m_rx_bufs, m_tx_ring, m_tx_bufs;
    uint32_t m_rx_next = 0;   // next descriptor the device fills
    uint32_t m_tx_tail = 0;   // next descriptor we fill
    uint32_t m_tx_clean = 0;  // oldest descriptor not yet known done
};

} // namespace redox::e1000
