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

#include "orbital/core/event.h"
#include "schemes/error.h"

namespace redox::input {

// orbclient's event, the one wire format of inputd's producers and consumers and
// of Orbital's windows (orbital/core/event.h owns it, its codes and scancodes).
using Event = orbital::WireEvent;

// The orbclient codes a producer sends (the rest are Orbital's own, per window).
inline constexpr int64_t kCodeKey = orbital::kEventKey;                      // a: character, b: scancode | pressed << 8
inline constexpr int64_t kCodeMouse = orbital::kEventMouse;                  // a, b: screen x, y
inline constexpr int64_t kCodeButton = orbital::kEventButton;                // a: bit0 left, bit1 middle, bit2 right
inline constexpr int64_t kCodeScroll = orbital::kEventScroll;                // a, b: x, y delta
inline constexpr int64_t kCodeQuit = orbital::kEventQuit;                    // the display was closed
inline constexpr int64_t kCodeResize = orbital::kEventResize;                // a, b: new display width, height
inline constexpr int64_t kCodeMouseRelative = orbital::kEventMouseRelative;  // a, b: dx, dy
inline constexpr int64_t kCodeTextInput = orbital::kEventTextInput;          // a: Unicode scalar

inline constexpr uint8_t kKeyA = orbital::key::A, kKeyF1 = orbital::key::F1, kKeyF10 = orbital::key::F10,
                         kKeyF11 = orbital::key::F11, kKeyF12 = orbital::key::F12, kKeySuper = orbital::key::SUPER;

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
