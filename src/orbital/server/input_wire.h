// Orbital's input as inputd carries it: InputEvent (input_event.h) to and from the
// 24-byte orbclient events of daemons/inputd/producer.h. The display daemon encodes
// what its backend delivers; orbital decodes what its VT's consumer reads.
#pragma once

#include <optional>
#include <type_traits>

#include "daemons/inputd/producer.h"
#include "orbital/server/input_event.h"

namespace redox::orbital {

inline input::Event to_wire(const InputEvent& ev) {
    return std::visit([](const auto& v) -> input::Event {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, KeyInput>) return input::key(v.scancode, v.pressed, v.character);
        else if constexpr (std::is_same_v<T, TextInput>) return input::text(v.character);
        else if constexpr (std::is_same_v<T, MouseInput>) return input::mouse(v.x, v.y);
        else if constexpr (std::is_same_v<T, MouseRelativeInput>) return input::mouse_relative(v.dx, v.dy);
        else if constexpr (std::is_same_v<T, ButtonInput>) return input::buttons(v.left, v.middle, v.right);
        else if constexpr (std::is_same_v<T, ScrollInput>) return input::scroll(v.dx, v.dy);
        else if constexpr (std::is_same_v<T, DisplayResizeInput>) return input::display_resize(v.width, v.height);
        else return input::quit();
    }, ev);
}

// Codes a producer does not send (and out-of-range payloads) give nothing.
inline std::optional<InputEvent> from_wire(const input::Event& e) {
    auto i32 = [](int64_t v) { return v < INT32_MIN || v > INT32_MAX; };
    switch (e.code) {
    case input::kCodeKey:
        if (e.a < 0 || e.a > 0x10FFFF || (e.b & ~int64_t(0x1FF)) != 0) return std::nullopt;
        return KeyInput{uint8_t(e.b & 0xFF), (e.b & 0x100) != 0, char32_t(e.a)};
    case input::kCodeTextInput:
        if (e.a <= 0 || e.a > 0x10FFFF) return std::nullopt;
        return TextInput{char32_t(e.a)};
    case input::kCodeMouse:
        if (i32(e.a) || i32(e.b)) return std::nullopt;
        return MouseInput{int32_t(e.a), int32_t(e.b)};
    case input::kCodeMouseRelative:
        if (i32(e.a) || i32(e.b)) return std::nullopt;
        return MouseRelativeInput{int32_t(e.a), int32_t(e.b)};
    case input::kCodeButton:
        return ButtonInput{(e.a & 1) != 0, (e.a & 2) != 0, (e.a & 4) != 0};
    case input::kCodeScroll:
        if (i32(e.a) || i32(e.b)) return std::nullopt;
        return ScrollInput{int32_t(e.a), int32_t(e.b)};
    case input::kCodeResize:
        if (e.a <= 0 || e.b <= 0 || e.a > 16384 || e.b > 16384) return std::nullopt;
        return DisplayResizeInput{int32_t(e.a), int32_t(e.b)};
    case input::kCodeQuit:
        return QuitInput{};
    default:
        return std::nullopt;
    }
}

} // namespace redox::orbital
