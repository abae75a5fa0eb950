// xhcid's core: an xHCI controller through PciDevice. Controller reset, DCBAA,
// command ring and one event ring (interrupter 0, MSI-X/MSI/INTx), root port status
// and reset, Enable Slot, Address Device, control transfers (device and
// configuration descriptors, SET_CONFIGURATION, HID class requests), Configure
// Endpoint and interrupt IN transfers. Every connected device is enumerated at
// create(); HID boot keyboards and boot mice get their report endpoint started.
//
// Event-loop use: poll irq_fd(), then poll_events(sink) hands out interrupt-IN data
// (keyboard and mouse reports) and re-queues the transfer. Nothing blocks except the
// *_wait helpers and enumeration, bounded by Options::timeout_ms.
#pragma once

#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "pci/pci_device.h"
#include "xhci/trb_ring.h"
#include "xhci/usb_descriptors.h"

namespace redox::xhci {

struct PortInfo {
    unsigned port = 0; // 1-based
    bool connected = false, enabled = false;
    unsigned speed = 0;
};

struct UsbDevice {
    uint8_t slot = 0;
    unsigned port = 0;
    unsigned speed = 0;
    usb::DeviceDescriptor descriptor;
    usb::Configuration configuration;
    bool keyboard = false; // a boot keyboard whose report endpoint is running
    bool mouse = false;    // a boot mouse whose report endpoint is running
};

class Xhci {
public:
    struct Options {
        int timeout_ms = 2000;
    };
    static Result<std::unique_ptr<Xhci>> create(pci::PciDevice& dev, Options opts);
    static Result<std::unique_ptr<Xhci>> create(pci::PciDevice& dev) { return create(dev, Options{}); }

    std::vector<PortInfo> ports() const;
    const std::vector<UsbDevice>& devices() const { return m_devices; }

    Result<std::vector<uint8_t>> control_in(uint8_t slot, SetupPacket setup);
    Result<void> control_out(uint8_t slot, SetupPacket setup); // no data stage
    Result<void> noop();

    using ReportSink = std::function<void(uint8_t slot, std::span<const uint8_t> data)>;
    // Processes pending events and hands out interrupt-IN data; returns how many.
    Result<size_t> poll_events(const ReportSink& sink);
    // Like poll_events but waits up to timeout_ms for at least one report.
    Result<size_t> wait_reports(const ReportSink& sink, int timeout_ms);
    int irq_fd() const { return m_irq.fd(); }
    // For event loops, when irq_fd() was readable: consumes the eventfd and
    // acknowledges the interrupt (IMAN, USBSTS, INTx); then call poll_events().
    Result<void> handle_irq();

private:
    struct Completion {
        uint32_t code = 0;
        uint32_t residual = 0;
        uint8_t slot = 0;
    };
    struct InterruptPipe {
        uint8_t slot = 0;
        unsigned dci = 0;
        uint16_t packet = 0;
        ProducerRing ring;
        pci::DmaBuffer buffers;
        std::map<uint64_t, unsigned> trb_buffer; // TRB bus address -> buffer index
    };
    struct SlotState {
        pci::DmaBuffer input, output;
        ProducerRing ep0;
        unsigned port = 0, speed = 0;
    };

    Xhci(pci::PciDevice& dev, Options opts) : m_dev(dev), m_opts(opts) {}
    Result<void> init();
    Result<void> reset_controller();
    Result<void> health() const;
    uint32_t op_read(uint32_t r) const { return m_regs.read<uint32_t>(m_op + r); }
    void op_write(uint32_t r, uint32_t v) const { m_regs.write<uint32_t>(m_op + r, v); }
    void ring_doorbell(uint32_t slot, uint32_t target) const { m_regs.write<uint32_t>(m_db + 4 * slot, target); }

    // Events: drains the ring into m_done / m_reports and acknowledges the interrupter.
    Result<void> drain_events();
    Result<Completion> wait_for(uint64_t trb, int timeout_ms);
    // The first of these TRBs to complete, with its address.
    Result<std::pair<uint64_t, Completion>> wait_any(std::initializer_list<uint64_t> trbs, int timeout_ms);
    Result<Completion> command(Trb t);
    Result<void> reset_port(unsigned port);
    Result<void> enumerate(unsigned port);
    Result<uint8_t> address_device(unsigned port, unsigned speed);
    Result<void> start_boot_hid(UsbDevice& dev, const usb::Interface& iface, const usb::Endpoint& ep);
    Result<std::vector<uint8_t>> control(uint8_t slot, SetupPacket setup, bool in);

    pci::PciDevice& m_dev;
    Options m_opts;
    pci::RegisterWindow m_regs;
    uint32_t m_op = 0, m_rt = 0, m_db = 0;
    unsigned m_max_slots = 0, m_max_ports = 0;
    pci::IrqMode m_irq_mode = pci::IrqMode::Intx;
    pci::IrqEvent m_irq;
    pci::DmaBuffer m_dcbaa, m_control_buf;
    ProducerRing m_cmd;
    EventRing m_events;
    std::map<uint64_t, Completion> m_done;        // finished TRBs we wait for
    std::deque<std::pair<uint8_t, std::vector<uint8_t>>> m_reports;
    std::map<uint8_t, SlotState> m_slots;
    std::vector<InterruptPipe> m_pipes;
    std::vector<UsbDevice> m_devices;
    bool m_failed = false;
    std::string m_failure;
};

} // namespace redox::xhci
