// A HID boot keyboard's 8-byte reports (modifier bits, reserved, six usages) turned
// into inputd key events: each report is compared with the previous one, so a usage
// that appears is a press and one that disappears a release. Keys carry XT set-1
// scancodes and, on press, the US-layout character (0 for keys without one).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "daemons/inputd/producer.h"

namespace redox::usbhid {

class BootKeyboard {
public:
    // Events for one report; a report shorter than 8 bytes or a rollover report
    // (usages 0x01..0x03 = ErrorRollOver etc.) changes nothing.
    std::vector<input::Event> report(std::span<const uint8_t> data);

    // XT set-1 scancode of a HID usage (0 = not mapped).
    static uint8_t scancode(uint8_t usage);

private:
    std::array<uint8_t, 8> m_last{};
};

} // namespace redox::usbhid
