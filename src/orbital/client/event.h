// orbclient's typed events: one struct per orbital event code, converted to and from
// the 24-byte wire event. `EventOption` is what an application switches on.
#pragma once

#include <cstdint>
#include <variant>

#include "orbital/core/event.h"

namespace redox::orbclient {

using orbital::WireEvent;

struct NoneEvent {};
struct KeyEvent { char32_t character = 0; uint8_t scancode = 0; bool pressed = false; };
struct MouseEvent { int32_t x = 0; int32_t y = 0; };
struct ButtonEvent { bool left = false; bool middle = false; bool right = false; };
struct ScrollEvent { int32_t x = 0; int32_t y = 0; };
struct QuitEvent {};
struct FocusEvent { bool focused = false; };
struct MoveEvent { int32_t x = 0; int32_t y = 0; };
struct ResizeEvent { uint32_t width = 0; uint32_t height = 0; };
struct ScreenEvent { uint32_t width = 0; uint32_t height = 0; };
enum class ClipboardAction : uint8_t { Copy = 1, Cut = 2, Paste = 3 };
struct ClipboardEvent { ClipboardAction action = ClipboardAction::Copy; uint64_t size = 0; };
struct MouseRelativeEvent { int32_t dx = 0; int32_t dy = 0; };
// Drag actions: 0 none, 1 copy, 2 move, 4 link.
struct DropEvent { uint8_t action = 0; uint32_t size = 0; int32_t x = 0; int32_t y = 0; };
struct TextInputEvent { char32_t character = 0; };
struct ClipboardUpdateEvent {};
struct HoverEvent { bool entered = false; };
struct ScaleEvent { uint32_t scale = 160; uint32_t baseline = 160; };
struct DragEnterEvent { uint8_t action = 0; uint32_t size = 0; };
struct DragMoveEvent { uint8_t action = 0; uint32_t size = 0; int32_t x = 0; int32_t y = 0; };
struct DragLeaveEvent {};
struct ControllerAxisEvent { uint32_t id = 0; uint32_t axis = 0; int64_t value = 0; };
struct ControllerButtonEvent { uint32_t id = 0; uint32_t button = 0; bool pressed = false; };
// Codes we do not know (including Super-forwarded keys, code | 0x1000'0000).
struct UnknownEvent { int64_t code = 0; int64_t a = 0; int64_t b = 0; };

using EventOption = std::variant<NoneEvent, KeyEvent, MouseEvent, ButtonEvent, ScrollEvent,
    QuitEvent, FocusEvent, MoveEvent, ResizeEvent, ScreenEvent, ClipboardEvent,
    MouseRelativeEvent, DropEvent, TextInputEvent, ClipboardUpdateEvent, HoverEvent, ScaleEvent,
    DragEnterEvent, DragMoveEvent, DragLeaveEvent, ControllerAxisEvent, ControllerButtonEvent,
    UnknownEvent>;

EventOption to_option(const WireEvent& ev);
WireEvent to_event(const EventOption& opt);

} // namespace redox::orbclient
