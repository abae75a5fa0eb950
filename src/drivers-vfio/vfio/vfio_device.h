// The VFIO backend: a host PCI function bound to vfio-pci, driven from userspace.
// Container + group + device fd; config space and BARs through the device fd's
// regions (BARs mmapped); DMA through VFIO_IOMMU_MAP_DMA at IOVAs we choose (type1),
// or pinned memory at its physical address (noiommu, root only); interrupts as
// eventfds through VFIO_DEVICE_SET_IRQS.
//
// Costs: a register access is one uncached load/store into the mmap; DMA memory is
// pinned for its lifetime and counts against RLIMIT_MEMLOCK.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "pci/pci_device.h"
#include "vfio/vfio_preflight.h"

namespace redox::vfio {

class Container; // owns the container fd; shared with DMA buffers for unmapping

class VfioDevice final : public pci::PciDevice {
public:
    static Result<std::unique_ptr<VfioDevice>> open(const pci::PciAddress& addr, const HostPaths& paths = {});
    ~VfioDevice() override;

    std::string name() const override { return m_addr.str(); }
    bool noiommu() const { return m_plan.noiommu; }
    Result<uint32_t> config_read(uint16_t offset, unsigned size) override;
    Result<void> config_write(uint16_t offset, unsigned size, uint32_t value) override;
    Result<pci::RegisterWindow> map_bar(unsigned bar) override;
    Result<pci::DmaBuffer> alloc_dma(size_t size) override;
    unsigned irq_count(pci::IrqMode mode) const override;
    Result<std::vector<pci::IrqEvent>> enable_irqs(pci::IrqMode mode, unsigned count) override;
    Result<void> unmask_intx() override;
    Result<std::unique_ptr<pci::DmaBuffer::Backing>> map_dma(std::byte* virt, size_t size, uint64_t bus) override;
    Result<pci::UniqueFd> intx_unmask_eventfd() override;

    // For pcid, which owns the function inside the sim and hands the kernel-sim
    // the container (for DMA) and the BAR regions (for `memory:physical`).
    struct BarRegion {
        uint64_t offset = 0, size = 0;  // in the device fd
        bool mappable = false;
    };
    int container_fd() const;
    int device_fd() const { return m_device.get(); }
    Result<BarRegion> bar_region(unsigned bar) const;
    // Routes no interrupts any more (a driver let the function go).
    void disable_irqs();

private:
    struct Region {
        uint64_t offset = 0, size = 0;
        uint32_t flags = 0;
        void* map = nullptr;
    };
    VfioDevice(pci::PciAddress addr, GroupPlan plan) : m_addr(addr), m_plan(std::move(plan)) {}
    Result<void> attach();
    std::string where() const { return "vfio " + m_addr.str(); }

    pci::PciAddress m_addr;
    GroupPlan m_plan;
    std::shared_ptr<Container> m_container;
    pci::UniqueFd m_group, m_device;
    std::array<Region, 9> m_regions{};
    std::array<unsigned, 3> m_irq_counts{};
    std::optional<pci::IrqMode> m_irq_mode;
};

// Pinned memory at its host physical address, for a device behind a noiommu
// group (which sees host physical addresses): one page, or one 2 MiB huge page.
// Needs root (pagemap).
Result<pci::DmaBuffer> alloc_host_physical_dma(size_t size);

} // namespace redox::vfio
