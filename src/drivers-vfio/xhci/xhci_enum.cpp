// Device enumeration on a root port: reset, slot, address, descriptors,
// configuration, and starting a boot keyboard's or boot mouse's report endpoint.
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "xhci/xhci.h"

namespace redox::xhci {

namespace {
constexpr uint32_t InterruptTrbs = 8;
constexpr uint32_t TransferRingTrbs = 64;

// Default EP0 max packet size by speed before the device descriptor is known.
uint16_t default_mps0(unsigned speed) {
    switch (speed) {
    case SpeedHigh: return 64;
    case SpeedSuper: return 512;
    default: return 8;
    }
}

// xHCI interval exponent (2^n * 125 us) for an interrupt endpoint's bInterval.
uint32_t interval_exponent(unsigned speed, uint8_t b_interval) {
    if (speed == SpeedHigh || speed == SpeedSuper)
        return std::clamp<uint32_t>(b_interval, 1, 16) - 1;
    uint32_t frames125 = std::max<uint32_t>(b_interval, 1) * 8; // ms -> 125 us units
    return std::clamp<uint32_t>(31 - std::countl_zero(frames125), 3, 10);
}
} // namespace

Result<void> Xhci::reset_port(unsigned port) {
    uint32_t reg = m_op + op::Portsc + 0x10 * (port - 1);
    // Writing PED or a change bit as 1 would disable the port or lose a change: write
    // only power and reset.
    m_regs.write<uint32_t>(reg, PortPp | PortPr);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(m_opts.timeout_ms);
    uint32_t sc = 0;
    while (!((sc = m_regs.read<uint32_t>(reg)) & PortPrc)) {
        if (sc == 0xFFFFFFFF)
            return err(EIO, "xhci " + m_dev.name() + ": device removed");
        if (std::chrono::steady_clock::now() > deadline)
            return err(EIO, fmt::format("xhci {}: port {} reset did not complete", m_dev.name(), port));
        ::usleep(100);
    }
    m_regs.write<uint32_t>(reg, PortPp | PortPrc | PortCsc);
    if (!(sc & PortPed))
        return err(EIO, fmt::format("xhci {}: port {} not enabled after reset", m_dev.name(), port));
    return {};
}

Result<uint8_t> Xhci::address_device(unsigned port, unsigned speed) {
    Completion c = TRY(command(Trb{0, 0, type_bits(trb::EnableSlot)}));
    uint8_t slot = c.slot;
    if (slot == 0 || slot > m_max_slots)
        return err(EIO, fmt::format("xhci {}: Enable Slot returned slot {}", m_dev.name(), slot));
    SlotState st;
    st.port = port;
    st.speed = speed;
    st.input = TRY(m_dev.alloc_dma(4096));
    st.output = TRY(m_dev.alloc_dma(1024));
    st.ep0 = TRY(ProducerRing::create(m_dev, TransferRingTrbs));
    m_dcbaa.at<uint64_t>(0)[slot] = st.output.bus_addr();

    auto* ctx = st.input.at<Context>(0);
    ctx[0].dw[1] = 0x3; // add slot + EP0
    ctx[1].dw[0] = (speed << 20) | (1u << 27);
    ctx[1].dw[1] = port << 16;
    uint64_t ring = st.ep0.base() | 1; // DCS = 1
    ctx[2].dw[1] = (3u << 1) | (EpTypeControl << 3) | (uint32_t{default_mps0(speed)} << 16);
    ctx[2].dw[2] = static_cast<uint32_t>(ring);
    ctx[2].dw[3] = static_cast<uint32_t>(ring >> 32);
    ctx[2].dw[4] = 8;
    uint64_t input = st.input.bus_addr();
    m_slots[slot] = std::move(st);
    TRY(command(Trb{input, 0, type_bits(trb::AddressDevice) | slot_bits(slot)}));
    return slot;
}

Result<std::vector<uint8_t>> Xhci::control(uint8_t slot, SetupPacket setup, bool in) {
    TRY(health());
    auto it = m_slots.find(slot);
    if (it == m_slots.end())
        return err(ENODEV, fmt::format("xhci: no device in slot {}", slot));
    if (setup.length > m_control_buf.size())
        return err(EINVAL, "xhci: control transfer larger than 4 KiB");
    ProducerRing& ring = it->second.ep0;
    uint64_t packet;
    std::memcpy(&packet, &setup, 8);
    uint32_t trt = setup.length == 0 ? 0 : (in ? 3u : 2u);
    ring.push(Trb{packet, 8, type_bits(trb::Setup) | TrbIdt | (trt << 16)});
    uint64_t data_trb = 0;
    if (setup.length)
        data_trb = ring.push(Trb{m_control_buf.bus_addr(), setup.length,
                                 type_bits(trb::Data) | TrbIsp | (in ? TrbDirIn : 0)});
    // The status stage runs opposite to the data stage (IN when there is none).
    bool status_in = setup.length == 0 || !in;
    uint64_t status_trb = ring.push(Trb{0, 0, type_bits(trb::Status) | TrbIoc | (status_in ? TrbDirIn : 0)});
    ring_doorbell(slot, 1);

    uint32_t residual = 0;
    for (;;) {
        auto [at, c] = TRY(wait_any({data_trb, status_trb}, m_opts.timeout_ms));
        if (c.code != cc::Success && c.code != cc::ShortPacket) {
            const char* why = c.code == cc::Stall ? "stalled" : "failed";
            return err(EIO, fmt::format("xhci {}: slot {} control request {:#04x}/{:#04x} {} (completion code {})",
                                        m_dev.name(), slot, setup.request_type, setup.request, why, c.code));
        }
        if (at == status_trb)
            break;
        residual = c.residual;
        data_trb = ~uint64_t{0}; // seen; keep waiting for the status stage
    }
    std::vector<uint8_t> out;
    if (in && setup.length) {
        size_t got = setup.length - std::min<uint32_t>(residual, setup.length);
        const auto* p = reinterpret_cast<const uint8_t*>(m_control_buf.data());
        out.assign(p, p + got);
    }
    return out;
}

Result<std::vector<uint8_t>> Xhci::control_in(uint8_t slot, SetupPacket setup) {
    if (!(setup.request_type & 0x80))
        return err(EINVAL, "xhci: control_in needs a device-to-host request");
    return control(slot, setup, true);
}

Result<void> Xhci::control_out(uint8_t slot, SetupPacket setup) {
    if (setup.length != 0)
        return err(EINVAL, "xhci: control_out carries no data stage");
    TRY(control(slot, setup, false));
    return {};
}

Result<void> Xhci::enumerate(unsigned port) {
    TRY(reset_port(port));
    unsigned speed = port_speed(m_regs.read<uint32_t>(m_op + op::Portsc + 0x10 * (port - 1)));
    UsbDevice dev;
    dev.port = port;
    dev.speed = speed;
    dev.slot = TRY(address_device(port, speed));

    auto dd = TRY(control_in(dev.slot, SetupPacket{0x80, 6, 0x0100, 0, 18}));
    dev.descriptor = TRY(usb::parse_device_descriptor(dd));
    auto head = TRY(control_in(dev.slot, SetupPacket{0x80, 6, 0x0200, 0, 9}));
    if (head.size() < 9)
        return err(EIO, fmt::format("xhci {}: port {}: short configuration descriptor", m_dev.name(), port));
    uint16_t total = static_cast<uint16_t>(head[2] | (head[3] << 8));
    auto full = TRY(control_in(dev.slot, SetupPacket{0x80, 6, 0x0200, 0, total}));
    dev.configuration = TRY(usb::parse_configuration(full));
    TRY(control_out(dev.slot, SetupPacket{0x00, 9, dev.configuration.value, 0, 0}));

    for (const auto& iface : dev.configuration.interfaces) {
        if (!iface.is_boot_keyboard() && !iface.is_boot_mouse())
            continue;
        for (const auto& ep : iface.endpoints) {
            if (ep.is_interrupt_in()) {
                TRY(start_boot_hid(dev, iface, ep));
                break;
            }
        }
        break;
    }
    m_devices.push_back(std::move(dev));
    return {};
}

Result<void> Xhci::start_boot_hid(UsbDevice& dev, const usb::Interface& iface, const usb::Endpoint& ep) {
    // Boot protocol gives the fixed report (keyboard 8 bytes, mouse 3 or more);
    // SET_IDLE(0) reports only on change.
    TRY(control_out(dev.slot, SetupPacket{0x21, 0x0B, 0, iface.number, 0}));
    TRY(control_out(dev.slot, SetupPacket{0x21, 0x0A, 0, iface.number, 0}));

    SlotState& st = m_slots[dev.slot];
    unsigned dci = endpoint_dci(ep.address);
    InterruptPipe pipe;
    pipe.slot = dev.slot;
    pipe.dci = dci;
    pipe.packet = std::max<uint16_t>(ep.max_packet, 8);
    pipe.ring = TRY(ProducerRing::create(m_dev, TransferRingTrbs));
    pipe.buffers = TRY(m_dev.alloc_dma(size_t{InterruptTrbs} * pipe.packet));

    std::memset(st.input.data(), 0, st.input.size());
    auto* ctx = st.input.at<Context>(0);
    ctx[0].dw[1] = 1u | (1u << dci);
    ctx[1].dw[0] = (st.speed << 20) | (dci << 27);
    ctx[1].dw[1] = st.port << 16;
    Context& e = ctx[dci + 1];
    uint64_t ring = pipe.ring.base() | 1;
    e.dw[0] = interval_exponent(st.speed, ep.interval) << 16;
    e.dw[1] = (3u << 1) | (EpTypeInterruptIn << 3) | (uint32_t{ep.max_packet} << 16);
    e.dw[2] = static_cast<uint32_t>(ring);
    e.dw[3] = static_cast<uint32_t>(ring >> 32);
    e.dw[4] = ep.max_packet | (uint32_t{ep.max_packet} << 16);
    TRY(command(Trb{st.input.bus_addr(), 0, type_bits(trb::ConfigureEndpoint) | slot_bits(dev.slot)}));

    for (unsigned i = 0; i < InterruptTrbs; ++i) {
        uint64_t at = pipe.ring.push(
            Trb{pipe.buffers.bus_addr(i * size_t{pipe.packet}), pipe.packet, type_bits(trb::Normal) | TrbIoc | TrbIsp});
        pipe.trb_buffer[at] = i;
    }
    m_pipes.push_back(std::move(pipe));
    ring_doorbell(dev.slot, dci);
    dev.keyboard = iface.is_boot_keyboard();
    dev.mouse = iface.is_boot_mouse();
    return {};
}

} // namespace redox::xhci
