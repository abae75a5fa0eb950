#include "xhci/trb_ring.h"

#include <atomic>

namespace redox::xhci {

Result<ProducerRing> ProducerRing::create(pci::PciDevice& dev, uint32_t trbs) {
    if (trbs < 4)
        return err(EINVAL, "xhci: ring too small");
    ProducerRing r;
    r.m_mem = TRY(dev.alloc_dma(size_t{trbs} * sizeof(Trb)));
    r.m_size = trbs;
    return r;
}

uint64_t ProducerRing::push(Trb t) {
    auto* ring = m_mem.at<volatile Trb>(0);
    if (m_enqueue == m_size - 1) {
        // Hand the Link TRB over with the old cycle, then continue at the start.
        ring[m_enqueue].param = m_mem.bus_addr();
        ring[m_enqueue].status = 0;
        std::atomic_thread_fence(std::memory_order_release);
        ring[m_enqueue].control = type_bits(trb::Link) | TrbToggle | (m_cycle ? TrbCycle : 0);
        m_enqueue = 0;
        m_cycle = !m_cycle;
    }
    uint64_t at = m_mem.bus_addr(uint64_t{m_enqueue} * sizeof(Trb));
    ring[m_enqueue].param = t.param;
    ring[m_enqueue].status = t.status;
    std::atomic_thread_fence(std::memory_order_release);
    ring[m_enqueue].control = (t.control & ~TrbCycle) | (m_cycle ? TrbCycle : 0);
    ++m_enqueue;
    return at;
}

Result<EventRing> EventRing::create(pci::PciDevice& dev, uint32_t trbs) {
    EventRing r;
    r.m_mem = TRY(dev.alloc_dma(size_t{trbs} * sizeof(Trb)));
    r.m_erst = TRY(dev.alloc_dma(sizeof(ErstEntry)));
    *r.m_erst.at<ErstEntry>(0) = ErstEntry{r.m_mem.bus_addr(), trbs, 0};
    r.m_size = trbs;
    return r;
}

bool EventRing::pop(Trb& out) {
    auto* ring = m_mem.at<volatile Trb>(0);
    uint32_t control = ring[m_dequeue].control;
    if (bool(control & TrbCycle) != m_cycle)
        return false;
    std::atomic_thread_fence(std::memory_order_acquire);
    out.param = ring[m_dequeue].param;
    out.status = ring[m_dequeue].status;
    out.control = control;
    if (++m_dequeue == m_size) {
        m_dequeue = 0;
        m_cycle = !m_cycle;
    }
    return true;
}

} // namespace redox::xhci
