#include "nvme/nvme.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace redox::nvme {

using pci::Mmio;

namespace {
using Clock = std::chrono::steady_clock;
constexpr size_t BounceMax = 128 * 1024;
constexpr uint32_t AdminEntries = 32;

std::string ascii_field(const std::byte* p, size_t n) {
    std::string s(reinterpret_cast<const char*>(p), n);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    return s;
}

const char* status_name(uint16_t st) {
    switch (st) {
    case status::InvalidOpcode: return "invalid opcode";
    case status::InvalidField: return "invalid field";
    case status::DataTransferError: return "data transfer error";
    case status::InvalidNamespace: return "invalid namespace";
    case status::LbaOutOfRange: return "LBA out of range";
    case status::InvalidQueueId: return "invalid queue id";
    default: return "error";
    }
}

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}
} // namespace

Result<std::unique_ptr<Nvme>> Nvme::create(pci::PciDevice& dev, Options opts) {
    if (opts.io_queue_entries < 2 || opts.io_queue_entries > 1024)
        return err(EINVAL, "nvme: I/O queue entries must be 2..1024");
    auto ctrl = std::unique_ptr<Nvme>(new Nvme(dev, opts));
    TRY(ctrl->init());
    return ctrl;
}

Nvme::~Nvme() {
    if (!m_regs.valid() || m_failed)
        return;
    // Normal shutdown notification, so a real controller flushes its caches.
    Mmio<uint32_t> cc(m_regs, reg::Cc);
    cc.write((cc.read() & ~(3u << 14)) | CcShnNormal);
    auto deadline = Clock::now() + std::chrono::milliseconds(std::min(m_opts.timeout_ms, 500));
    for (;;) {
        uint32_t csts = m_regs.read<uint32_t>(reg::Csts);
        if (csts == 0xFFFFFFFF || (csts & CstsShstMask) == CstsShstDone || Clock::now() > deadline)
            break; // removed, done, or not answering: nothing more to wait for
        ::usleep(100);
    }
}

Error Nvme::failure(std::string what) {
    m_failed = true;
    m_failure = fmt::format("nvme {}: {}", m_dev.name(), what);
    return Error(EIO, m_failure);
}

Result<void> Nvme::health() const {
    uint32_t csts = m_regs.read<uint32_t>(reg::Csts);
    if (csts == 0xFFFFFFFF)
        return err(EIO, "device removed (registers read all ones)");
    if (csts & CstsCfs)
        return err(EIO, "controller fatal status");
    return {};
}

Result<void> Nvme::wait_ready(bool ready) {
    auto deadline = Clock::now() + std::chrono::milliseconds(m_ready_timeout_ms);
    for (;;) {
        if (auto h = health(); !h)
            return std::unexpected(failure(h.error().context));
        if (bool(m_regs.read<uint32_t>(reg::Csts) & CstsRdy) == ready)
            return {};
        if (Clock::now() > deadline)
            return std::unexpected(failure(ready ? "controller did not become ready" : "controller did not reset"));
        ::usleep(100);
    }
}

Result<void> Nvme::init() {
    pci::PciId id = TRY(m_dev.id());
    if (id.class_code != 0x01 || id.subclass != 0x08)
        return err(ENODEV, "nvme " + m_dev.name() + ": not an NVMe controller (class 01:08)");
    TRY(m_dev.enable_bus_master());
    m_regs = TRY(m_dev.map_bar(0));
    m_cap = m_regs.read<uint32_t>(reg::Cap) | (uint64_t{m_regs.read<uint32_t>(reg::Cap + 4)} << 32);
    if (m_cap == ~uint64_t{0})
        return err(EIO, "nvme " + m_dev.name() + ": device removed (registers read all ones)");
    m_dstrd = cap_dstrd(m_cap);
    m_ready_timeout_ms = std::max<int>(cap_timeout_ms(m_cap), 500);

    Mmio<uint32_t> cc(m_regs, reg::Cc);
    cc.write(cc.read() & ~CcEnable);
    TRY(wait_ready(false));
    TRY(setup_irqs());
    m_admin = TRY(QueuePair::create(m_dev, m_regs, 0, AdminEntries, m_dstrd));
    Mmio<uint32_t>(m_regs, reg::Aqa).write((AdminEntries - 1) | ((AdminEntries - 1) << 16));
    Mmio<uint32_t>(m_regs, reg::Asq).write(static_cast<uint32_t>(m_admin.sq_bus()));
    Mmio<uint32_t>(m_regs, reg::Asq + 4).write(static_cast<uint32_t>(m_admin.sq_bus() >> 32));
    Mmio<uint32_t>(m_regs, reg::Acq).write(static_cast<uint32_t>(m_admin.cq_bus()));
    Mmio<uint32_t>(m_regs, reg::Acq + 4).write(static_cast<uint32_t>(m_admin.cq_bus() >> 32));
    cc.write(CcEnable | CcIosqes | CcIocqes); // NVM command set, 4 KiB pages, round robin
    TRY(wait_ready(true));

    m_identify = TRY(m_dev.alloc_dma(PageSize));
    TRY(identify());
    TRY(create_io_queues());
    return {};
}

Result<void> Nvme::setup_irqs() {
    // One vector for the admin queue and one for I/O when MSI-X allows it.
    if (m_dev.irq_count(pci::IrqMode::Msix) >= 1) {
        m_irq_mode = pci::IrqMode::Msix;
        m_irqs = TRY(m_dev.enable_irqs(m_irq_mode, std::min(2u, m_dev.irq_count(m_irq_mode))));
    } else if (m_dev.irq_count(pci::IrqMode::Msi) >= 1) {
        m_irq_mode = pci::IrqMode::Msi;
        m_irqs = TRY(m_dev.enable_irqs(m_irq_mode, 1));
    } else {
        m_irq_mode = pci::IrqMode::Intx;
        m_irqs = TRY(m_dev.enable_irqs(m_irq_mode, 1));
    }
    return {};
}

int Nvme::irq_fd() const { return m_irqs.back().fd(); }

Result<bool> Nvme::wait_vector(size_t vector, int timeout_ms) {
    bool fired = TRY(m_irqs[std::min(vector, m_irqs.size() - 1)].wait(timeout_ms));
    if (fired && m_irq_mode == pci::IrqMode::Intx)
        TRY(m_dev.unmask_intx());
    return fired;
}

Result<bool> Nvme::wait_io(int timeout_ms) { return wait_vector(1, timeout_ms); }

Result<uint32_t> Nvme::admin(SubmissionEntry e) {
    if (m_failed)
        return err(EIO, m_failure);
    e.cid = m_admin_cid++;
    m_admin.push(e);
    m_admin.ring();
    auto deadline = Clock::now() + std::chrono::milliseconds(m_opts.timeout_ms);
    for (;;) {
        std::optional<CompletionEntry> mine;
        m_admin.reap([&](const CompletionEntry& c) {
            if (c.cid == e.cid)
                mine = c;
        });
        if (mine) {
            uint16_t st = mine->status >> 1;
            if (st != status::Success)
                return err(EIO, fmt::format("nvme {}: admin opcode {:#x}: status {:#x} ({})", m_dev.name(), e.opcode,
                                            st, status_name(st)));
            return mine->result;
        }
        if (auto h = health(); !h)
            return std::unexpected(failure(h.error().context));
        int left = remaining_ms(deadline);
        if (left == 0)
            return std::unexpected(failure(fmt::format("admin opcode {:#x} timed out after {} ms", e.opcode,
                                                       m_opts.timeout_ms)));
        TRY(wait_vector(0, left));
    }
}

Result<void> Nvme::identify() {
    SubmissionEntry e{};
    e.opcode = admin::Identify;
    e.prp1 = m_identify.bus_addr();
    e.cdw10 = CnsController;
    TRY(admin(e));
    const std::byte* p = m_identify.data();
    std::memcpy(&m_info.vendor, p, 2);
    m_info.serial = ascii_field(p + ident::CtrlSerial, 20);
    m_info.model = ascii_field(p + ident::CtrlModel, 40);
    m_info.firmware = ascii_field(p + ident::CtrlFirmware, 8);
    std::memcpy(&m_info.namespaces, p + ident::CtrlNn, 4);
    auto mdts = static_cast<uint8_t>(p[ident::CtrlMdts]);
    m_info.max_transfer = mdts == 0 ? BounceMax : std::min<size_t>(BounceMax, PageSize << std::min<uint8_t>(mdts, 20));

    // The active namespace list, then each namespace's size and block format.
    e.cdw10 = CnsActiveNamespaces;
    e.nsid = 0;
    TRY(admin(e));
    std::vector<uint32_t> ids;
    for (size_t i = 0; i < PageSize / 4; ++i) {
        uint32_t nsid;
        std::memcpy(&nsid, m_identify.data() + 4 * i, 4);
        if (nsid == 0)
            break;
        ids.push_back(nsid);
    }
    for (uint32_t nsid : ids) {
        e.cdw10 = CnsNamespace;
        e.nsid = nsid;
        TRY(admin(e));
        NamespaceInfo ns{nsid};
        std::memcpy(&ns.blocks, m_identify.data() + ident::NsSize, 8);
        auto flbas = static_cast<uint8_t>(m_identify.data()[ident::NsFlbas]) & 0xF;
        uint32_t lbaf;
        std::memcpy(&lbaf, m_identify.data() + ident::NsLbaf0 + 4 * flbas, 4);
        uint32_t lbads = (lbaf >> 16) & 0xFF;
        if (lbads < 9 || lbads > 16 || ns.blocks == 0)
            continue; // a format we cannot use: leave the namespace out
        ns.block_size = 1u << lbads;
        m_namespaces.push_back(ns);
    }
    return {};
}

Result<void> Nvme::create_io_queues() {
    uint32_t entries = std::min(m_opts.io_queue_entries, cap_mqes(m_cap));
    SubmissionEntry e{};
    e.opcode = admin::SetFeatures;
    e.cdw10 = FeatureNumQueues;
    e.cdw11 = 0; // one SQ and one CQ (0-based counts)
    TRY(admin(e));

    m_io = TRY(QueuePair::create(m_dev, m_regs, 1, entries, m_dstrd));
    uint32_t vector = m_irqs.size() > 1 ? 1 : 0;
    e = {};
    e.opcode = admin::CreateCq;
    e.prp1 = m_io.cq_bus();
    e.cdw10 = ((entries - 1) << 16) | 1;
    e.cdw11 = (vector << 16) | 2 | 1; // interrupts enabled, physically contiguous
    TRY(admin(e));
    e = {};
    e.opcode = admin::CreateSq;
    e.prp1 = m_io.sq_bus();
    e.cdw10 = ((entries - 1) << 16) | 1;
    e.cdw11 = (1u << 16) | 1;
    TRY(admin(e));

    m_slots.assign(entries, Slot{});
    for (uint16_t i = static_cast<uint16_t>(entries); i-- > 0;)
        m_free.push_back(i);
    m_prp_lists = TRY(m_dev.alloc_dma(size_t{entries} * PageSize));
    m_bounce = TRY(m_dev.alloc_dma(m_info.max_transfer));
    return {};
}

Result<uint16_t> Nvme::take_slot(uint64_t tag) {
    if (m_failed)
        return err(EIO, m_failure);
    if (m_free.empty() || m_io.full())
        return err(EAGAIN, "nvme: I/O queue full");
    uint16_t cid = m_free.back();
    m_free.pop_back();
    m_slots[cid] = Slot{true, tag};
    ++m_in_flight;
    return cid;
}

Result<void> Nvme::submit_io(uint8_t opcode, uint32_t nsid, uint64_t lba, uint32_t blocks, uint64_t bus,
                             uint64_t tag) {
    const NamespaceInfo* ns = find_namespace(nsid);
    if (!ns)
        return err(ENODEV, fmt::format("nvme {}: no namespace {}", m_dev.name(), nsid));
    size_t len = size_t{blocks} * ns->block_size;
    if (blocks == 0 || blocks > 0x10000 || len > m_info.max_transfer)
        return err(EINVAL, fmt::format("nvme: transfer of {} blocks exceeds {} bytes", blocks, m_info.max_transfer));
    uint16_t cid = TRY(take_slot(tag));
    SubmissionEntry e{};
    e.opcode = opcode;
    e.cid = cid;
    e.nsid = nsid;
    e.prp1 = bus;
    e.cdw10 = static_cast<uint32_t>(lba);
    e.cdw11 = static_cast<uint32_t>(lba >> 32);
    e.cdw12 = blocks - 1;
    // PRP2: the second page, or a list of every page after the first.
    size_t first = PageSize - (bus % PageSize);
    if (len > first) {
        size_t rest = len - first;
        uint64_t next = bus + first;
        if (rest <= PageSize) {
            e.prp2 = next;
        } else {
            auto* list = m_prp_lists.at<uint64_t>(size_t{cid} * PageSize);
            for (size_t i = 0; i * PageSize < rest; ++i)
                list[i] = next + i * PageSize;
            e.prp2 = m_prp_lists.bus_addr(size_t{cid} * PageSize);
        }
    }
    m_io.push(e);
    return {};
}

Result<void> Nvme::submit_flush(uint32_t nsid, uint64_t tag) {
    uint16_t cid = TRY(take_slot(tag));
    SubmissionEntry e{};
    e.opcode = io::Flush;
    e.cid = cid;
    e.nsid = nsid;
    m_io.push(e);
    return {};
}

void Nvme::kick() { m_io.ring(); }

size_t Nvme::poll_io(const CompletionFn& done) {
    return m_io.reap([&](const CompletionEntry& c) {
        if (c.cid >= m_slots.size() || !m_slots[c.cid].busy)
            return; // a stale or forged completion: nothing waits for it
        uint64_t tag = m_slots[c.cid].tag;
        m_slots[c.cid].busy = false;
        m_free.push_back(c.cid);
        --m_in_flight;
        uint16_t st = c.status >> 1;
        if (st == status::Success)
            done(tag, {});
        else
            done(tag, err(EIO, fmt::format("nvme {}: I/O status {:#x} ({})", m_dev.name(), st, status_name(st))));
    });
}

Result<void> Nvme::sync_io(uint8_t opcode, uint32_t nsid, uint64_t lba, uint32_t blocks) {
    if (m_failed)
        return err(EIO, m_failure);
    if (m_in_flight)
        return err(EBUSY, "nvme: synchronous I/O while asynchronous commands are in flight");
    constexpr uint64_t SyncTag = ~uint64_t{0};
    if (opcode == io::Flush)
        TRY(submit_flush(nsid, SyncTag));
    else
        TRY(submit_io(opcode, nsid, lba, blocks, m_bounce.bus_addr(), SyncTag));
    kick();
    std::optional<Result<void>> result;
    TRY(wait_for_completions([&](uint64_t, Result<void> r) { result = std::move(r); }));
    return *result;
}

// Reaps until nothing is in flight, within the I/O timeout; a controller that
// stops answering (or reports a fatal status) fails the device.
Result<void> Nvme::wait_for_completions(const CompletionFn& done) {
    auto deadline = Clock::now() + std::chrono::milliseconds(m_opts.timeout_ms);
    for (;;) {
        poll_io(done);
        if (m_in_flight == 0)
            return {};
        if (auto h = health(); !h)
            return std::unexpected(failure(h.error().context));
        int left = remaining_ms(deadline);
        if (left == 0)
            return std::unexpected(failure(fmt::format("I/O timed out after {} ms", m_opts.timeout_ms)));
        TRY(wait_io(left));
    }
}

void Nvme::read_many(uint32_t nsid, std::span<block::BlockRead> reads) {
    const NamespaceInfo* ns = find_namespace(nsid);
    auto one_by_one = [&](block::BlockRead& r) { r.result = read(nsid, r.lba, r.buf); };
    if (!ns || m_in_flight || m_failed || reads.size() < 2) {
        for (auto& r : reads) one_by_one(r);
        return;
    }
    if (!m_deep.valid()) {
        auto deep = m_dev.alloc_dma(kDeepSlots * kDeepChunk);
        if (!deep) {
            for (auto& r : reads) one_by_one(r);
            return;
        }
        m_deep = std::move(*deep);
    }
    // What does not fit a slot goes first, alone (nothing is in flight yet).
    std::vector<size_t> fits;
    for (size_t i = 0; i < reads.size(); ++i) {
        block::BlockRead& r = reads[i];
        if (r.buf.empty() || r.buf.size() % ns->block_size || r.buf.size() > kDeepChunk ||
            r.buf.size() > m_info.max_transfer)
            one_by_one(r);
        else
            fits.push_back(i);
    }
    size_t slots = std::min(kDeepSlots, m_slots.size());
    size_t next = 0;
    while (next < fits.size()) {
        // A wave: as many reads as there are slots go out, then one doorbell.
        std::vector<size_t> wave;
        while (next < fits.size() && wave.size() < slots) {
            block::BlockRead& r = reads[fits[next++]];
            uint64_t bus = m_deep.bus_addr(wave.size() * kDeepChunk);
            auto queued = submit_io(io::Read, nsid, r.lba, uint32_t(r.buf.size() / ns->block_size), bus, wave.size());
            if (!queued) {
                r.result = std::unexpected(queued.error());
                continue;
            }
            r.result = err(EIO, "nvme: read not completed");
            wave.push_back(fits[next - 1]);
        }
        if (wave.empty())
            continue;
        kick();
        auto waited = wait_for_completions([&](uint64_t tag, Result<void> result) {
            if (tag >= wave.size())
                return;
            block::BlockRead& r = reads[wave[tag]];
            if (result)
                std::memcpy(r.buf.data(), m_deep.data() + tag * kDeepChunk, r.buf.size());
            r.result = std::move(result);
        });
        if (!waited) {
            // The controller is gone: what did not complete fails with it.
            for (size_t i : wave)
                if (!reads[i].result) reads[i].result = std::unexpected(waited.error());
            for (size_t i = next; i < fits.size(); ++i) reads[fits[i]].result = std::unexpected(waited.error());
            return;
        }
    }
}

const NamespaceInfo* Nvme::find_namespace(uint32_t nsid) const {
    for (auto& n : m_namespaces)
        if (n.nsid == nsid)
            return &n;
    return nullptr;
}

Result<void> Nvme::read(uint32_t nsid, uint64_t lba, std::span<std::byte> buf) {
    const NamespaceInfo* ns = find_namespace(nsid);
    if (!ns || buf.size() % ns->block_size || buf.size() > m_bounce.size())
        return err(EINVAL, "nvme: read size must be whole blocks up to the transfer limit");
    TRY(sync_io(io::Read, nsid, lba, static_cast<uint32_t>(buf.size() / ns->block_size)));
    std::memcpy(buf.data(), m_bounce.data(), buf.size());
    return {};
}

Result<void> Nvme::write(uint32_t nsid, uint64_t lba, std::span<const std::byte> buf) {
    const NamespaceInfo* ns = find_namespace(nsid);
    if (!ns || buf.size() % ns->block_size || buf.size() > m_bounce.size())
        return err(EINVAL, "nvme: write size must be whole blocks up to the transfer limit");
    std::memcpy(m_bounce.data(), buf.data(), buf.size());
    return sync_io(io::Write, nsid, lba, static_cast<uint32_t>(buf.size() / ns->block_size));
}

Result<void> Nvme::flush(uint32_t nsid) { return sync_io(io::Flush, nsid, 0, 0); }

} // namespace redox::nvme
