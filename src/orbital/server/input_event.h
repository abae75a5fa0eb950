// Input as a display backend (SDL2, headless injection) delivers it to the server,
// before the window manager turns it into per-window orbital events. Coordinates are
// screen pixels; this is the role `inputd` plays for real Orbital.
#pragma once

#include <cstdint>
#include <variant>

namespace redox::orbital {

struct KeyInput {
    uint8_t scancode = 0;        // XT set-1 make code (orbital/core/event.h `key::`)
    bool pressed = true;
    char32_t character = 0;      // when set and pressed, a TextInput precedes the key
};
struct TextInput {
    char32_t character = 0;      // text the host composed (SDL_TEXTINPUT)
};
struct MouseInput {
    int32_t x = 0;
    int32_t y = 0;
};
struct MouseRelativeInput {
    int32_t dx = 0;
    int32_t dy = 0;
};
struct ButtonInput {
    bool left = false;
    bool middle = false;
    bool right = false;
};
struct ScrollInput {
    int32_t dx = 0;
    int32_t dy = 0;
};
// The display changed size (SDL window resized by the user).
struct DisplayResizeInput {
    int32_t width = 0;
    int32_t height = 0;
};
// The host asked the display to go away (SDL window closed): Orbital shuts down.
struct QuitInput {};

using InputEvent = std::variant<KeyInput, TextInput, MouseInput, MouseRelativeInput,
                                ButtonInput, ScrollInput, DisplayResizeInput, QuitInput>;

} // namespace redox::orbital
