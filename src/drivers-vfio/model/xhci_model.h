// Model of an xHCI controller (QEMU "qemu-xhci"-like) with two USB 2 root ports, a
// HID boot keyboard plugged into port 1 and a HID boot mouse into port 2. Implements HCRST, run/stop, the command
// ring (Enable Slot, Address Device, Configure Endpoint, No-Op), one event ring
// segment on interrupter 0, port reset, control transfers on EP0 and interrupt IN
// transfers for the keyboard's and the mouse's reports, with MSI-X (or INTx).
#pragma once

#include <array>
#include <memory>

#include "model/model_device.h"
#include "model/usb_keyboard.h"
#include "xhci/xhci_regs.h"

namespace redox::pci {

class XhciModel final : public ModelDevice {
public:
    static std::unique_ptr<XhciModel> create();

    UsbKeyboard& keyboard() { return m_hid[0]; }
    UsbKeyboard& mouse() { return m_hid[1]; }
    // Press a key on the model keyboard (HID usage) and deliver its reports.
    void press_key(uint8_t usage, uint8_t modifiers = 0);
    // Move the model mouse (buttons: bit 0 left, 1 right, 2 middle) and deliver the report.
    void move_mouse(uint8_t buttons, int8_t dx, int8_t dy, int8_t wheel = 0);

protected:
    uint64_t bar_read(unsigned bar, uint64_t offset, unsigned size) override;
    void bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;

private:
    static constexpr unsigned Ports = 2;
    static constexpr unsigned MaxSlots = 8;
    static constexpr uint32_t OpBase = 0x40, RtBase = 0x1000, DbBase = 0x2000;

    struct Ring {
        uint64_t dequeue = 0;
        bool cycle = true;
        bool running = false;
    };
    struct Slot {
        bool enabled = false;
        unsigned port = 0;
        std::array<Ring, 32> ep{};          // by DCI
        std::optional<xhci::SetupPacket> setup;
        std::optional<std::vector<uint8_t>> response; // nullopt = STALL
    };

    XhciModel();
    void reset();
    uint32_t read_reg(uint32_t off);
    void write_reg(uint32_t off, uint64_t v, unsigned size);
    void port_write(unsigned port, uint32_t v);
    bool read_trb(uint64_t addr, xhci::Trb& t);
    // Next TRB of a ring (following Link TRBs), or false if the ring is empty.
    bool next_trb(Ring& ring, xhci::Trb& t, uint64_t& at);
    void run_commands();
    uint32_t command(const xhci::Trb& t, uint32_t& slot_id);
    uint32_t address_device(uint32_t slot_id, uint64_t input);
    uint32_t configure_endpoint(uint32_t slot_id, uint64_t input);
    void run_endpoint(uint32_t slot_id, unsigned dci);
    void run_control(uint32_t slot_id);
    void run_interrupt(uint32_t slot_id, unsigned dci);
    void deliver(unsigned port);
    void post_event(uint64_t param, uint32_t status, uint32_t control);
    void load_erst();
    uint64_t output_context(uint32_t slot_id);

    uint32_t m_usbcmd = 0, m_usbsts = xhci::StsHch, m_config = 0;
    uint64_t m_dcbaap = 0;
    Ring m_cmd_ring;
    uint32_t m_iman = 0, m_imod = 0, m_erstsz = 0;
    uint64_t m_erstba = 0, m_erdp = 0;
    uint64_t m_ev_base = 0;
    uint32_t m_ev_size = 0, m_ev_enq = 0;
    bool m_ev_cycle = true;
    std::array<uint32_t, Ports> m_portsc{};
    std::array<Slot, MaxSlots + 1> m_slots{};
    std::array<UsbKeyboard, Ports> m_hid{UsbKeyboard(UsbKeyboard::Kind::Keyboard), UsbKeyboard(UsbKeyboard::Kind::Mouse)};
};

} // namespace redox::pci
