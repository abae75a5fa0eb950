#include "model/model_device.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace redox::pci {

namespace {
// Returns the aligned allocation to the heap when the buffer dies and drops its entry.
struct ModelBacking final : DmaBuffer::Backing {
    std::shared_ptr<ModelDmaSpace> space;
    uint64_t bus;
    std::byte* virt;
    ~ModelBacking() override {
        space->release(bus);
        std::free(virt);
    }
};
// Memory the driver owns: only the table entry goes.
struct AdoptedBacking final : DmaBuffer::Backing {
    std::shared_ptr<ModelDmaSpace> space;
    uint64_t bus;
    ~AdoptedBacking() override { space->release(bus); }
};
constexpr size_t PageSize = 4096;
} // namespace

Result<std::unique_ptr<DmaBuffer::Backing>> ModelDmaSpace::adopt(std::byte* virt, size_t size, uint64_t bus,
                                                                 std::shared_ptr<ModelDmaSpace> self) {
    if (size == 0 || !virt)
        return err(EINVAL, "DMA mapping of size 0");
    {
        std::lock_guard g(m_lock);
        auto next = m_regions.lower_bound(bus);
        if (next != m_regions.end() && next->first < bus + size)
            return err(EEXIST, "DMA mapping overlaps another buffer");
        if (next != m_regions.begin()) {
            auto prev = std::prev(next);
            if (prev->first + prev->second.size > bus)
                return err(EEXIST, "DMA mapping overlaps another buffer");
        }
        m_regions[bus] = Region{virt, size};
    }
    auto b = std::make_unique<AdoptedBacking>();
    b->space = std::move(self);
    b->bus = bus;
    return std::unique_ptr<DmaBuffer::Backing>(std::move(b));
}

Result<DmaBuffer> ModelDmaSpace::alloc(size_t size, std::shared_ptr<ModelDmaSpace> self) {
    if (size == 0)
        return err(EINVAL, "DMA buffer of size 0");
    size_t rounded = (size + PageSize - 1) & ~(PageSize - 1);
    auto* virt = static_cast<std::byte*>(std::aligned_alloc(PageSize, rounded));
    if (!virt)
        return err(ENOMEM, "DMA buffer allocation");
    std::memset(virt, 0, rounded);
    uint64_t bus;
    {
        std::lock_guard g(m_lock);
        bus = m_next_bus;
        m_next_bus += rounded + 16 * PageSize;
        m_regions[bus] = Region{virt, rounded};
    }
    auto backing = std::make_unique<ModelBacking>();
    backing->space = std::move(self);
    backing->bus = bus;
    backing->virt = virt;
    return DmaBuffer(std::move(backing), virt, bus, rounded);
}

std::byte* ModelDmaSpace::translate(uint64_t bus, size_t len) {
    std::lock_guard g(m_lock);
    auto it = m_regions.upper_bound(bus);
    if (it == m_regions.begin())
        return nullptr;
    --it;
    uint64_t off = bus - it->first;
    if (off > it->second.size || len > it->second.size - off)
        return nullptr;
    return it->second.virt + off;
}

void ModelDmaSpace::release(uint64_t bus) {
    std::lock_guard g(m_lock);
    m_regions.erase(bus);
}

ModelDevice::ModelDevice(std::string name, PciId id) : m_name(std::move(name)) {
    cfg_store(cfg::VendorId, 2, id.vendor);
    cfg_store(cfg::DeviceId, 2, id.device);
    cfg_store(cfg::Revision, 1, id.revision);
    cfg_store(cfg::ProgIf, 1, id.interface);
    cfg_store(cfg::Subclass, 1, id.subclass);
    cfg_store(cfg::Class, 1, id.class_code);
    cfg_store(cfg::InterruptPin, 1, 1);
}

void ModelDevice::cfg_store(uint16_t offset, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i)
        m_config[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

uint32_t ModelDevice::cfg_load(uint16_t offset, unsigned size) const {
    uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i)
        v |= uint32_t{m_config[offset + i]} << (8 * i);
    return v;
}

Result<uint32_t> ModelDevice::config_read(uint16_t offset, unsigned size) {
    if ((size != 1 && size != 2 && size != 4) || offset + size > m_config.size())
        return err(EINVAL, m_name + ": config read out of range");
    if (m_removed)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    return cfg_load(offset, size);
}

Result<void> ModelDevice::config_write(uint16_t offset, unsigned size, uint32_t value) {
    if ((size != 1 && size != 2 && size != 4) || offset + size > m_config.size())
        return err(EINVAL, m_name + ": config write out of range");
    if (m_removed)
        return {};
    // Only the command register is writable; BARs are assigned by the model itself.
    if (offset == cfg::Command && size >= 2) {
        uint16_t mask = cfg::CmdMemory | cfg::CmdBusMaster | cfg::CmdIntxDisable;
        cfg_store(cfg::Command, 2, value & mask);
    }
    return {};
}

void ModelDevice::add_bar(unsigned bar, size_t size) {
    m_bar_size[bar] = size;
    // A plausible 32-bit memory BAR address so lspci-like code sees something.
    cfg_store(cfg::Bar0 + 4 * bar, 4, 0xFE00'0000u + static_cast<uint32_t>(bar) * 0x10'0000u);
}

void ModelDevice::add_capability(uint8_t id, std::span<const uint8_t> body) {
    uint16_t at = m_next_cap;
    m_config[at] = id;
    m_config[at + 1] = 0;
    std::memcpy(&m_config[at + 2], body.data(), body.size());
    if (m_last_cap)
        m_config[m_last_cap + 1] = static_cast<uint8_t>(at);
    else
        m_config[cfg::CapPtr] = static_cast<uint8_t>(at);
    cfg_store(cfg::Status, 2, cfg_load(cfg::Status, 2) | cfg::StatusCapList);
    m_last_cap = at;
    m_next_cap = static_cast<uint16_t>((at + 2 + body.size() + 3) & ~3u);
}

void ModelDevice::add_msi_capability() {
    const uint8_t body[] = {0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; // 64-bit capable
    add_capability(cfg::CapMsi, body);
    m_msi = true;
}

void ModelDevice::add_msix_capability(unsigned vectors) {
    uint16_t ctl = static_cast<uint16_t>(vectors - 1);
    const uint8_t body[] = {static_cast<uint8_t>(ctl), static_cast<uint8_t>(ctl >> 8), 0, 0, 0, 0, 0, 0, 0, 0};
    add_capability(cfg::CapMsix, body);
    m_msix_vectors = vectors;
}

Result<RegisterWindow> ModelDevice::map_bar(unsigned bar) {
    if (bar >= m_bar_size.size() || m_bar_size[bar] == 0)
        return err(ENOENT, m_name + ": BAR" + std::to_string(bar) + " is not implemented");
    return RegisterWindow(this, bar, m_bar_size[bar]);
}

Result<DmaBuffer> ModelDevice::alloc_dma(size_t size) { return m_dma->alloc(size, m_dma); }

Result<std::unique_ptr<DmaBuffer::Backing>> ModelDevice::map_dma(std::byte* virt, size_t size, uint64_t bus) {
    return m_dma->adopt(virt, size, bus, m_dma);
}

unsigned ModelDevice::irq_count(IrqMode mode) const {
    switch (mode) {
    case IrqMode::Intx: return m_intx ? 1 : 0;
    case IrqMode::Msi: return m_msi ? 1 : 0;
    case IrqMode::Msix: return m_msix_vectors;
    }
    return 0;
}

Result<std::vector<IrqEvent>> ModelDevice::enable_irqs(IrqMode mode, unsigned count) {
    if (count == 0 || count > irq_count(mode))
        return err(EINVAL, m_name + ": " + irq_mode_name(mode) + " offers " + std::to_string(irq_count(mode)) +
                               " vectors, asked for " + std::to_string(count));
    std::vector<IrqEvent> events;
    std::vector<UniqueFd> mine;
    for (unsigned i = 0; i < count; ++i) {
        UniqueFd fd = TRY(make_eventfd());
        int dup = ::dup(fd.get());
        if (dup < 0)
            return err(errno, "dup eventfd");
        mine.emplace_back(dup);
        events.emplace_back(std::move(fd));
    }
    m_irq_fds = std::move(mine);
    m_irq_mode = mode;
    m_intx_masked = false;
    m_intx_pending = false;
    return events;
}

Result<void> ModelDevice::unmask_intx() {
    if (m_irq_mode != IrqMode::Intx)
        return err(EINVAL, m_name + ": INTx is not enabled");
    m_intx_masked = false;
    if (std::exchange(m_intx_pending, false))
        raise_irq(0);
    return {};
}

void ModelDevice::raise_irq(unsigned vector) {
    if (!m_irq_mode || m_removed)
        return;
    if (*m_irq_mode == IrqMode::Intx) {
        if (cfg_load(cfg::Command, 2) & cfg::CmdIntxDisable)
            return;
        if (m_intx_masked) {
            m_intx_pending = true;
            return;
        }
        m_intx_masked = true;
        vector = 0;
    }
    if (vector >= m_irq_fds.size())
        return;
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(m_irq_fds[vector].get(), &one, sizeof one);
}

uint64_t ModelDevice::mmio_read(unsigned bar, uint64_t offset, unsigned size) {
    if (m_removed)
        return ~uint64_t{0};
    return bar_read(bar, offset, size);
}

void ModelDevice::mmio_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
    if (m_removed)
        return;
    bar_write(bar, offset, size, value);
}

std::byte* ModelDevice::dma_span(uint64_t bus, size_t len) {
    std::byte* p = nullptr;
    if (!m_removed && (cfg_load(cfg::Command, 2) & cfg::CmdBusMaster))
        p = m_dma->translate(bus, len);
    if (!p)
        ++m_dma_faults;
    return p;
}

bool ModelDevice::dma_read(uint64_t bus, void* dst, size_t len) {
    std::byte* p = dma_span(bus, len);
    if (p)
        std::memcpy(dst, p, len);
    return p != nullptr;
}

bool ModelDevice::dma_write(uint64_t bus, const void* src, size_t len) {
    std::byte* p = dma_span(bus, len);
    if (p)
        std::memcpy(p, src, len);
    return p != nullptr;
}

} // namespace redox::pci
