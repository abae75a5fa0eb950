#include "vfio/vfio_device.h"

#include <fcntl.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

namespace redox::vfio {

using pci::IrqMode;

// The container fd and the IOVA allocator; lives as long as any DMA buffer does.
class Container {
public:
    pci::UniqueFd fd;
    bool noiommu = false;
    std::mutex lock;
    // IOVAs start at 4 GiB, clear of the x86 MSI window at 0xFEE00000.
    uint64_t next_iova = 0x1'0000'0000ull;
    size_t locked = 0;
};

namespace {
constexpr size_t PageSize = 4096;
constexpr size_t HugePage = 2 << 20;

Error sys_err(const std::string& where, const std::string& what) {
    return Error(errno, fmt::format("{}: {}: {}", where, what, std::strerror(errno)));
}

uint32_t vfio_index(IrqMode mode) {
    switch (mode) {
    case IrqMode::Intx: return VFIO_PCI_INTX_IRQ_INDEX;
    case IrqMode::Msi: return VFIO_PCI_MSI_IRQ_INDEX;
    case IrqMode::Msix: return VFIO_PCI_MSIX_IRQ_INDEX;
    }
    return VFIO_PCI_INTX_IRQ_INDEX;
}

struct VfioDmaBacking final : pci::DmaBuffer::Backing {
    std::shared_ptr<Container> container;
    void* virt = nullptr;
    size_t size = 0;
    uint64_t iova = 0;
    bool mapped = false;
    ~VfioDmaBacking() override {
        if (mapped) {
            vfio_iommu_type1_dma_unmap unmap{};
            unmap.argsz = sizeof unmap;
            unmap.iova = iova;
            unmap.size = size;
            ::ioctl(container->fd.get(), VFIO_IOMMU_UNMAP_DMA, &unmap);
            std::lock_guard g(container->lock);
            container->locked -= size;
        }
        if (virt)
            ::munmap(virt, size);
    }
};

// Physical address of a locked page, from /proc/self/pagemap (root only: others
// read PFN 0).
Result<uint64_t> physical_address(const void* virt) {
    pci::UniqueFd pm(::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC));
    if (!pm.valid())
        return err(errno, "noiommu DMA: /proc/self/pagemap");
    uint64_t entry = 0;
    auto vpn = reinterpret_cast<uintptr_t>(virt) / PageSize;
    if (::pread(pm.get(), &entry, 8, static_cast<off_t>(vpn * 8)) != 8)
        return err(errno, "noiommu DMA: reading /proc/self/pagemap");
    uint64_t pfn = entry & ((1ull << 55) - 1);
    if (!(entry & (1ull << 63)) || pfn == 0)
        return err(EPERM, "noiommu DMA needs root: /proc/self/pagemap hides physical addresses");
    return pfn * PageSize + reinterpret_cast<uintptr_t>(virt) % PageSize;
}
} // namespace

Result<std::unique_ptr<VfioDevice>> VfioDevice::open(const pci::PciAddress& addr, const HostPaths& paths) {
    GroupPlan plan = TRY(preflight(addr, paths));
    auto dev = std::unique_ptr<VfioDevice>(new VfioDevice(addr, std::move(plan)));
    TRY(dev->attach());
    return dev;
}

Result<void> VfioDevice::attach() {
    m_container = std::make_shared<Container>();
    m_container->noiommu = m_plan.noiommu;
    m_container->fd = pci::UniqueFd(::open(m_plan.container_node.c_str(), O_RDWR | O_CLOEXEC));
    if (!m_container->fd.valid())
        return std::unexpected(sys_err(where(), "open " + m_plan.container_node.string()));
    int cfd = m_container->fd.get();
    if (::ioctl(cfd, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
        return err(ENOTSUP, where() + ": unsupported VFIO API version");
    // CHECK_EXTENSION(TYPE1v2) answers yes even for a noiommu group, so the group
    // node decides the IOMMU type.
    unsigned long iommu = m_plan.noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
    if (!m_plan.noiommu && ::ioctl(cfd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0)
        iommu = VFIO_TYPE1_IOMMU;
    if (::ioctl(cfd, VFIO_CHECK_EXTENSION, iommu) <= 0)
        return err(ENOTSUP, where() + ": the kernel offers no usable VFIO IOMMU type");

    m_group = pci::UniqueFd(::open(m_plan.group_node.c_str(), O_RDWR | O_CLOEXEC));
    if (!m_group.valid()) {
        if (errno == EBUSY)
            return err(EBUSY, fmt::format("{}: IOMMU group {} is in use by another process", where(), m_plan.group));
        if (errno == EACCES || errno == EPERM)
            return err(errno, fmt::format("{}: permission denied on {}; run as root or give the user that node",
                                          where(), m_plan.group_node.string()));
        return std::unexpected(sys_err(where(), "open " + m_plan.group_node.string()));
    }
    vfio_group_status status{};
    status.argsz = sizeof status;
    if (::ioctl(m_group.get(), VFIO_GROUP_GET_STATUS, &status) < 0)
        return std::unexpected(sys_err(where(), "VFIO_GROUP_GET_STATUS"));
    if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
        return err(EBUSY, fmt::format("{}: IOMMU group {} is not viable: another device in it is bound to a "
                                      "host driver; bind all of them to vfio-pci",
                                      where(), m_plan.group));
    if (::ioctl(m_group.get(), VFIO_GROUP_SET_CONTAINER, &cfd) < 0)
        return std::unexpected(sys_err(where(), "VFIO_GROUP_SET_CONTAINER"));
    if (::ioctl(cfd, VFIO_SET_IOMMU, iommu) < 0) {
        if (errno == EPERM)
            return err(EPERM, where() + ": VFIO_SET_IOMMU refused: no interrupt remapping (intremap=on, or "
                                        "vfio_iommu_type1 allow_unsafe_interrupts=1)");
        return std::unexpected(sys_err(where(), "VFIO_SET_IOMMU"));
    }
    std::string name = m_addr.str();
    int dfd = ::ioctl(m_group.get(), VFIO_GROUP_GET_DEVICE_FD, name.c_str());
    if (dfd < 0)
        return std::unexpected(sys_err(where(), "VFIO_GROUP_GET_DEVICE_FD"));
    m_device = pci::UniqueFd(dfd);

    vfio_device_info info{};
    info.argsz = sizeof info;
    if (::ioctl(dfd, VFIO_DEVICE_GET_INFO, &info) < 0)
        return std::unexpected(sys_err(where(), "VFIO_DEVICE_GET_INFO"));
    if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
        return err(ENODEV, where() + ": not a PCI device");
    for (uint32_t i = 0; i < std::min<uint32_t>(info.num_regions, m_regions.size()); ++i) {
        vfio_region_info ri{};
        ri.argsz = sizeof ri;
        ri.index = i;
        if (::ioctl(dfd, VFIO_DEVICE_GET_REGION_INFO, &ri) == 0)
            m_regions[i] = Region{ri.offset, ri.size, ri.flags, nullptr};
    }
    for (IrqMode mode : {IrqMode::Intx, IrqMode::Msi, IrqMode::Msix}) {
        vfio_irq_info ii{};
        ii.argsz = sizeof ii;
        ii.index = vfio_index(mode);
        if (::ioctl(dfd, VFIO_DEVICE_GET_IRQ_INFO, &ii) == 0)
            m_irq_counts[static_cast<size_t>(mode)] = ii.count;
    }
    return {};
}

VfioDevice::~VfioDevice() {
    for (auto& r : m_regions)
        if (r.map)
            ::munmap(r.map, r.size);
    disable_irqs();
}

Result<uint32_t> VfioDevice::config_read(uint16_t offset, unsigned size) {
    const Region& cfg = m_regions[VFIO_PCI_CONFIG_REGION_INDEX];
    uint32_t v = 0;
    if (offset + size > cfg.size)
        return err(EINVAL, where() + ": config read out of range");
    if (::pread(m_device.get(), &v, size, static_cast<off_t>(cfg.offset + offset)) != static_cast<ssize_t>(size))
        return std::unexpected(sys_err(where(), "config space read"));
    return v;
}

Result<void> VfioDevice::config_write(uint16_t offset, unsigned size, uint32_t value) {
    const Region& cfg = m_regions[VFIO_PCI_CONFIG_REGION_INDEX];
    if (offset + size > cfg.size)
        return err(EINVAL, where() + ": config write out of range");
    if (::pwrite(m_device.get(), &value, size, static_cast<off_t>(cfg.offset + offset)) != static_cast<ssize_t>(size))
        return std::unexpected(sys_err(where(), "config space write"));
    return {};
}

Result<pci::RegisterWindow> VfioDevice::map_bar(unsigned bar) {
    if (bar > VFIO_PCI_BAR5_REGION_INDEX || m_regions[bar].size == 0)
        return err(ENOENT, fmt::format("{}: BAR{} is not implemented", where(), bar));
    Region& r = m_regions[bar];
    if (!(r.flags & VFIO_REGION_INFO_FLAG_MMAP))
        return err(ENOTSUP, fmt::format("{}: BAR{} cannot be mmapped (I/O port BAR?)", where(), bar));
    if (!r.map) {
        void* p = ::mmap(nullptr, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, m_device.get(), static_cast<off_t>(r.offset));
        if (p == MAP_FAILED)
            return std::unexpected(sys_err(where(), fmt::format("mmap BAR{}", bar)));
        r.map = p;
    }
    return pci::RegisterWindow(static_cast<volatile uint8_t*>(r.map), r.size);
}

Result<pci::DmaBuffer> VfioDevice::alloc_dma(size_t size) {
    if (size == 0)
        return err(EINVAL, "DMA buffer of size 0");
    auto b = std::make_unique<VfioDmaBacking>();
    b->container = m_container;
    if (m_container->noiommu) {
        auto buf = alloc_host_physical_dma(size);
        if (!buf) return err(buf.error().errnum, where() + ": " + buf.error().message());
        return buf;
    } else {
        b->size = (size + PageSize - 1) & ~(PageSize - 1);
        void* p = ::mmap(nullptr, b->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return std::unexpected(sys_err(where(), "DMA buffer mmap"));
        b->virt = p;
        std::lock_guard g(m_container->lock);
        b->iova = m_container->next_iova;
        vfio_iommu_type1_dma_map map{};
        map.argsz = sizeof map;
        map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
        map.vaddr = reinterpret_cast<uintptr_t>(p);
        map.iova = b->iova;
        map.size = b->size;
        if (::ioctl(m_container->fd.get(), VFIO_IOMMU_MAP_DMA, &map) < 0) {
            if (errno == ENOMEM) {
                rlimit rl{};
                ::getrlimit(RLIMIT_MEMLOCK, &rl);
                return err(ENOMEM, where() + ": " + memlock_message(b->size, m_container->locked, rl.rlim_cur));
            }
            return std::unexpected(sys_err(where(), "VFIO_IOMMU_MAP_DMA"));
        }
        b->mapped = true;
        m_container->next_iova += b->size + PageSize; // unmapped guard page between buffers
        m_container->locked += b->size;
    }
    auto* virt = static_cast<std::byte*>(b->virt);
    uint64_t bus = b->iova;
    size_t len = b->size;
    return pci::DmaBuffer(std::move(b), virt, bus, len);
}

Result<pci::DmaBuffer> alloc_host_physical_dma(size_t size) {
    if (size == 0)
        return err(EINVAL, "DMA buffer of size 0");
    // Without an IOMMU the device sees physical addresses, so a buffer must be
    // physically contiguous: one page, or one 2 MiB huge page.
    if (size > HugePage)
        return err(EINVAL, "noiommu DMA buffers are limited to 2 MiB");
    auto b = std::make_unique<VfioDmaBacking>();
    b->size = size <= PageSize ? PageSize : HugePage;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE | (size > PageSize ? MAP_HUGETLB : 0);
    void* p = ::mmap(nullptr, b->size, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED)
        return std::unexpected(sys_err("noiommu DMA", size > PageSize ? "a 2 MiB huge page is needed "
                                                                        "(echo 8 > /proc/sys/vm/nr_hugepages)"
                                                                      : "locked DMA page"));
    b->virt = p;
    b->iova = TRY(physical_address(p));
    auto* virt = static_cast<std::byte*>(b->virt);
    uint64_t bus = b->iova;
    size_t len = b->size;
    return pci::DmaBuffer(std::move(b), virt, bus, len);
}

int VfioDevice::container_fd() const { return m_container->fd.get(); }

Result<VfioDevice::BarRegion> VfioDevice::bar_region(unsigned bar) const {
    if (bar > VFIO_PCI_BAR5_REGION_INDEX || m_regions[bar].size == 0)
        return err(ENOENT, fmt::format("{}: the function has no BAR{}", where(), bar));
    const Region& r = m_regions[bar];
    return BarRegion{r.offset, r.size, (r.flags & VFIO_REGION_INFO_FLAG_MMAP) != 0};
}

void VfioDevice::disable_irqs() {
    if (!m_irq_mode || !m_device.valid())
        return;
    vfio_irq_set off{};
    off.argsz = sizeof off;
    off.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
    off.index = vfio_index(*m_irq_mode);
    ::ioctl(m_device.get(), VFIO_DEVICE_SET_IRQS, &off);
    m_irq_mode.reset();
}

unsigned VfioDevice::irq_count(IrqMode mode) const { return m_irq_counts[static_cast<size_t>(mode)]; }

Result<std::vector<pci::IrqEvent>> VfioDevice::enable_irqs(IrqMode mode, unsigned count) {
    if (count == 0 || count > irq_count(mode))
        return err(EINVAL, fmt::format("{}: {} offers {} vectors, asked for {}", where(), pci::irq_mode_name(mode),
                                       irq_count(mode), count));
    if (m_irq_mode && *m_irq_mode != mode)
        disable_irqs();
    std::vector<pci::IrqEvent> events;
    std::vector<uint8_t> buf(sizeof(vfio_irq_set) + count * sizeof(int32_t));
    auto* set = reinterpret_cast<vfio_irq_set*>(buf.data());
    set->argsz = static_cast<uint32_t>(buf.size());
    set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    set->index = vfio_index(mode);
    set->start = 0;
    set->count = count;
    for (unsigned i = 0; i < count; ++i) {
        pci::UniqueFd fd = TRY(pci::make_eventfd());
        int32_t raw = fd.get();
        std::memcpy(set->data + i * sizeof(int32_t), &raw, sizeof raw);
        events.emplace_back(std::move(fd));
    }
    if (::ioctl(m_device.get(), VFIO_DEVICE_SET_IRQS, set) < 0)
        return std::unexpected(sys_err(where(), fmt::format("VFIO_DEVICE_SET_IRQS ({})", pci::irq_mode_name(mode))));
    m_irq_mode = mode;
    return events;
}

Result<std::unique_ptr<pci::DmaBuffer::Backing>> VfioDevice::map_dma(std::byte* virt, size_t size, uint64_t bus) {
    // Without an IOMMU the device sees host physical addresses, which the sim's
    // physical addresses are not.
    if (m_container->noiommu)
        return err(EOPNOTSUPP, where() + ": noiommu cannot place DMA at a chosen bus address");
    if (size == 0 || size % PageSize || bus % PageSize || reinterpret_cast<uintptr_t>(virt) % PageSize)
        return err(EINVAL, where() + ": DMA mapping must be whole pages");
    auto b = std::make_unique<VfioDmaBacking>();
    b->container = m_container;
    b->size = size;
    b->iova = bus;
    vfio_iommu_type1_dma_map map{};
    map.argsz = sizeof map;
    map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    map.vaddr = reinterpret_cast<uintptr_t>(virt);
    map.iova = bus;
    map.size = size;
    std::lock_guard g(m_container->lock);
    if (::ioctl(m_container->fd.get(), VFIO_IOMMU_MAP_DMA, &map) < 0) {
        if (errno == ENOMEM) {
            rlimit rl{};
            ::getrlimit(RLIMIT_MEMLOCK, &rl);
            return err(ENOMEM, where() + ": " + memlock_message(size, m_container->locked, rl.rlim_cur));
        }
        return std::unexpected(sys_err(where(), fmt::format("VFIO_IOMMU_MAP_DMA at {:#x}", bus)));
    }
    b->mapped = true;
    m_container->locked += size;
    return std::unique_ptr<pci::DmaBuffer::Backing>(std::move(b));
}

Result<pci::UniqueFd> VfioDevice::intx_unmask_eventfd() {
    pci::UniqueFd fd = TRY(pci::make_eventfd());
    std::vector<uint8_t> buf(sizeof(vfio_irq_set) + sizeof(int32_t));
    auto* set = reinterpret_cast<vfio_irq_set*>(buf.data());
    set->argsz = static_cast<uint32_t>(buf.size());
    set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK;
    set->index = VFIO_PCI_INTX_IRQ_INDEX;
    set->start = 0;
    set->count = 1;
    int32_t raw = fd.get();
    std::memcpy(set->data, &raw, sizeof raw);
    if (::ioctl(m_device.get(), VFIO_DEVICE_SET_IRQS, set) < 0)
        return std::unexpected(sys_err(where(), "INTx unmask eventfd"));
    return fd;
}

Result<void> VfioDevice::unmask_intx() {
    vfio_irq_set set{};
    set.argsz = sizeof set;
    set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK;
    set.index = VFIO_PCI_INTX_IRQ_INDEX;
    set.start = 0;
    set.count = 1;
    if (::ioctl(m_device.get(), VFIO_DEVICE_SET_IRQS, &set) < 0)
        return std::unexpected(sys_err(where(), "INTx unmask"));
    return {};
}

} // namespace redox::vfio
