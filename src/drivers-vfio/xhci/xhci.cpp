#include "xhci/xhci.h"

#include <unistd.h>

#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace redox::xhci {

using pci::Mmio;

namespace {
using Clock = std::chrono::steady_clock;
constexpr uint32_t CommandTrbs = 64;
constexpr uint32_t EventTrbs = 64;

template <typename F>
bool poll_until(int timeout_ms, F&& cond) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!cond()) {
        if (Clock::now() > deadline)
            return false;
        ::usleep(50);
    }
    return true;
}

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}
} // namespace

Result<std::unique_ptr<Xhci>> Xhci::create(pci::PciDevice& dev, Options opts) {
    auto hc = std::unique_ptr<Xhci>(new Xhci(dev, opts));
    TRY(hc->init());
    return hc;
}

Result<void> Xhci::health() const {
    if (m_failed)
        return err(EIO, m_failure);
    if (op_read(op::Usbsts) == 0xFFFFFFFF)
        return err(EIO, "xhci " + m_dev.name() + ": device removed (registers read all ones)");
    return {};
}

Result<void> Xhci::init() {
    pci::PciId id = TRY(m_dev.id());
    if (id.class_code != 0x0C || id.subclass != 0x03 || id.interface != 0x30)
        return err(ENODEV, "xhci " + m_dev.name() + ": not an xHCI controller (class 0c:03:30)");
    TRY(m_dev.enable_bus_master());
    m_regs = TRY(m_dev.map_bar(0));
    uint32_t caps = m_regs.read<uint32_t>(cap::Caplength);
    if (caps == 0xFFFFFFFF)
        return err(EIO, "xhci " + m_dev.name() + ": device removed (registers read all ones)");
    m_op = caps & 0xFF;
    m_rt = m_regs.read<uint32_t>(cap::Rtsoff) & ~0x1Fu;
    m_db = m_regs.read<uint32_t>(cap::Dboff) & ~0x3u;
    uint32_t hcs1 = m_regs.read<uint32_t>(cap::Hcsparams1);
    m_max_slots = std::min(hcs1 & 0xFF, 16u);
    m_max_ports = hcs1 >> 24;
    uint32_t hcs2 = m_regs.read<uint32_t>(cap::Hcsparams2);
    if ((((hcs2 >> 21) & 0x1F) << 5 | (hcs2 >> 27)) != 0)
        return err(ENOTSUP, "xhci " + m_dev.name() + ": scratchpad buffers are not supported yet");
    if (m_regs.read<uint32_t>(cap::Hccparams1) & (1u << 2))
        return err(ENOTSUP, "xhci " + m_dev.name() + ": 64-byte contexts are not supported yet");

    TRY(reset_controller());
    op_write(op::Config, m_max_slots);
    m_dcbaa = TRY(m_dev.alloc_dma(256 * 8));
    m_regs.write<uint32_t>(m_op + op::Dcbaap, static_cast<uint32_t>(m_dcbaa.bus_addr()));
    m_regs.write<uint32_t>(m_op + op::Dcbaap + 4, static_cast<uint32_t>(m_dcbaa.bus_addr() >> 32));
    m_cmd = TRY(ProducerRing::create(m_dev, CommandTrbs));
    uint64_t crcr = m_cmd.base() | CrcrRcs;
    m_regs.write<uint32_t>(m_op + op::Crcr, static_cast<uint32_t>(crcr));
    m_regs.write<uint32_t>(m_op + op::Crcr + 4, static_cast<uint32_t>(crcr >> 32));

    m_events = TRY(EventRing::create(m_dev, EventTrbs));
    m_regs.write<uint32_t>(m_rt + rt::Erstsz, 1);
    m_regs.write<uint32_t>(m_rt + rt::Erdp, static_cast<uint32_t>(m_events.segment()));
    m_regs.write<uint32_t>(m_rt + rt::Erdp + 4, static_cast<uint32_t>(m_events.segment() >> 32));
    // ERSTBA last: writing it makes the controller read the table.
    m_regs.write<uint32_t>(m_rt + rt::Erstba, static_cast<uint32_t>(m_events.erst()));
    m_regs.write<uint32_t>(m_rt + rt::Erstba + 4, static_cast<uint32_t>(m_events.erst() >> 32));

    if (m_dev.irq_count(pci::IrqMode::Msix))
        m_irq_mode = pci::IrqMode::Msix;
    else if (m_dev.irq_count(pci::IrqMode::Msi))
        m_irq_mode = pci::IrqMode::Msi;
    auto irqs = TRY(m_dev.enable_irqs(m_irq_mode, 1));
    m_irq = std::move(irqs[0]);
    m_regs.write<uint32_t>(m_rt + rt::Imod, 4000); // 1 ms moderation, in 250 ns units
    m_regs.write<uint32_t>(m_rt + rt::Iman, ImanIe | ImanIp);

    m_control_buf = TRY(m_dev.alloc_dma(4096));
    op_write(op::Usbcmd, CmdRun | CmdInte);
    if (!poll_until(m_opts.timeout_ms, [&] { return !(op_read(op::Usbsts) & StsHch); }))
        return err(EIO, "xhci " + m_dev.name() + ": controller did not start");
    TRY(noop());

    for (unsigned p = 1; p <= m_max_ports; ++p) {
        uint32_t sc = m_regs.read<uint32_t>(m_op + op::Portsc + 0x10 * (p - 1));
        if (!(sc & PortCcs))
            continue;
        TRY(enumerate(p));
    }
    return {};
}

Result<void> Xhci::reset_controller() {
    if (!poll_until(m_opts.timeout_ms, [&] { return !(op_read(op::Usbsts) & StsCnr); }))
        return err(EIO, "xhci " + m_dev.name() + ": controller not ready");
    op_write(op::Usbcmd, op_read(op::Usbcmd) & ~CmdRun);
    if (!poll_until(m_opts.timeout_ms, [&] { return op_read(op::Usbsts) & StsHch; }))
        return err(EIO, "xhci " + m_dev.name() + ": controller did not halt");
    op_write(op::Usbcmd, CmdHcrst);
    if (!poll_until(m_opts.timeout_ms,
                    [&] { return !(op_read(op::Usbcmd) & CmdHcrst) && !(op_read(op::Usbsts) & StsCnr); }))
        return err(EIO, "xhci " + m_dev.name() + ": controller reset did not complete");
    return {};
}

std::vector<PortInfo> Xhci::ports() const {
    std::vector<PortInfo> out;
    for (unsigned p = 1; p <= m_max_ports; ++p) {
        uint32_t sc = m_regs.read<uint32_t>(m_op + op::Portsc + 0x10 * (p - 1));
        out.push_back(PortInfo{p, bool(sc & PortCcs), bool(sc & PortPed), port_speed(sc)});
    }
    return out;
}

Result<void> Xhci::drain_events() {
    TRY(health());
    Trb t;
    bool any = false;
    while (m_events.pop(t)) {
        any = true;
        uint32_t code = t.status >> 24;
        uint8_t slot = static_cast<uint8_t>(t.control >> 24);
        switch (trb_type(t.control)) {
        case trb::CommandCompletion:
            m_done[t.param] = Completion{code, 0, slot};
            break;
        case trb::TransferEvent: {
            unsigned dci = (t.control >> 16) & 0x1F;
            InterruptPipe* pipe = nullptr;
            for (auto& p : m_pipes)
                if (p.slot == slot && p.dci == dci)
                    pipe = &p;
            if (!pipe) {
                m_done[t.param] = Completion{code, t.status & 0xFFFFFF, slot};
                break;
            }
            auto it = pipe->trb_buffer.find(t.param);
            if (it == pipe->trb_buffer.end())
                break;
            unsigned idx = it->second;
            pipe->trb_buffer.erase(it);
            if (code == cc::Success || code == cc::ShortPacket) {
                uint32_t got = pipe->packet - std::min<uint32_t>(t.status & 0xFFFFFF, pipe->packet);
                const auto* data = reinterpret_cast<const uint8_t*>(pipe->buffers.data()) + idx * size_t{pipe->packet};
                m_reports.emplace_back(slot, std::vector<uint8_t>(data, data + got));
            }
            // Give the buffer back to the device at once, so no report is missed.
            uint64_t at = pipe->ring.push(Trb{pipe->buffers.bus_addr(idx * size_t{pipe->packet}), pipe->packet,
                                              type_bits(trb::Normal) | TrbIoc | TrbIsp});
            pipe->trb_buffer[at] = idx;
            ring_doorbell(slot, dci);
            break;
        }
        default:
            break; // port status changes: ports() reads PORTSC directly
        }
    }
    if (any) {
        uint64_t erdp = m_events.dequeue_pointer() | ErdpEhb;
        m_regs.write<uint32_t>(m_rt + rt::Erdp, static_cast<uint32_t>(erdp));
        m_regs.write<uint32_t>(m_rt + rt::Erdp + 4, static_cast<uint32_t>(erdp >> 32));
    }
    return {};
}

Result<Xhci::Completion> Xhci::wait_for(uint64_t trb, int timeout_ms) {
    auto [at, c] = TRY(wait_any({trb}, timeout_ms));
    (void)at;
    return c;
}

Result<std::pair<uint64_t, Xhci::Completion>> Xhci::wait_any(std::initializer_list<uint64_t> trbs, int timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        TRY(drain_events());
        for (uint64_t trb : trbs) {
            if (auto it = m_done.find(trb); it != m_done.end()) {
                Completion c = it->second;
                m_done.erase(it);
                return std::pair{trb, c};
            }
        }
        int left = remaining_ms(deadline);
        if (left == 0) {
            m_failed = true;
            m_failure = fmt::format("xhci {}: no completion after {} ms", m_dev.name(), timeout_ms);
            return err(EIO, m_failure);
        }
        if (TRY(m_irq.wait(std::min(left, 20)))) {
            m_regs.write<uint32_t>(m_rt + rt::Iman, ImanIe | ImanIp);
            op_write(op::Usbsts, StsEint);
            if (m_irq_mode == pci::IrqMode::Intx)
                TRY(m_dev.unmask_intx());
        }
    }
}

Result<Xhci::Completion> Xhci::command(Trb t) {
    TRY(health());
    uint64_t at = m_cmd.push(t);
    ring_doorbell(0, 0);
    Completion c = TRY(wait_for(at, m_opts.timeout_ms));
    if (c.code != cc::Success)
        return err(EIO, fmt::format("xhci {}: command type {} failed with completion code {}", m_dev.name(),
                                    trb_type(t.control), c.code));
    return c;
}

Result<void> Xhci::noop() {
    TRY(command(Trb{0, 0, type_bits(trb::NoOpCommand)}));
    return {};
}

Result<void> Xhci::handle_irq() {
    if (!m_irq.maybe_pending() || !m_irq.consume())
        return {};
    m_regs.write<uint32_t>(m_rt + rt::Iman, ImanIe | ImanIp);
    op_write(op::Usbsts, StsEint);
    if (m_irq_mode == pci::IrqMode::Intx)
        TRY(m_dev.unmask_intx());
    return {};
}

Result<size_t> Xhci::poll_events(const ReportSink& sink) {
    TRY(drain_events());
    size_t n = 0;
    while (!m_reports.empty()) {
        auto [slot, data] = std::move(m_reports.front());
        m_reports.pop_front();
        sink(slot, data);
        ++n;
    }
    return n;
}

Result<size_t> Xhci::wait_reports(const ReportSink& sink, int timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        size_t n = TRY(poll_events(sink));
        if (n)
            return n;
        int left = remaining_ms(deadline);
        if (left == 0)
            return size_t{0};
        if (TRY(m_irq.wait(left))) {
            m_regs.write<uint32_t>(m_rt + rt::Iman, ImanIe | ImanIp);
            if (m_irq_mode == pci::IrqMode::Intx)
                TRY(m_dev.unmask_intx());
        }
    }
}

} // namespace redox::xhci
