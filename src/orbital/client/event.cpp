#include "orbital/client/event.h"

namespace redox::orbclient {

using namespace orbital;

EventOption to_option(const WireEvent& e) {
    auto lo32 = [](int64_t v) { return int32_t(uint32_t(uint64_t(v))); };
    auto hi32 = [](int64_t v) { return int32_t(uint32_t(uint64_t(v) >> 32)); };
    switch (e.code) {
    case kEventNone: return NoneEvent{};
    case kEventKey:
        return KeyEvent{char32_t(e.a), uint8_t(e.b & 0xFF), (e.b & 0x100) != 0};
    case kEventMouse: return MouseEvent{int32_t(e.a), int32_t(e.b)};
    case kEventButton: return ButtonEvent{(e.a & 1) != 0, (e.a & 2) != 0, (e.a & 4) != 0};
    case kEventScroll: return ScrollEvent{int32_t(e.a), int32_t(e.b)};
    case kEventQuit: return QuitEvent{};
    case kEventFocus: return FocusEvent{e.a != 0};
    case kEventMove: return MoveEvent{int32_t(e.a), int32_t(e.b)};
    case kEventResize: return ResizeEvent{uint32_t(e.a), uint32_t(e.b)};
    case kEventScreen: return ScreenEvent{uint32_t(e.a), uint32_t(e.b)};
    case kEventClipboard: return ClipboardEvent{ClipboardAction(uint8_t(e.a)), uint64_t(e.b)};
    case kEventMouseRelative: return MouseRelativeEvent{int32_t(e.a), int32_t(e.b)};
    case kEventDrop:
        return DropEvent{uint8_t(e.a & 0xFF), uint32_t(uint64_t(e.a) >> 8), lo32(e.b), hi32(e.b)};
    case kEventTextInput: return TextInputEvent{char32_t(e.a)};
    case kEventClipboardUpdate: return ClipboardUpdateEvent{};
    case kEventHover: return HoverEvent{e.a != 0};
    case kEventScale: return ScaleEvent{uint32_t(e.a), uint32_t(e.b)};
    case kEventDragEnter: return DragEnterEvent{uint8_t(e.a & 0xFF), uint32_t(uint64_t(e.a) >> 8)};
    case kEventDragMove:
        return DragMoveEvent{uint8_t(e.a & 0xFF), uint32_t(uint64_t(e.a) >> 8), lo32(e.b), hi32(e.b)};
    case kEventDragLeave: return DragLeaveEvent{};
    case kEventControllerAxis:
        return ControllerAxisEvent{uint32_t(lo32(e.a)), uint32_t(hi32(e.a)), e.b};
    case kEventControllerButton:
        return ControllerButtonEvent{uint32_t(lo32(e.a)), uint32_t(hi32(e.a)), e.b != 0};
    default: return UnknownEvent{e.code, e.a, e.b};
    }
}

WireEvent to_event(const EventOption& opt) {
    auto pack = [](uint32_t lo, uint32_t hi) { return int64_t(uint64_t(hi) << 32 | lo); };
    auto drag = [](uint8_t action, uint32_t size) { return int64_t(uint64_t(size) << 8 | action); };
    struct V {
        decltype(pack) p;
        decltype(drag) d;
        WireEvent operator()(const NoneEvent&) { return {kEventNone, 0, 0}; }
        WireEvent operator()(const KeyEvent& k) {
            return {kEventKey, int64_t(k.character), int64_t(k.scancode) | (k.pressed ? 0x100 : 0)};
        }
        WireEvent operator()(const MouseEvent& m) { return {kEventMouse, m.x, m.y}; }
        WireEvent operator()(const ButtonEvent& b) {
            return {kEventButton, (b.left ? 1 : 0) | (b.middle ? 2 : 0) | (b.right ? 4 : 0), 0};
        }
        WireEvent operator()(const ScrollEvent& s) { return {kEventScroll, s.x, s.y}; }
        WireEvent operator()(const QuitEvent&) { return {kEventQuit, 0, 0}; }
        WireEvent operator()(const FocusEvent& f) { return {kEventFocus, f.focused ? 1 : 0, 0}; }
        WireEvent operator()(const MoveEvent& m) { return {kEventMove, m.x, m.y}; }
        WireEvent operator()(const ResizeEvent& r) { return {kEventResize, r.width, r.height}; }
        WireEvent operator()(const ScreenEvent& s) { return {kEventScreen, s.width, s.height}; }
        WireEvent operator()(const ClipboardEvent& c) {
            return {kEventClipboard, int64_t(c.action), int64_t(c.size)};
        }
        WireEvent operator()(const MouseRelativeEvent& m) { return {kEventMouseRelative, m.dx, m.dy}; }
        WireEvent operator()(const DropEvent& e) {
            return {kEventDrop, d(e.action, e.size), p(uint32_t(e.x), uint32_t(e.y))};
        }
        WireEvent operator()(const TextInputEvent& t) { return {kEventTextInput, int64_t(t.character), 0}; }
        WireEvent operator()(const ClipboardUpdateEvent&) { return {kEventClipboardUpdate, 0, 0}; }
        WireEvent operator()(const HoverEvent& h) { return {kEventHover, h.entered ? 1 : 0, 0}; }
        WireEvent operator()(const ScaleEvent& s) { return {kEventScale, s.scale, s.baseline}; }
        WireEvent operator()(const DragEnterEvent& e) { return {kEventDragEnter, d(e.action, e.size), 0}; }
        WireEvent operator()(const DragMoveEvent& e) {
            return {kEventDragMove, d(e.action, e.size), p(uint32_t(e.x), uint32_t(e.y))};
        }
        WireEvent operator()(const DragLeaveEvent&) { return {kEventDragLeave, 0, 0}; }
        WireEvent operator()(const ControllerAxisEvent& c) {
            return {kEventControllerAxis, p(c.id, c.axis), c.value};
        }
        WireEvent operator()(const ControllerButtonEvent& c) {
            return {kEventControllerButton, p(c.id, c.button), c.pressed ? 1 : 0};
        }
        WireEvent operator()(const UnknownEvent& u) { return {u.code, u.a, u.b}; }
    };
    return std::visit(V{pack, drag}, opt);
}

} // namespace redox::orbclient
