// A HID boot mouse's reports (buttons, dx, dy and, when present, a wheel byte; all
// signed 8-bit) turned into inputd events: relative motion, the full button state
// when it changed, and vertical scrolling.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "daemons/inputd/producer.h"

namespace redox::usbhid {

class BootMouse {
public:
    // Events for one report; a report shorter than 3 bytes changes nothing.
    std::vector<input::Event> report(std::span<const uint8_t> data);

private:
    uint8_t m_buttons = 0;
};

} // namespace redox::usbhid
