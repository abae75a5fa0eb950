// The text commands of an `orbital` control handle (a redox-sim extension, see
// OrbitalScheme.h): each line becomes one InputEvent, exactly as if the display
// backend had delivered it, so tests and scripts drive the whole input chain.
//
//   key CODE [press|release] [U+XXXX]  a key (XT set-1 scancode, decimal or 0x..);
//                                      the optional character precedes it as TextInput
//   text U+XXXX | text C               composed text (one character)
//   mouse X Y                          absolute pointer position, screen pixels
//   mouse_relative DX DY
//   button LEFT MIDDLE RIGHT           full button state, each 0 or 1
//   scroll DX DY
//   display_resize W H
//   quit                               the display closed: Orbital shuts down
#pragma once

#include <string_view>
#include <vector>

#include "orbital/server/input_event.h"
#include "schemes/error.h"

namespace redox::orbital {

// Parses one or more newline-separated commands; empty lines are skipped.
// Errors name the offending line.
Result<std::vector<InputEvent>> parse_control(std::string_view text);

} // namespace redox::orbital
