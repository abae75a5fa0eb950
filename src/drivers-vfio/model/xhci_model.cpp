#include "model/xhci_model.h"

#include <cstring>

namespace redox::pci {

using namespace xhci;

namespace {
constexpr size_t Bar0Size = 0x4000;
constexpr unsigned KeyboardPort = 1, MousePort = 2; // 1-based root ports
constexpr uint32_t PortPowered = PortPp | (SpeedFull << 10);
} // namespace

std::unique_ptr<XhciModel> XhciModel::create() { return std::unique_ptr<XhciModel>(new XhciModel()); }

XhciModel::XhciModel() : ModelDevice("model:xhci", PciId{0x1B36, 0x000D, 0x0C, 0x03, 0x30, 0x01}) {
    add_bar(0, Bar0Size);
    add_msix_capability(4);
    reset();
}

void XhciModel::reset() {
    m_usbcmd = 0;
    m_usbsts = StsHch;
    m_config = 0;
    m_dcbaap = 0;
    m_cmd_ring = {};
    m_iman = m_imod = m_erstsz = 0;
    m_erstba = m_erdp = m_ev_base = 0;
    m_ev_size = m_ev_enq = 0;
    m_ev_cycle = true;
    for (unsigned p = 0; p < Ports; ++p)
        m_portsc[p] = PortPp;
    // The keyboard and the mouse are attached: connected, not yet enabled (need a port reset).
    m_portsc[KeyboardPort - 1] = PortPowered | PortCcs | PortCsc;
    m_portsc[MousePort - 1] = PortPowered | PortCcs | PortCsc;
    for (auto& s : m_slots)
        s = Slot{};
}

void XhciModel::press_key(uint8_t usage, uint8_t modifiers) {
    keyboard().press(usage, modifiers);
    deliver(KeyboardPort);
}

void XhciModel::move_mouse(uint8_t buttons, int8_t dx, int8_t dy, int8_t wheel) {
    mouse().move(buttons, dx, dy, wheel);
    deliver(MousePort);
}

void XhciModel::deliver(unsigned port) {
    for (uint32_t s = 1; s <= MaxSlots; ++s)
        if (m_slots[s].enabled && m_slots[s].port == port && m_slots[s].ep[3].running)
            run_interrupt(s, 3);
}

uint64_t XhciModel::bar_read(unsigned, uint64_t offset, unsigned size) {
    auto off = static_cast<uint32_t>(offset);
    if (size == 8)
        return read_reg(off) | (uint64_t{read_reg(off + 4)} << 32);
    uint32_t v = read_reg(off & ~3u);
    if (size == 4)
        return v;
    v >>= 8 * (off & 3);
    return size == 2 ? (v & 0xFFFF) : (v & 0xFF);
}

uint32_t XhciModel::read_reg(uint32_t off) {
    switch (off) {
    case cap::Caplength: return OpBase | (0x0100u << 16);
    case cap::Hcsparams1: return MaxSlots | (1u << 8) | (Ports << 24);
    case cap::Hcsparams2: return 1u << 4; // ERST max 2^1 entries, no scratchpads
    case cap::Hccparams1: return 1u;      // 64-bit addressing, 32-byte contexts
    case cap::Dboff: return DbBase;
    case cap::Rtsoff: return RtBase;
    case OpBase + op::Usbcmd: return m_usbcmd;
    case OpBase + op::Usbsts: return m_usbsts;
    case OpBase + op::Pagesize: return 1; // 4 KiB
    case OpBase + op::Crcr: return 0;     // reads as 0 except CRR (never running between doorbells here)
    case OpBase + op::Dcbaap: return static_cast<uint32_t>(m_dcbaap);
    case OpBase + op::Dcbaap + 4: return static_cast<uint32_t>(m_dcbaap >> 32);
    case OpBase + op::Config: return m_config;
    case RtBase + rt::Iman: return m_iman;
    case RtBase + rt::Imod: return m_imod;
    case RtBase + rt::Erstsz: return m_erstsz;
    case RtBase + rt::Erstba: return static_cast<uint32_t>(m_erstba);
    case RtBase + rt::Erstba + 4: return static_cast<uint32_t>(m_erstba >> 32);
    case RtBase + rt::Erdp: return static_cast<uint32_t>(m_erdp);
    case RtBase + rt::Erdp + 4: return static_cast<uint32_t>(m_erdp >> 32);
    default: break;
    }
    if (off >= OpBase + op::Portsc && off < OpBase + op::Portsc + 0x10 * Ports && off % 0x10 == 0)
        return m_portsc[(off - OpBase - op::Portsc) / 0x10];
    return 0;
}

void XhciModel::bar_write(unsigned, uint64_t offset, unsigned size, uint64_t value) {
    auto off = static_cast<uint32_t>(offset);
    if (size == 8) {
        write_reg(off, value, 8);
        return;
    }
    if (size == 4)
        write_reg(off, value & 0xFFFFFFFF, 4);
}

void XhciModel::write_reg(uint32_t off, uint64_t v, unsigned size) {
    auto v32 = static_cast<uint32_t>(v);
    auto set64 = [&](uint64_t& reg, uint32_t base) {
        if (size == 8)
            reg = v;
        else if (off == base)
            reg = (reg & ~0xFFFFFFFFull) | v32;
        else
            reg = (reg & 0xFFFFFFFF) | (uint64_t{v32} << 32);
    };
    if (off >= DbBase && off < DbBase + 4 * (MaxSlots + 1)) {
        uint32_t slot = (off - DbBase) / 4;
        if (!(m_usbcmd & CmdRun))
            return;
        if (slot == 0)
            run_commands();
        else if (m_slots[slot].enabled && (v32 & 0xFF) >= 1 && (v32 & 0xFF) < 32)
            run_endpoint(slot, v32 & 0xFF);
        return;
    }
    switch (off) {
    case OpBase + op::Usbcmd:
        if (v32 & CmdHcrst) {
            reset(); // completes at once: HCRST and CNR read back clear
            return;
        }
        if ((v32 & CmdRun) && !(m_usbcmd & CmdRun)) {
            m_usbcmd = v32;
            m_usbsts &= ~StsHch;
            // Report ports that changed while the controller was halted.
            for (unsigned p = 0; p < Ports; ++p)
                if (m_portsc[p] & PortChangeBits)
                    post_event(uint64_t{p + 1} << 24, cc::Success << 24, type_bits(trb::PortStatusChange));
            return;
        }
        m_usbcmd = v32;
        if (!(v32 & CmdRun))
            m_usbsts |= StsHch;
        return;
    case OpBase + op::Usbsts:
        m_usbsts &= ~(v32 & (StsEint | StsPcd)); // write 1 to clear
        return;
    case OpBase + op::Crcr:
    case OpBase + op::Crcr + 4: {
        uint64_t crcr = m_cmd_ring.dequeue | (m_cmd_ring.cycle ? 1 : 0);
        set64(crcr, OpBase + op::Crcr);
        m_cmd_ring.dequeue = crcr & ~0x3Full;
        m_cmd_ring.cycle = crcr & CrcrRcs;
        return;
    }
    case OpBase + op::Dcbaap:
    case OpBase + op::Dcbaap + 4: set64(m_dcbaap, OpBase + op::Dcbaap); return;
    case OpBase + op::Config: m_config = v32 & 0xFF; return;
    case RtBase + rt::Iman:
        m_iman = (m_iman & ~ImanIp & ~ImanIe) | (v32 & ImanIe) | ((m_iman & ImanIp) & ~(v32 & ImanIp));
        return;
    case RtBase + rt::Imod: m_imod = v32; return;
    case RtBase + rt::Erstsz: m_erstsz = v32 & 0xFFFF; return;
    case RtBase + rt::Erstba:
    case RtBase + rt::Erstba + 4:
        set64(m_erstba, RtBase + rt::Erstba);
        load_erst();
        return;
    case RtBase + rt::Erdp:
    case RtBase + rt::Erdp + 4: {
        uint64_t old_ehb = m_erdp & ErdpEhb;
        set64(m_erdp, RtBase + rt::Erdp);
        m_erdp = (m_erdp & ~0xFull) | ((v & ErdpEhb) ? 0 : old_ehb);
        return;
    }
    default: break;
    }
    if (off >= OpBase + op::Portsc && off < OpBase + op::Portsc + 0x10 * Ports && off % 0x10 == 0)
        port_write((off - OpBase - op::Portsc) / 0x10, v32);
}

void XhciModel::port_write(unsigned p, uint32_t v) {
    uint32_t& sc = m_portsc[p];
    sc &= ~(v & PortChangeBits); // write 1 to clear change bits
    if ((v & PortPed) && (sc & PortPed))
        sc &= ~PortPed;          // writing PED=1 disables the port
    if ((v & PortPr) && (sc & PortCcs)) {
        // A USB 2 port reset: the port comes out enabled, reset change reported.
        sc |= PortPed | PortPrc;
        post_event(uint64_t{p + 1} << 24, cc::Success << 24, type_bits(trb::PortStatusChange));
    }
}

void XhciModel::load_erst() {
    ErstEntry e{};
    if (m_erstsz == 0 || !dma_read(m_erstba, &e, sizeof e))
        return;
    m_ev_base = e.base;
    m_ev_size = e.size;
    m_ev_enq = 0;
    m_ev_cycle = true;
}

void XhciModel::post_event(uint64_t param, uint32_t status, uint32_t control) {
    if (m_ev_size == 0)
        return;
    // Full when the slot after ours is where the host will read next.
    uint64_t next = m_ev_base + 16ull * ((m_ev_enq + 1) % m_ev_size);
    if (next == (m_erdp & ~0xFull))
        return; // event ring full: the event is lost, as on hardware (HCE aside)
    Trb t{param, status, control | (m_ev_cycle ? TrbCycle : 0)};
    dma_write(m_ev_base + 16ull * m_ev_enq, &t, sizeof t);
    if (++m_ev_enq == m_ev_size) {
        m_ev_enq = 0;
        m_ev_cycle = !m_ev_cycle;
    }
    m_usbsts |= StsEint;
    m_iman |= ImanIp;
    m_erdp |= ErdpEhb;
    if ((m_iman & ImanIe) && (m_usbcmd & CmdInte))
        raise_irq(0);
}

bool XhciModel::read_trb(uint64_t addr, Trb& t) { return dma_read(addr, &t, sizeof t); }

bool XhciModel::next_trb(Ring& ring, Trb& t, uint64_t& at) {
    for (int hops = 0; hops < 4; ++hops) {
        if (!read_trb(ring.dequeue, t) || bool(t.control & TrbCycle) != ring.cycle)
            return false;
        if (trb_type(t.control) != trb::Link) {
            at = ring.dequeue;
            return true;
        }
        ring.dequeue = t.param & ~0xFull;
        if (t.control & TrbToggle)
            ring.cycle = !ring.cycle;
    }
    return false;
}

uint64_t XhciModel::output_context(uint32_t slot_id) {
    uint64_t p = 0;
    dma_read(m_dcbaap + 8ull * slot_id, &p, 8);
    return p;
}

void XhciModel::run_commands() {
    Trb t{};
    uint64_t at = 0;
    while (next_trb(m_cmd_ring, t, at)) {
        m_cmd_ring.dequeue = at + 16;
        uint32_t slot_id = (t.control >> 24) & 0xFF;
        uint32_t code = command(t, slot_id);
        post_event(at, code << 24, type_bits(trb::CommandCompletion) | slot_bits(slot_id));
    }
}

uint32_t XhciModel::command(const Trb& t, uint32_t& slot_id) {
    switch (trb_type(t.control)) {
    case trb::NoOpCommand:
        slot_id = 0;
        return cc::Success;
    case trb::EnableSlot:
        for (uint32_t s = 1; s <= std::min<uint32_t>(MaxSlots, m_config); ++s) {
            if (!m_slots[s].enabled) {
                m_slots[s] = Slot{};
                m_slots[s].enabled = true;
                slot_id = s;
                return cc::Success;
            }
        }
        slot_id = 0;
        return cc::NoSlots;
    case trb::DisableSlot:
        if (slot_id == 0 || slot_id > MaxSlots || !m_slots[slot_id].enabled)
            return cc::SlotNotEnabled;
        m_slots[slot_id] = Slot{};
        return cc::Success;
    case trb::AddressDevice:
        return address_device(slot_id, t.param);
    case trb::ConfigureEndpoint:
        return configure_endpoint(slot_id, t.param);
    default:
        return cc::TrbError;
    }
}

uint32_t XhciModel::address_device(uint32_t slot_id, uint64_t input) {
    if (slot_id == 0 || slot_id > MaxSlots || !m_slots[slot_id].enabled)
        return cc::SlotNotEnabled;
    Context ctl{}, slot{}, ep0{};
    if (!dma_read(input, &ctl, 32) || !dma_read(input + 32, &slot, 32) || !dma_read(input + 64, &ep0, 32))
        return cc::Parameter;
    if ((ctl.dw[1] & 3) != 3)
        return cc::Parameter; // must add the slot and EP0 contexts
    unsigned port = (slot.dw[1] >> 16) & 0xFF;
    if (port == 0 || port > Ports || !(m_portsc[port - 1] & PortPed))
        return cc::ContextState; // no enabled device behind that port
    Slot& s = m_slots[slot_id];
    s.port = port;
    s.ep[1] = Ring{(ep0.dw[2] & ~0xFull) | (uint64_t{ep0.dw[3]} << 32), bool(ep0.dw[2] & 1), true};
    uint64_t out = output_context(slot_id);
    slot.dw[3] = slot_id | (SlotStateAddressed << 27); // USB address = slot id
    ep0.dw[0] = (ep0.dw[0] & ~7u) | EpStateRunning;
    if (!dma_write(out, &slot, 32) || !dma_write(out + 32, &ep0, 32))
        return cc::Parameter;
    return cc::Success;
}

uint32_t XhciModel::configure_endpoint(uint32_t slot_id, uint64_t input) {
    if (slot_id == 0 || slot_id > MaxSlots || !m_slots[slot_id].enabled)
        return cc::SlotNotEnabled;
    Context ctl{}, slot{};
    if (!dma_read(input, &ctl, 32) || !dma_read(input + 32, &slot, 32))
        return cc::Parameter;
    uint64_t out = output_context(slot_id);
    Slot& s = m_slots[slot_id];
    for (unsigned dci = 2; dci < 32; ++dci) {
        if (ctl.dw[0] & (1u << dci))
            s.ep[dci] = Ring{};
        if (!(ctl.dw[1] & (1u << dci)))
            continue;
        Context ep{};
        if (!dma_read(input + 32ull * (dci + 1), &ep, 32))
            return cc::Parameter;
        s.ep[dci] = Ring{(ep.dw[2] & ~0xFull) | (uint64_t{ep.dw[3]} << 32), bool(ep.dw[2] & 1), true};
        ep.dw[0] = (ep.dw[0] & ~7u) | EpStateRunning;
        dma_write(out + 32ull * dci, &ep, 32);
    }
    Context cur{};
    dma_read(out, &cur, 32);
    cur.dw[0] = (cur.dw[0] & 0x07FFFFFF) | (slot.dw[0] & 0xF8000000); // context entries
    cur.dw[3] = (cur.dw[3] & 0x07FFFFFF) | (SlotStateConfigured << 27);
    dma_write(out, &cur, 32);
    return cc::Success;
}

void XhciModel::run_endpoint(uint32_t slot_id, unsigned dci) {
    unsigned port = m_slots[slot_id].port;
    if (!m_slots[slot_id].ep[dci].running || port == 0 || port > Ports)
        return;
    if (dci == 1)
        run_control(slot_id);
    else if (dci == 3)
        run_interrupt(slot_id, dci);
}

void XhciModel::run_control(uint32_t slot_id) {
    Slot& s = m_slots[slot_id];
    Ring& ring = s.ep[1];
    Trb t{};
    uint64_t at = 0;
    while (next_trb(ring, t, at)) {
        ring.dequeue = at + 16;
        uint32_t ev = type_bits(trb::TransferEvent) | (1u << 16) | slot_bits(slot_id);
        switch (trb_type(t.control)) {
        case trb::Setup: {
            SetupPacket sp;
            std::memcpy(&sp, &t.param, sizeof sp);
            s.setup = sp;
            s.response = m_hid[s.port - 1].control(sp);
            break;
        }
        case trb::Data: {
            uint32_t len = t.status & 0x1FFFF;
            if (!s.response) {
                post_event(at, cc::Stall << 24, ev);
                break;
            }
            uint32_t n = std::min<uint32_t>(len, static_cast<uint32_t>(s.response->size()));
            if ((t.control & TrbDirIn) && n && !dma_write(t.param, s.response->data(), n)) {
                post_event(at, cc::DataBuffer << 24, ev);
                s.response.reset();
                break;
            }
            if (n < len && (t.control & TrbIsp))
                post_event(at, (cc::ShortPacket << 24) | (len - n), ev);
            else if (t.control & TrbIoc)
                post_event(at, (cc::Success << 24) | (len - n), ev);
            break;
        }
        case trb::Status:
            if (!s.response && s.setup)
                post_event(at, cc::Stall << 24, ev);
            else if (t.control & TrbIoc)
                post_event(at, cc::Success << 24, ev);
            s.setup.reset();
            break;
        default:
            post_event(at, cc::TrbError << 24, ev);
        }
    }
}

void XhciModel::run_interrupt(uint32_t slot_id, unsigned dci) {
    Ring& ring = m_slots[slot_id].ep[dci];
    unsigned port = m_slots[slot_id].port;
    if (port == 0 || port > Ports)
        return;
    UsbKeyboard& hid = m_hid[port - 1];
    Trb t{};
    uint64_t at = 0;
    while (hid.has_report() && next_trb(ring, t, at)) {
        auto report = hid.next_report();
        if (!report)
            return; // not configured yet: reports wait
        ring.dequeue = at + 16;
        uint32_t len = t.status & 0x1FFFF;
        uint32_t n = std::min<uint32_t>(len, static_cast<uint32_t>(report->size()));
        uint32_t ev = type_bits(trb::TransferEvent) | (dci << 16) | slot_bits(slot_id);
        if (!dma_write(t.param, report->data(), n)) {
            post_event(at, cc::DataBuffer << 24, ev);
            continue;
        }
        post_event(at, ((n < len ? cc::ShortPacket : cc::Success) << 24) | (len - n), ev);
    }
}

} // namespace redox::pci
