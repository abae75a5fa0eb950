// DMA-able memory: the CPU's view (a pointer) and the device's view (a bus address).
// Over VFIO type1 the bus address is an IOVA we chose and mapped; over noiommu it is
// the physical address; over a device model it is a key into the model's DMA table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <utility>

namespace redox::pci {

class DmaBuffer {
public:
    // Whatever must be undone when the buffer dies (munmap, VFIO unmap, table entry).
    struct Backing {
        virtual ~Backing() = default;
    };

    DmaBuffer() = default;
    DmaBuffer(std::unique_ptr<Backing> backing, std::byte* virt, uint64_t bus, size_t size)
        : m_backing(std::move(backing)), m_virt(virt), m_bus(bus), m_size(size) {}
    DmaBuffer(DmaBuffer&& o) noexcept { *this = std::move(o); }
    DmaBuffer& operator=(DmaBuffer&& o) noexcept {
        // Release our backing before taking the other's, so unmaps happen in order.
        m_backing = std::move(o.m_backing);
        m_virt = std::exchange(o.m_virt, nullptr);
        m_bus = std::exchange(o.m_bus, 0);
        m_size = std::exchange(o.m_size, 0);
        return *this;
    }

    std::byte* data() const { return m_virt; }
    uint64_t bus_addr() const { return m_bus; }
    uint64_t bus_addr(size_t offset) const { return m_bus + offset; }
    size_t size() const { return m_size; }
    std::span<std::byte> bytes() const { return {m_virt, m_size}; }
    bool valid() const { return m_virt != nullptr; }
    void zero() const { std::memset(m_virt, 0, m_size); }

    // Typed view of a descriptor or ring slot; the layout types carry size asserts.
    template <typename T>
    T* at(size_t offset = 0) const { return reinterpret_cast<T*>(m_virt + offset); }

private:
    std::unique_ptr<Backing> m_backing;
    std::byte* m_virt = nullptr;
    uint64_t m_bus = 0;
    size_t m_size = 0;
};

} // namespace redox::pci
