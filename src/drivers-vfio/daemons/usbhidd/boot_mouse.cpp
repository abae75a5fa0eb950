#include "daemons/usbhidd/boot_mouse.h"

namespace redox::usbhid {

std::vector<input::Event> BootMouse::report(std::span<const uint8_t> data) {
    std::vector<input::Event> out;
    if (data.size() < 3) return out;
    // Byte 0: bit 0 left, bit 1 right, bit 2 middle (the rest are vendor bits).
    const uint8_t buttons = data[0] & 0x07;
    const auto dx = int8_t(data[1]), dy = int8_t(data[2]);
    const int8_t wheel = data.size() >= 4 ? int8_t(data[3]) : 0;
    if (dx || dy) out.push_back(input::mouse_relative(dx, dy));
    if (buttons != m_buttons) out.push_back(input::buttons(buttons & 1, buttons & 4, buttons & 2));
    if (wheel) out.push_back(input::scroll(0, wheel));
    m_buttons = buttons;
    return out;
}

} // namespace redox::usbhid
