// Base of the in-process device models: a PciDevice whose config space, BARs, DMA and
// interrupts are simulated. Models are synchronous: a register write that starts work
// (a doorbell, a tail pointer) does that work before it returns, then signals the
// interrupt eventfd, so tests are deterministic and need no threads.
//
// DMA: alloc_dma hands out host memory under invented bus addresses; a model reaches
// driver memory only through dma_read/dma_write/dma_span, which refuse addresses no
// live buffer covers (the model then reports a DMA error as hardware would) and refuse
// everything while bus mastering is off.
//
// Faults for tests: set_removed() makes every read return all ones (surprise removal);
// subclasses offer set_stalled() to accept work and never complete it.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "pci/pci_device.h"

namespace redox::pci {

// The table of live DMA buffers, shared with the buffers so they can unregister.
class ModelDmaSpace {
public:
    Result<DmaBuffer> alloc(size_t size, std::shared_ptr<ModelDmaSpace> self);
    // Enters memory the caller owns at a bus address it chose (no overlap allowed).
    Result<std::unique_ptr<DmaBuffer::Backing>> adopt(std::byte* virt, size_t size, uint64_t bus,
                                                      std::shared_ptr<ModelDmaSpace> self);
    // A host pointer to [bus, bus+len) if one live buffer covers it entirely.
    std::byte* translate(uint64_t bus, size_t len);
    void release(uint64_t bus);

private:
    struct Region {
        std::byte* virt;
        size_t size;
    };
    std::mutex m_lock;
    std::map<uint64_t, Region> m_regions;
    // Bus addresses start high and leave a gap after each buffer, so an overrun
    // faults instead of landing in the next buffer.
    uint64_t m_next_bus = 0x8000'0000;
};

class ModelDevice : public PciDevice, public MmioHandler {
public:
    std::string name() const override { return m_name; }
    Result<uint32_t> config_read(uint16_t offset, unsigned size) override;
    Result<void> config_write(uint16_t offset, unsigned size, uint32_t value) override;
    Result<RegisterWindow> map_bar(unsigned bar) override;
    Result<DmaBuffer> alloc_dma(size_t size) override;
    Result<std::unique_ptr<DmaBuffer::Backing>> map_dma(std::byte* virt, size_t size, uint64_t bus) override;
    unsigned irq_count(IrqMode mode) const override;
    Result<std::vector<IrqEvent>> enable_irqs(IrqMode mode, unsigned count) override;
    Result<void> unmask_intx() override;

    uint64_t mmio_read(unsigned bar, uint64_t offset, unsigned size) final;
    void mmio_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) final;

    void set_removed(bool removed) { m_removed = removed; }
    bool removed() const { return m_removed; }
    // Count of DMA accesses refused (bad address or bus mastering off).
    uint64_t dma_faults() const { return m_dma_faults; }

protected:
    ModelDevice(std::string name, PciId id);

    // Subclass hooks: registers of an enabled, present device.
    virtual uint64_t bar_read(unsigned bar, uint64_t offset, unsigned size) = 0;
    virtual void bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) = 0;

    // Setup helpers for constructors.
    void add_bar(unsigned bar, size_t size);
    void add_msi_capability();
    void add_msix_capability(unsigned vectors);
    void set_intx(bool supported) { m_intx = supported; }

    // DMA into driver memory; false (and counted) if refused.
    bool dma_read(uint64_t bus, void* dst, size_t len);
    bool dma_write(uint64_t bus, const void* src, size_t len);
    std::byte* dma_span(uint64_t bus, size_t len);

    // Raise vector `vector` of whatever mode the driver enabled (INTx ignores it and
    // stays masked until unmask_intx, as VFIO does).
    void raise_irq(unsigned vector = 0);

private:
    void cfg_store(uint16_t offset, unsigned size, uint32_t value);
    uint32_t cfg_load(uint16_t offset, unsigned size) const;
    void add_capability(uint8_t id, std::span<const uint8_t> body);

    std::string m_name;
    std::array<uint8_t, 4096> m_config{};
    std::array<size_t, 6> m_bar_size{};
    uint16_t m_next_cap = 0x40;
    uint16_t m_last_cap = 0;
    bool m_intx = true;
    bool m_msi = false;
    unsigned m_msix_vectors = 0;
    std::shared_ptr<ModelDmaSpace> m_dma = std::make_shared<ModelDmaSpace>();
    std::optional<IrqMode> m_irq_mode;
    std::vector<UniqueFd> m_irq_fds;   // the model's dups of the drivers' eventfds
    bool m_intx_masked = false;
    bool m_intx_pending = false;
    bool m_removed = false;
    uint64_t m_dma_faults = 0;
};

} // namespace redox::pci
