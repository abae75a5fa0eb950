// The producer side of inputd, for anything that turns a device into input events:
// the display daemon (SDL2 window), the terminal console, a USB keyboard driver,
// `sim input` and `orbinput`. Link `inputd_producer_dep` (meson).
//
//   auto p = redox::input::Producer::open();            // /scheme/input/producer
//   if (!p) ...one error line, p.error().message()...
//   p->send({input::key(input::kKeyA, true, U'a'), input::key(input::kKeyA, false)});
//
// Events are orbclient's `Event { code, a, b }` (three little-endian i64, 24 bytes),
// the format Orbital's windows read too; inputd passes them unchanged to the
// consumers of the active VT. Coordinates of `mouse` are screen pixels. Keys carry
// XT set-1 scancodes (orbital-protocol.md §4); a key's character, when given, is
// what Orbital sends as TextInput before the key (0 = none). Super+F1..F12 on a
// producer switch to VT 1..12, as upstream.
//
// The same events as text, one command per line (parse_commands; what `sim input`
// and `orbinput` accept):
//   key CODE [press|release] [U+XXXX|C]   CODE decimal or 0x..; press by default
//   text U+XXXX | text C                  composed text (one character)
//   mouse X Y | mouse_relative DX DY | scroll DX DY
//   button LEFT MIDDLE RIGHT              full button state, each 0 or 1
//   display_resize W H                    the display changed size
//   quit                                  the display was closed
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schemes/error.h"

namespace redox::input {

struct Event {
    int64_t code = 0;
    int64_t a = 0;
    int64_t b = 0;
    bool operator==(const Event&) const = default;
};
static_assert(sizeof(Event) == 24);
static_assert(offsetof(Event, a) == 8 && offsetof(Event, b) == 16);

// The orbclient codes a producer sends (the rest are Orbital's own, per window).
inline constexpr int64_t kCodeKey = 1;            // a: character, b: scancode | pressed << 8
inline constexpr int64_t kCodeMouse = 2;          // a, b: screen x, y
inline constexpr int64_t kCodeButton = 3;         // a: bit0 left, bit1 middle, bit2 right
inline constexpr int64_t kCodeScroll = 4;         // a, b: x, y delta
inline constexpr int64_t kCodeQuit = 5;           // the display was closed
inline constexpr int64_t kCodeResize = 8;         // a, b: new display width, height
inline constexpr int64_t kCodeMouseRelative = 11; // a, b: dx, dy
inline constexpr int64_t kCodeTextInput = 13;     // a: Unicode scalar

inline constexpr uint8_t kKeyA = 0x1E, kKeyF1 = 0x3B, kKeyF10 = 0x44, kKeyF11 = 0x57, kKeyF12 = 0x58,
                         kKeySuper = 0x5B;

inline Event key(uint8_t scancode, bool pressed, char32_t character = 0) {
    return {kCodeKey, int64_t(character), int64_t(scancode) | (pressed ? 0x100 : 0)};
}
inline Event text(char32_t character) { return {kCodeTextInput, int64_t(character), 0}; }
inline Event mouse(int32_t x, int32_t y) { return {kCodeMouse, x, y}; }
inline Event mouse_relative(int32_t dx, int32_t dy) { return {kCodeMouseRelative, dx, dy}; }
inline Event buttons(bool left, bool middle, bool right) {
    return {kCodeButton, int64_t(left) | int64_t(middle) << 1 | int64_t(right) << 2, 0};
}
inline Event scroll(int32_t dx, int32_t dy) { return {kCodeScroll, dx, dy}; }
inline Event display_resize(int32_t w, int32_t h) { return {kCodeResize, w, h}; }
inline Event quit() { return {kCodeQuit, 0, 0}; }

// Parses newline-separated commands (syntax above); empty lines are skipped. The
// error names the offending line: `"mouse 1": expected two integers`.
Result<std::vector<Event>> parse_commands(std::string_view text);

// A producer handle. Move-only; closes on destruction.
class Producer {
public:
    static Result<Producer> open(std::string_view path = "/scheme/input/producer");
    Producer(Producer&& o) noexcept : m_fd(o.m_fd) { o.m_fd = -1; }
    Producer& operator=(Producer&& o) noexcept;
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;
    ~Producer();

    // One write: inputd queues all of them before any consumer runs.
    Result<void> send(std::span<const Event> events);
    Result<void> send(std::initializer_list<Event> events) { return send(std::span(events.begin(), events.size())); }
    int fd() const { return m_fd; }

private:
    explicit Producer(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

// What a display driver reads from /scheme/input/handle/NAME (InputScheme.h).
struct VtEvent {
    uint32_t kind = 0;   // kVtActivate, kVtDeactivate, kVtResize
    uint32_t vt = 0;
    uint32_t width = 0;  // kVtResize only
    uint32_t height = 0;
};
static_assert(sizeof(VtEvent) == 16);
inline constexpr uint32_t kVtActivate = 1, kVtDeactivate = 2, kVtResize = 3;

// VT switching through /scheme/input/control (what `inputd -A N` does).
Result<void> activate_vt(uint64_t vt);
// The active VT (0 when no consumer exists yet).
Result<uint64_t> active_vt();

} // namespace redox::input
