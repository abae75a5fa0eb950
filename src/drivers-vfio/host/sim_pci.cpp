#include "host/sim_pci.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>

#include "host/pcid_device.h"
#include "schemes/libredox.h"

namespace redox::host {

namespace {

constexpr size_t kPage = 4096;

// The memory scheme's pages, mapped here and placed for the device. The handle
// stays open while the buffer lives: closing it gives the physical range back.
struct SimDmaBacking final : pci::DmaBuffer::Backing {
    int handle = -1;
    sys::MappedRegion region;
    std::unique_ptr<pci::DmaBuffer::Backing> device;
    ~SimDmaBacking() override {
        device.reset();  // the device lets go first, then the pages and the range
        region = sys::MappedRegion();
        if (handle >= 0) (void)sys::close(handle);
    }
};

} // namespace

// One vector of the irq scheme. Reading the handle returns the interrupt count
// while one is unacknowledged; MSI and MSI-X are acknowledged at once (edge
// triggered), INTx when the driver unmasks, after it cleared the cause.
class SimIrq final : public pci::IrqSource {
public:
    SimIrq(int handle, bool level) : m_handle(handle), m_level(level) {
        // The vector's count, published by the kernel-sim (read-only page).
        if (auto page = sys::fmap(handle, 0, kPage, PROT_READ_ | MAP_SHARED_)) m_page = std::move(*page);
    }
    ~SimIrq() override {
        if (m_queue >= 0) (void)sys::close(m_queue);
        (void)sys::close(m_handle);
    }

    bool maybe_pending() const override {
        if (!m_page.data()) return true;  // no page: ask the handle
        return __atomic_load_n(static_cast<const uint64_t*>(m_page.data()), __ATOMIC_SEQ_CST) != m_seen;
    }

    uint64_t consume() override {
        uint64_t count = 0;
        auto n = sys::read(m_handle, &count, sizeof count);
        if (!n || *n != sizeof count || count == m_seen) return 0;  // none, or read and not yet acknowledged
        uint64_t fired = count > m_seen ? count - m_seen : 1;
        m_seen = count;
        if (m_level) m_unacked = count;
        else (void)sys::write(m_handle, &count, sizeof count);
        return fired;
    }

    Result<bool> wait(int timeout_ms) override {
        using Clock = std::chrono::steady_clock;
        auto deadline = Clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
        // A level-triggered line read earlier and not unmasked since would
        // stay ready: acknowledge it before sleeping.
        ack();
        for (;;) {
            if (consume()) return true;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) return false;
            if (m_queue < 0) {
                m_queue = TRY(sys::open("/scheme/event", O_RDWR_ | O_CLOEXEC_));
                Event sub{uint64_t(m_handle), EVENT_READ, 0};
                TRY(sys::write(m_queue, &sub, sizeof sub));
            }
            // A timeout armed by an earlier wait may end this one early: the loop
            // looks at the clock again.
            Event timeout{EVENT_TIMEOUT_ID, 0, uint64_t(left)};
            TRY(sys::write(m_queue, &timeout, sizeof timeout));
            Event got[4];
            TRY(sys::read(m_queue, got, sizeof got));
        }
    }

    // INTx: acknowledge the interrupt read last (the kernel unmasks the line).
    void ack() {
        if (!m_unacked) return;
        (void)sys::write(m_handle, &m_unacked, sizeof m_unacked);
        m_unacked = 0;
    }

private:
    int m_handle;
    bool m_level;
    int m_queue = -1;
    sys::MappedRegion m_page;
    uint64_t m_seen = 0;
    uint64_t m_unacked = 0;
};

SimPciDevice::SimPciDevice(std::unique_ptr<pci::PciDevice> inner) : m_inner(std::move(inner)) {}

SimPciDevice::~SimPciDevice() {
    if (m_translation >= 0) (void)sys::close(m_translation);
}

Result<pci::DmaBuffer> SimPciDevice::alloc_dma(size_t size) {
    if (size == 0) return err(EINVAL, "DMA buffer of size 0");
    if (m_backend_dma) return m_inner->alloc_dma(size);
    size_t len = (size + kPage - 1) & ~(kPage - 1);
    auto fail = [this](const Error& e, const char* what) {
        return Error{e.errnum, fmt::format("{}: DMA memory: {}: {}", name(), what, e.message())};
    };
    auto mem = sys::open("/scheme/memory/zeroed?phys_contiguous", O_RDWR_ | O_CLOEXEC_);
    if (!mem) return std::unexpected(fail(mem.error(), "open /scheme/memory/zeroed?phys_contiguous"));
    auto backing = std::make_unique<SimDmaBacking>();
    backing->handle = *mem;
    auto region = sys::fmap(*mem, 0, len, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_);
    if (!region) return std::unexpected(fail(region.error(), "fmap"));
    if (m_translation < 0) {
        auto t = sys::open("/scheme/memory/translation", O_RDWR_ | O_CLOEXEC_);
        if (!t) return std::unexpected(fail(t.error(), "open /scheme/memory/translation"));
        m_translation = *t;
    }
    uint64_t phys = reinterpret_cast<uintptr_t>(region->data());
    if (auto r = sys::call(m_translation, &phys, sizeof phys, 0, {}); !r)
        return std::unexpected(fail(r.error(), "translation"));
    auto* virt = static_cast<std::byte*>(region->data());
    backing->region = std::move(*region);
    auto placed = m_inner->map_dma(virt, len, phys);
    if (!placed && placed.error().errnum == EOPNOTSUPP) {
        // The device cannot see memory at a chosen address (VFIO without an
        // IOMMU: it sees host physical addresses): the backend's own DMA buffers.
        m_backend_dma = true;
        return m_inner->alloc_dma(size);
    }
    if (!placed) return std::unexpected(placed.error());
    backing->device = std::move(*placed);
    return pci::DmaBuffer(std::move(backing), virt, phys, len);
}

Result<std::vector<pci::IrqEvent>> SimPciDevice::enable_irqs(pci::IrqMode mode, unsigned count) {
    // A host function's interrupts are pcid's to route (it owns the VFIO
    // device); a model's eventfds are this process's to bind.
    auto* pcid = dynamic_cast<PcidDevice*>(m_inner.get());
    std::vector<pci::IrqEvent> fds;
    if (pcid) {
        if (count == 0 || count > pcid->irq_count(mode))
            return err(EINVAL, fmt::format("{}: {} offers {} vectors, asked for {}", name(), pci::irq_mode_name(mode),
                                           pcid->irq_count(mode), count));
        fds.resize(count);
    } else {
        fds = TRY(m_inner->enable_irqs(mode, count));
    }
    std::vector<int> handles;
    m_intx.reset();
    m_intx_unmask_bound = false;
    std::vector<pci::IrqEvent> out;
    // The vectors the irq scheme lists as free; another driver may take one
    // first (EEXIST), then the next is tried.
    std::vector<std::string> free;
    size_t next = 0;
    if (mode != pci::IrqMode::Intx) {
        auto listed = sys::read_dir("/scheme/irq/cpu-00");
        if (!listed) return err(listed.error().errnum, name() + ": /scheme/irq/cpu-00: " + listed.error().message());
        for (auto& d : *listed) free.push_back(d.name);
    }
    for (auto& fd : fds) {
        // The vector: INTx on its legacy line (the one config space names, or
        // 11 when the function has none), MSI/MSI-X on a free cpu-00 vector.
        Result<int> handle = err(ENOSPC, "no free vector");
        std::string path = "/scheme/irq/cpu-00";
        if (mode == pci::IrqMode::Intx) {
            uint32_t line = m_inner->config_read(pci::cfg::InterruptLine, 1).value_or(0);
            if (line == 0 || line >= 16) line = 11;
            path = fmt::format("/scheme/irq/{}", line);
            handle = sys::open(path, O_RDWR_ | O_CLOEXEC_);
        } else {
            while (next < free.size()) {
                path = "/scheme/irq/cpu-00/" + free[next++];
                handle = sys::open(path, O_RDWR_ | O_CREAT_ | O_CLOEXEC_);
                if (handle || handle.error().errnum != EEXIST_) break;
            }
        }
        if (!handle)
            return err(handle.error().errnum, fmt::format("{}: {}: {}", name(), path, handle.error().message()));
        auto irq = std::make_shared<SimIrq>(*handle, mode == pci::IrqMode::Intx);
        if (mode == pci::IrqMode::Intx) m_intx = irq;
        out.emplace_back(std::shared_ptr<pci::IrqSource>(irq));
        handles.push_back(*handle);
        if (pcid) continue;
        const uint64_t bind_trigger[2] = {1, uint64_t(fd.fd())};
        if (auto r = sys::call(*handle, nullptr, 0, 0, bind_trigger); !r)
            return err(r.error().errnum, fmt::format("{}: binding {} to {}: {}", name(), pci::irq_mode_name(mode), path,
                                                     r.error().message()));
        if (mode == pci::IrqMode::Intx) {
            if (auto unmask = m_inner->intx_unmask_eventfd()) {
                const uint64_t bind_unmask[2] = {2, uint64_t(unmask->get())};
                if (auto r = sys::call(*handle, nullptr, 0, 0, bind_unmask); !r)
                    return err(r.error().errnum, fmt::format("{}: binding the INTx unmask to {}: {}", name(), path,
                                                             r.error().message()));
                m_intx_unmask_bound = true;
            }
        }
    }
    if (pcid) m_intx_unmask_bound = TRY(pcid->route_irqs(mode, handles));
    // The kernel-sim holds its own references now; the backend keeps its own.
    return out;
}

Result<void> SimPciDevice::unmask_intx() {
    if (m_intx) m_intx->ack();
    if (m_intx_unmask_bound) return {};  // the acknowledge unmasked the line
    return m_inner->unmask_intx();
}

} // namespace redox::host
