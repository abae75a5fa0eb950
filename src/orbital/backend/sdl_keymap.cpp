#include "orbital/backend/sdl_keymap.h"

#include <SDL2/SDL_scancode.h>

#include "orbital/core/event.h"

namespace redox::orbital {

uint8_t sdl_to_orbital_scancode(int sc) {
    // Letters: SDL orders them alphabetically, XT by keyboard row.
    static constexpr uint8_t kLetters[26] = {
        key::A, key::B, key::C, key::D, key::E, key::F, key::G, key::H, key::I,
        key::J, key::K, key::L, key::M, key::N, key::O, key::P, key::Q, key::R,
        key::S, key::T, key::U, key::V, key::W, key::X, key::Y, key::Z};
    if (sc >= SDL_SCANCODE_A && sc <= SDL_SCANCODE_Z) return kLetters[sc - SDL_SCANCODE_A];
    if (sc >= SDL_SCANCODE_1 && sc <= SDL_SCANCODE_0) return uint8_t(key::K1 + (sc - SDL_SCANCODE_1));
    if (sc >= SDL_SCANCODE_F1 && sc <= SDL_SCANCODE_F10) return uint8_t(key::F1 + (sc - SDL_SCANCODE_F1));
    if (sc >= SDL_SCANCODE_KP_1 && sc <= SDL_SCANCODE_KP_9)
        return uint8_t(key::NUM_0 + 1 + (sc - SDL_SCANCODE_KP_1));
    switch (sc) {
    case SDL_SCANCODE_RETURN: return key::ENTER;
    case SDL_SCANCODE_ESCAPE: return key::ESC;
    case SDL_SCANCODE_BACKSPACE: return key::BKSP;
    case SDL_SCANCODE_TAB: return key::TAB;
    case SDL_SCANCODE_SPACE: return key::SPACE;
    case SDL_SCANCODE_MINUS: return key::MINUS;
    case SDL_SCANCODE_EQUALS: return key::EQUALS;
    case SDL_SCANCODE_LEFTBRACKET: return key::BRACE_OPEN;
    case SDL_SCANCODE_RIGHTBRACKET: return key::BRACE_CLOSE;
    case SDL_SCANCODE_BACKSLASH: return key::BACKSLASH;
    case SDL_SCANCODE_SEMICOLON: return key::SEMICOLON;
    case SDL_SCANCODE_APOSTROPHE: return key::QUOTE;
    case SDL_SCANCODE_GRAVE: return key::TICK;
    case SDL_SCANCODE_COMMA: return key::COMMA;
    case SDL_SCANCODE_PERIOD: return key::PERIOD;
    case SDL_SCANCODE_SLASH: return key::SLASH;
    case SDL_SCANCODE_CAPSLOCK: return key::CAPS;
    case SDL_SCANCODE_F11: return key::F11;
    case SDL_SCANCODE_F12: return key::F12;
    case SDL_SCANCODE_PRINTSCREEN: return key::PRTSC;
    case SDL_SCANCODE_SCROLLLOCK: return key::SCROLL;
    case SDL_SCANCODE_INSERT: return key::INSERT;
    case SDL_SCANCODE_HOME: return key::HOME;
    case SDL_SCANCODE_PAGEUP: return key::PGUP;
    case SDL_SCANCODE_DELETE: return key::DEL;
    case SDL_SCANCODE_END: return key::END;
    case SDL_SCANCODE_PAGEDOWN: return key::PGDN;
    case SDL_SCANCODE_RIGHT: return key::RIGHT;
    case SDL_SCANCODE_LEFT: return key::LEFT;
    case SDL_SCANCODE_DOWN: return key::DOWN;
    case SDL_SCANCODE_UP: return key::UP;
    case SDL_SCANCODE_NUMLOCKCLEAR: return key::NUM;
    case SDL_SCANCODE_KP_DIVIDE: return key::NUM_SLASH;
    case SDL_SCANCODE_KP_MULTIPLY: return key::NUM_ASTERISK;
    case SDL_SCANCODE_KP_MINUS: return key::NUM_MINUS;
    case SDL_SCANCODE_KP_PLUS: return key::NUM_PLUS;
    case SDL_SCANCODE_KP_ENTER: return key::NUM_ENTER;
    case SDL_SCANCODE_KP_0: return key::NUM_0;
    case SDL_SCANCODE_KP_PERIOD: return key::NUM_PERIOD;
    case SDL_SCANCODE_LCTRL: case SDL_SCANCODE_RCTRL: return key::CTRL;
    case SDL_SCANCODE_LSHIFT: return key::LEFT_SHIFT;
    case SDL_SCANCODE_RSHIFT: return key::RIGHT_SHIFT;
    case SDL_SCANCODE_LALT: case SDL_SCANCODE_RALT: return key::ALT;
    // orbclient maps LGui to HOME; we map it to Super so Orbital's shortcuts work.
    case SDL_SCANCODE_LGUI: return key::SUPER;
    case SDL_SCANCODE_RGUI: return key::RIGHT_SUPER;
    case SDL_SCANCODE_APPLICATION: return key::APP;
    case SDL_SCANCODE_POWER: return key::POWER;
    case SDL_SCANCODE_SLEEP: return key::SLEEP;
    case SDL_SCANCODE_MUTE: return key::VOLUME_TOGGLE;
    case SDL_SCANCODE_VOLUMEDOWN: return key::VOLUME_DOWN;
    case SDL_SCANCODE_VOLUMEUP: return key::VOLUME_UP;
    case SDL_SCANCODE_AUDIOPLAY: return key::MEDIA_PLAY_PAUSE;
    case SDL_SCANCODE_AUDIOSTOP: return key::MEDIA_STOP;
    case SDL_SCANCODE_AUDIONEXT: return key::MEDIA_FAST_FORWARD;
    case SDL_SCANCODE_AUDIOPREV: return key::MEDIA_REWIND;
    default: return 0;
    }
}

} // namespace redox::orbital
