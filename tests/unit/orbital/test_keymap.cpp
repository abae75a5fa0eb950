// SDL scancodes map to the XT codes Orbital clients expect.
#include <SDL2/SDL_scancode.h>
#include <catch2/catch.hpp>

#include "orbital/backend/sdl_keymap.h"
#include "orbital/core/event.h"

using namespace redox::orbital;

TEST_CASE("SDL scancodes become orbital scancodes") {
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_A) == key::A);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_Q) == key::Q);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_Z) == key::Z);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_1) == key::K1);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_0) == key::K0);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_F1) == key::F1);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_F10) == key::F10);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_F12) == key::F12);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_RETURN) == key::ENTER);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_ESCAPE) == key::ESC);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_LGUI) == key::SUPER);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_RCTRL) == key::CTRL);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_KP_0) == key::NUM_0);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_KP_9) == key::NUM_0 + 9);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_UP) == key::UP);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_VOLUMEUP) == key::VOLUME_UP);
    CHECK(sdl_to_orbital_scancode(SDL_SCANCODE_F13) == 0);   // no orbital code: dropped
    // Every letter maps to a distinct code.
    bool seen[256] = {};
    for (int sc = SDL_SCANCODE_A; sc <= SDL_SCANCODE_Z; ++sc) {
        uint8_t k = sdl_to_orbital_scancode(sc);
        CHECK_FALSE(seen[k]);
        seen[k] = true;
    }
}
