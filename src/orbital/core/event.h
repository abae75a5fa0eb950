// The orbital event wire format: what read() on a window handle returns, 24 bytes per
// event (orbclient's `Event { code, a, b }` as three little-endian i64). Codes,
// payloads and key scancodes follow the reference (orbital-protocol.md §4).
#pragma once

#include <cstddef>
#include <cstdint>

namespace redox::orbital {

struct WireEvent {
    int64_t code = 0;
    int64_t a = 0;
    int64_t b = 0;
    bool operator==(const WireEvent&) const = default;
};
static_assert(sizeof(WireEvent) == 24);
static_assert(offsetof(WireEvent, a) == 8 && offsetof(WireEvent, b) == 16);

enum EventCode : int64_t {
    kEventNone = 0,
    kEventKey = 1,             // a: character (0), b: scancode | pressed << 8
    kEventMouse = 2,           // a, b: window-relative x, y
    kEventButton = 3,          // a: bit0 left, bit1 middle, bit2 right
    kEventScroll = 4,          // a, b: x, y delta
    kEventQuit = 5,
    kEventFocus = 6,           // a: 1 focused / 0 not
    kEventMove = 7,            // a, b: new window x, y
    kEventResize = 8,          // a, b: new width, height
    kEventScreen = 9,          // a, b: screen width, height
    kEventClipboard = 10,      // a: 1 copy, 2 cut, 3 paste; b: size
    kEventMouseRelative = 11,  // a, b: dx, dy
    kEventDrop = 12,
    kEventTextInput = 13,      // a: Unicode scalar
    kEventClipboardUpdate = 14,
    kEventHover = 15,          // a: 1 entered / 0 left
    kEventScale = 16,          // a: scale (x baseline), b: baseline 160
    kEventDragEnter = 17,
    kEventDragMove = 18,
    kEventDragLeave = 19,
    kEventControllerAxis = 20,
    kEventControllerButton = 21,
};

// Super+key combinations the window manager does not handle reach the first
// window with this bit added to the code (a documented upstream hack).
inline constexpr int64_t kEventSuperBit = 0x1000'0000;

// XT set-1 make codes (orbclient src/event.rs names).
namespace key {
inline constexpr uint8_t ESC = 0x01, K1 = 0x02, K2 = 0x03, K3 = 0x04, K4 = 0x05, K5 = 0x06,
    K6 = 0x07, K7 = 0x08, K8 = 0x09, K9 = 0x0A, K0 = 0x0B, MINUS = 0x0C, EQUALS = 0x0D,
    BKSP = 0x0E, TAB = 0x0F, Q = 0x10, W = 0x11, E = 0x12, R = 0x13, T = 0x14, Y = 0x15,
    U = 0x16, I = 0x17, O = 0x18, P = 0x19, BRACE_OPEN = 0x1A, BRACE_CLOSE = 0x1B,
    ENTER = 0x1C, CTRL = 0x1D, A = 0x1E, S = 0x1F, D = 0x20, F = 0x21, G = 0x22, H = 0x23,
    J = 0x24, K = 0x25, L = 0x26, SEMICOLON = 0x27, QUOTE = 0x28, TICK = 0x29,
    LEFT_SHIFT = 0x2A, BACKSLASH = 0x2B, Z = 0x2C, X = 0x2D, C = 0x2E, V = 0x2F, B = 0x30,
    N = 0x31, M = 0x32, COMMA = 0x33, PERIOD = 0x34, SLASH = 0x35, RIGHT_SHIFT = 0x36,
    PRTSC = 0x37, ALT = 0x38, SPACE = 0x39, CAPS = 0x3A, F1 = 0x3B, F2 = 0x3C, F3 = 0x3D,
    F4 = 0x3E, F5 = 0x3F, F6 = 0x40, F7 = 0x41, F8 = 0x42, F9 = 0x43, F10 = 0x44, NUM = 0x45,
    SCROLL = 0x46, HOME = 0x47, UP = 0x48, PGUP = 0x49, LEFT = 0x4B, RIGHT = 0x4D, END = 0x4F,
    DOWN = 0x50, PGDN = 0x51, INSERT = 0x52, DEL = 0x53, F11 = 0x57, F12 = 0x58,
    SUPER = 0x5B, RIGHT_SUPER = 0x5C, APP = 0x5D, POWER = 0x5E, SLEEP = 0x5F,
    RIGHT_CTRL = 0x64, ALT_GR = 0x64, NUM_0 = 0x70, NUM_PERIOD = 0x7A, NUM_MINUS = 0x7B,
    NUM_PLUS = 0x7C, NUM_ASTERISK = 0x7D, NUM_SLASH = 0x7E, NUM_ENTER = 0x7F,
    MEDIA_REWIND = 0x90, MEDIA_FAST_FORWARD = 0x99, VOLUME_TOGGLE = 0xA0,
    MEDIA_PLAY_PAUSE = 0xA2, MEDIA_STOP = 0xA4, VOLUME_DOWN = 0xAE, VOLUME_UP = 0xB0;
} // namespace key

} // namespace redox::orbital
