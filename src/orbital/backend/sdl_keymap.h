// SDL2 scancodes to orbital (XT set-1) scancodes. Keys Orbital has no code for map
// to 0 and are dropped, as orbclient's SDL backend does.
#pragma once

#include <cstdint>

namespace redox::orbital {

uint8_t sdl_to_orbital_scancode(int sdl_scancode);

} // namespace redox::orbital
