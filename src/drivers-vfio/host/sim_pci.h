// Inside the sim a driver gets its DMA memory and its interrupts from the
// kernel's `memory` and `irq` schemes, as on Redox. SimPciDevice wraps the
// hardware backend (VFIO or a device model) so the driver cores need not know:
// - alloc_dma fmaps `/scheme/memory/zeroed?phys_contiguous`, asks
//   `/scheme/memory/translation` for its physical address and has the backend
//   place the memory at that bus address (a VFIO IOVA, a model's table entry);
//   a backend that cannot (noiommu VFIO) keeps allocating its own buffers;
// - enable_irqs allocates vectors (`/scheme/irq/cpu-00/N`, or the legacy line
//   for INTx), binds the backend's eventfds to them, and the driver then reads,
//   waits on (through `/scheme/event`) and acknowledges the vector handles; a
//   host function's vectors are routed by pcid (PcidDevice::route_irqs).
// Config space and BARs are the backend's: a model in this process, or pcid's
// channel and `memory:physical` (host/pcid_device.h).
#pragma once

#include <memory>

#include "pci/pci_device.h"

namespace redox::host {

class SimIrq;

class SimPciDevice final : public pci::PciDevice {
public:
    explicit SimPciDevice(std::unique_ptr<pci::PciDevice> inner);
    ~SimPciDevice() override;

    std::string name() const override { return m_inner->name(); }
    Result<uint32_t> config_read(uint16_t offset, unsigned size) override { return m_inner->config_read(offset, size); }
    Result<void> config_write(uint16_t offset, unsigned size, uint32_t value) override {
        return m_inner->config_write(offset, size, value);
    }
    Result<pci::RegisterWindow> map_bar(unsigned bar) override { return m_inner->map_bar(bar); }
    Result<pci::DmaBuffer> alloc_dma(size_t size) override;
    unsigned irq_count(pci::IrqMode mode) const override { return m_inner->irq_count(mode); }
    Result<std::vector<pci::IrqEvent>> enable_irqs(pci::IrqMode mode, unsigned count) override;
    Result<void> unmask_intx() override;

    pci::PciDevice& inner() { return *m_inner; }

private:
    std::unique_ptr<pci::PciDevice> m_inner;
    int m_translation = -1;
    bool m_backend_dma = false;  // the backend cannot place memory (noiommu): its own buffers
    std::shared_ptr<SimIrq> m_intx;
    bool m_intx_unmask_bound = false;
};

} // namespace redox::host
