#include "daemons/usbhidd/boot_keyboard.h"

#include <algorithm>

namespace redox::usbhid {

namespace {

// HID usage page 7 (keyboard) -> XT set 1, for the keys a boot keyboard has.
uint8_t table(uint8_t u) {
    static const uint8_t letters[26] = {0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32,
                                        0x31, 0x18, 0x19, 0x10, 0x13, 0x1F, 0x14, 0x16, 0x2F, 0x11, 0x2D, 0x15, 0x2C};
    if (u >= 0x04 && u <= 0x1D) return letters[u - 0x04];
    if (u >= 0x1E && u <= 0x27) return uint8_t(0x02 + (u - 0x1E));  // 1..9, 0
    static const uint8_t misc[] = {0x1C, 0x01, 0x0E, 0x0F, 0x39, 0x0C, 0x0D, 0x1A, 0x1B, 0x2B, 0x2B, 0x27, 0x28, 0x29, 0x33, 0x34, 0x35, 0x3A};
    if (u >= 0x28 && u <= 0x39) return misc[u - 0x28];  // Enter .. CapsLock
    if (u >= 0x3A && u <= 0x43) return uint8_t(0x3B + (u - 0x3A));  // F1..F10
    if (u == 0x44) return 0x57;
    if (u == 0x45) return 0x58;
    switch (u) {
    case 0x4F: return 0x4D;  // right
    case 0x50: return 0x4B;  // left
    case 0x51: return 0x50;  // down
    case 0x52: return 0x48;  // up
    default: return 0;
    }
}

char32_t character(uint8_t u, bool shift) {
    if (u >= 0x04 && u <= 0x1D) return char32_t((shift ? 'A' : 'a') + (u - 0x04));
    static const char digits[] = "1234567890", shifted[] = "!@#$%^&*()";
    if (u >= 0x1E && u <= 0x27) return char32_t((shift ? shifted : digits)[u - 0x1E]);
    switch (u) {
    case 0x28: return U'\n';
    case 0x2B: return U'\t';
    case 0x2C: return U' ';
    case 0x2D: return shift ? U'_' : U'-';
    case 0x2E: return shift ? U'+' : U'=';
    case 0x36: return shift ? U'<' : U',';
    case 0x37: return shift ? U'>' : U'.';
    case 0x38: return shift ? U'?' : U'/';
    default: return 0;
    }
}

// Modifier bits 0..7: LCtrl LShift LAlt LGui RCtrl RShift RAlt RGui.
constexpr uint8_t kModifierScancodes[8] = {0x1D, 0x2A, 0x38, 0x5B, 0x1D, 0x36, 0x38, 0x5C};

} // namespace

uint8_t BootKeyboard::scancode(uint8_t usage) { return table(usage); }

std::vector<input::Event> BootKeyboard::report(std::span<const uint8_t> data) {
    std::vector<input::Event> out;
    if (data.size() < 8) return out;
    for (size_t i = 2; i < 8; ++i)
        if (data[i] >= 0x01 && data[i] <= 0x03) return out;  // rollover: state unknown
    const uint8_t mods = data[0], old_mods = m_last[0];
    for (unsigned b = 0; b < 8; ++b)
        if (((mods ^ old_mods) >> b) & 1) out.push_back(input::key(kModifierScancodes[b], (mods >> b) & 1));
    const bool shift = mods & 0x22;
    auto has = [](std::span<const uint8_t> r, uint8_t u) { return std::find(r.begin() + 2, r.begin() + 8, u) != r.begin() + 8; };
    for (size_t i = 2; i < 8; ++i) {
        uint8_t u = m_last[i];
        if (u && !has(data, u) && table(u)) out.push_back(input::key(table(u), false));
    }
    for (size_t i = 2; i < 8; ++i) {
        uint8_t u = data[i];
        if (u && !has(m_last, u) && table(u)) out.push_back(input::key(table(u), true, character(u, shift)));
    }
    std::copy_n(data.begin(), 8, m_last.begin());
    return out;
}

} // namespace redox::usbhid
