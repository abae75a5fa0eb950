#include "model/usb_keyboard.h"

namespace redox::pci {

namespace {
const std::vector<uint8_t> DeviceDescriptor = {
    18, 1, 0x00, 0x02, // USB 2.0
    0, 0, 0, 8,        // class per interface, EP0 max packet 8
    0x27, 0x06, 0x01, 0x00, // vendor 0x0627, product 0x0001
    0x00, 0x01, 1, 2, 0, 1, // bcdDevice 1.00, strings 1/2, one configuration
};
const std::vector<uint8_t> ConfigDescriptor = {
    9, 2, 34, 0, 1, 1, 0, 0xA0, 50,       // one interface, value 1, remote wakeup, 100 mA
    9, 4, 0, 0, 1, 3, 1, 1, 0,             // interface 0: HID, boot, keyboard, one endpoint
    9, 0x21, 0x11, 0x01, 0, 1, 0x22, 63, 0, // HID 1.11, one report descriptor of 63 bytes
    7, 5, 0x81, 0x03, 8, 0, 10,            // EP1 IN interrupt, 8 bytes, every 10 ms
};

// The mouse: product 0x0002, interface protocol 2 (boot mouse), 4-byte reports.
const std::vector<uint8_t> MouseDeviceDescriptor = {
    18, 1, 0x00, 0x02, 0, 0, 0, 8, 0x27, 0x06, 0x02, 0x00, 0x00, 0x01, 1, 2, 0, 1,
};
const std::vector<uint8_t> MouseConfigDescriptor = {
    9, 2, 34, 0, 1, 1, 0, 0xA0, 50,
    9, 4, 0, 0, 1, 3, 1, 2, 0,              // interface 0: HID, boot, mouse, one endpoint
    9, 0x21, 0x11, 0x01, 0, 1, 0x22, 52, 0, // one report descriptor of 52 bytes
    7, 5, 0x81, 0x03, 4, 0, 10,            // EP1 IN interrupt, 4 bytes, every 10 ms
};

std::vector<uint8_t> string_descriptor(uint8_t index, bool mouse) {
    if (index == 0)
        return {4, 3, 0x09, 0x04}; // English (US)
    const char* s = index == 1 ? "redox-sim" : mouse ? "USB mouse model" : "USB keyboard model";
    std::vector<uint8_t> d{0, 3};
    for (const char* p = s; *p; ++p) {
        d.push_back(static_cast<uint8_t>(*p));
        d.push_back(0);
    }
    d[0] = static_cast<uint8_t>(d.size());
    return d;
}
} // namespace

std::optional<std::vector<uint8_t>> UsbKeyboard::control(const xhci::SetupPacket& s) {
    auto clip = [&](std::vector<uint8_t> v) {
        if (v.size() > s.length)
            v.resize(s.length);
        return v;
    };
    switch ((s.request_type << 8) | s.request) {
    case 0x8006: { // GET_DESCRIPTOR (device)
        uint8_t type = s.value >> 8;
        bool mouse = m_kind == Kind::Mouse;
        if (type == 1)
            return clip(mouse ? MouseDeviceDescriptor : DeviceDescriptor);
        if (type == 2)
            return clip(mouse ? MouseConfigDescriptor : ConfigDescriptor);
        if (type == 3)
            return clip(string_descriptor(s.value & 0xFF, mouse));
        return std::nullopt;
    }
    case 0x8106: // GET_DESCRIPTOR (interface): the HID report descriptor
        if ((s.value >> 8) == 0x22)
            return clip(std::vector<uint8_t>(m_kind == Kind::Mouse ? 52 : 63, 0));
        return std::nullopt;
    case 0x0009: // SET_CONFIGURATION
        if (s.value > 1)
            return std::nullopt;
        m_configuration = static_cast<uint8_t>(s.value);
        return std::vector<uint8_t>{};
    case 0x8008: // GET_CONFIGURATION
        return clip({m_configuration});
    case 0x210A: // HID SET_IDLE
        return std::vector<uint8_t>{};
    case 0x210B: // HID SET_PROTOCOL (0 = boot)
        m_boot_protocol = s.value == 0;
        return std::vector<uint8_t>{};
    default:
        return std::nullopt;
    }
}

void UsbKeyboard::press(uint8_t usage, uint8_t modifiers) {
    m_reports.push_back({modifiers, 0, usage, 0, 0, 0, 0, 0});
    m_reports.push_back({0, 0, 0, 0, 0, 0, 0, 0});
}

void UsbKeyboard::move(uint8_t buttons, int8_t dx, int8_t dy, int8_t wheel) {
    m_reports.push_back({buttons, uint8_t(dx), uint8_t(dy), uint8_t(wheel)});
}

std::optional<std::vector<uint8_t>> UsbKeyboard::next_report() {
    if (m_reports.empty() || m_configuration == 0)
        return std::nullopt;
    auto r = std::move(m_reports.front());
    m_reports.pop_front();
    return r;
}

} // namespace redox::pci
