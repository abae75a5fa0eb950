// A host function as its driver sees it inside the sim: pcid owns the VFIO
// device and the driver reaches it only through schemes, as on Redox:
// - configuration space through calls on pcid's channel;
// - BARs mapped with `/scheme/memory/physical` at the physical address pcid
//   had the kernel-sim give them;
// - DMA memory from `/scheme/memory` (SimPciDevice), which the kernel-sim maps
//   into the function's IOMMU at its physical address;
// - interrupts on irq scheme vectors the driver allocates and sends to pcid,
//   which routes the function's VFIO eventfds to them.
// Over a noiommu group the device sees host physical addresses: DMA buffers
// are then pinned pages of this process (vfio::alloc_host_physical_dma).
#pragma once

#include <array>
#include <optional>
#include <span>

#include "host/channel.h"
#include "pci/pci_device.h"
#include "schemes/libredox.h"

namespace redox::host {

class PcidDevice final : public pci::PciDevice {
public:
    // The channel stays the caller's (the claim).
    static Result<std::unique_ptr<PcidDevice>> open(const ClaimedFunction& claim);
    ~PcidDevice() override;

    std::string name() const override { return m_name; }
    Result<uint32_t> config_read(uint16_t offset, unsigned size) override;
    Result<void> config_write(uint16_t offset, unsigned size, uint32_t value) override;
    Result<pci::RegisterWindow> map_bar(unsigned bar) override;
    Result<pci::DmaBuffer> alloc_dma(size_t size) override;
    Result<std::unique_ptr<pci::DmaBuffer::Backing>> map_dma(std::byte* virt, size_t size, uint64_t bus) override;
    unsigned irq_count(pci::IrqMode mode) const override;
    // pcid routes interrupts to vectors: see route_irqs.
    Result<std::vector<pci::IrqEvent>> enable_irqs(pci::IrqMode mode, unsigned count) override;
    Result<void> unmask_intx() override;

    // Routes the function's vectors of `mode` to these irq scheme handles (one
    // per vector). Returns whether acknowledging an INTx handle unmasks the line.
    Result<bool> route_irqs(pci::IrqMode mode, std::span<const int> handles);

private:
    PcidDevice(int channel, std::string name) : m_channel(channel), m_name(std::move(name)) {}
    Result<size_t> call(ChannelCall what, uint64_t arg, void* payload, size_t len, const char* doing);

    int m_channel;
    std::string m_name;
    ChannelInfo m_info{};
    int m_physical = -1;  // /scheme/memory/physical
    std::array<std::optional<sys::MappedRegion>, 6> m_bars;
    std::array<size_t, 6> m_bar_sizes{};
};

} // namespace redox::host
