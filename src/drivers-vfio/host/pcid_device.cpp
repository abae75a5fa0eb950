#include "host/pcid_device.h"

#include <fmt/format.h>

#include "host/sim_pci.h"
#include "vfio/vfio_device.h"

namespace redox::host {

namespace {
constexpr size_t kPage = 4096;
}

Result<std::unique_ptr<PcidDevice>> PcidDevice::open(const ClaimedFunction& claim) {
    auto dev = std::unique_ptr<PcidDevice>(new PcidDevice(claim.channel, claim.addr.str()));
    TRY(dev->call(ChannelCall::Info, 0, &dev->m_info, sizeof dev->m_info, "function info"));
    return dev;
}

PcidDevice::~PcidDevice() {
    for (auto& b : m_bars) b.reset();
    if (m_physical >= 0) (void)sys::close(m_physical);
}

Result<size_t> PcidDevice::call(ChannelCall what, uint64_t arg, void* payload, size_t len, const char* doing) {
    const uint64_t meta[2] = {uint64_t(what), arg};
    auto r = sys::call(m_channel, payload, len, 0, meta);
    if (!r) return err(r.error().errnum, fmt::format("{}: pcid: {}: {}", m_name, doing, r.error().message()));
    return *r;
}

Result<uint32_t> PcidDevice::config_read(uint16_t offset, unsigned size) {
    uint32_t v = 0;
    TRY(call(ChannelCall::ConfigRead, offset | uint64_t(size) << 16, &v, sizeof v, "config space read"));
    return v;
}

Result<void> PcidDevice::config_write(uint16_t offset, unsigned size, uint32_t value) {
    TRY(call(ChannelCall::ConfigWrite, offset | uint64_t(size) << 16, &value, sizeof value, "config space write"));
    return {};
}

Result<pci::RegisterWindow> PcidDevice::map_bar(unsigned bar) {
    if (bar >= m_bars.size()) return err(ENOENT, fmt::format("{}: the function has no BAR{}", m_name, bar));
    if (!m_bars[bar]) {
        uint64_t where[2] = {};
        TRY(call(ChannelCall::Bar, bar, where, sizeof where, fmt::format("BAR{}", bar).c_str()));
        if (m_physical < 0) {
            auto fd = sys::open("/scheme/memory/physical@uc", O_RDWR_ | O_CLOEXEC_);
            if (!fd) return err(fd.error().errnum, m_name + ": /scheme/memory/physical: " + fd.error().message());
            m_physical = *fd;
        }
        size_t len = (where[1] + kPage - 1) & ~(kPage - 1);
        auto region = sys::fmap(m_physical, where[0], len, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_);
        if (!region)
            return err(region.error().errnum, fmt::format("{}: mapping BAR{} at physical {:#x}: {}", m_name, bar,
                                                          where[0], region.error().message()));
        m_bars[bar] = std::move(*region);
        m_bar_sizes[bar] = where[1];
    }
    return pci::RegisterWindow(static_cast<volatile uint8_t*>(m_bars[bar]->data()), m_bar_sizes[bar]);
}

Result<pci::DmaBuffer> PcidDevice::alloc_dma(size_t size) {
    if (m_info.flags & kNoIommu) return vfio::alloc_host_physical_dma(size);
    return err(EOPNOTSUPP, m_name + ": DMA memory comes from the memory scheme");
}

Result<std::unique_ptr<pci::DmaBuffer::Backing>> PcidDevice::map_dma(std::byte*, size_t, uint64_t) {
    // The kernel-sim maps every DMA range into the function's IOMMU at its
    // physical address: nothing left to place.
    if (m_info.flags & kNoIommu) return err(EOPNOTSUPP, m_name + ": noiommu: the device sees host physical addresses");
    return std::unique_ptr<pci::DmaBuffer::Backing>();
}

unsigned PcidDevice::irq_count(pci::IrqMode mode) const { return m_info.irq_counts[size_t(mode)]; }

Result<std::vector<pci::IrqEvent>> PcidDevice::enable_irqs(pci::IrqMode, unsigned) {
    return err(EOPNOTSUPP, m_name + ": pcid routes this function's interrupts to irq scheme vectors");
}

Result<bool> PcidDevice::route_irqs(pci::IrqMode mode, std::span<const int> handles) {
    if (handles.empty() || handles.size() > irq_count(mode) || (mode == pci::IrqMode::Intx && handles.size() != 1))
        return err(EINVAL, fmt::format("{}: {} offers {} vectors, asked for {}", m_name, pci::irq_mode_name(mode),
                                       irq_count(mode), handles.size()));
    for (int h : handles) {
        // pcid binds through the same description, so this process's handle
        // acknowledges for what pcid bound.
        int copy = TRY(sys::dup(h));
        // (The kernel-sim takes the fd from this process even when pcid refuses it.)
        if (auto r = sys::sendfd(m_channel, copy); !r)
            return err(r.error().errnum, m_name + ": sending a vector to pcid: " + r.error().message());
    }
    uint32_t flags = 0;
    TRY(call(ChannelCall::EnableIrqs, uint64_t(mode) | uint64_t(handles.size()) << 8, &flags, sizeof flags,
             fmt::format("routing {} to irq vectors", pci::irq_mode_name(mode)).c_str()));
    return (flags & kIntxUnmaskBound) != 0;
}

Result<void> PcidDevice::unmask_intx() {
    TRY(call(ChannelCall::UnmaskIntx, 0, nullptr, 0, "INTx unmask"));
    return {};
}

Result<HostedDevice> open_claimed(const ClaimedFunction& claim) {
    HostedDevice hw;
    if (claim.spec.is_model()) hw = TRY(open_device(claim.spec));
    else hw.dev = TRY(PcidDevice::open(claim));
    // DMA memory and interrupts come from the kernel's memory and irq schemes.
    hw.dev = std::make_unique<SimPciDevice>(std::move(hw.dev));
    return hw;
}

} // namespace redox::host
