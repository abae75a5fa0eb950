// The two ring kinds of xHCI, in DMA memory: producer rings (command ring, transfer
// rings) ended by a Link TRB that toggles the cycle bit, and the event ring the
// controller produces into (one segment, described by a one-entry ERST).
#pragma once

#include "pci/pci_device.h"
#include "xhci/xhci_regs.h"

namespace redox::xhci {

class ProducerRing {
public:
    static Result<ProducerRing> create(pci::PciDevice& dev, uint32_t trbs);
    ProducerRing() = default;

    uint64_t base() const { return m_mem.bus_addr(); }
    // Writes the TRB with the current cycle bit (last, so the controller never
    // sees half a TRB) and returns its bus address.
    uint64_t push(Trb t);

private:
    pci::DmaBuffer m_mem;
    uint32_t m_size = 0, m_enqueue = 0;
    bool m_cycle = true;
};

class EventRing {
public:
    static Result<EventRing> create(pci::PciDevice& dev, uint32_t trbs);
    EventRing() = default;

    uint64_t erst() const { return m_erst.bus_addr(); }
    uint64_t segment() const { return m_mem.bus_addr(); }
    // The next event if the controller has written one; never blocks.
    bool pop(Trb& out);
    uint64_t dequeue_pointer() const { return m_mem.bus_addr(uint64_t{m_dequeue} * sizeof(Trb)); }

private:
    pci::DmaBuffer m_mem, m_erst;
    uint32_t m_size = 0, m_dequeue = 0;
    bool m_cycle = true;
};

} // namespace redox::xhci
