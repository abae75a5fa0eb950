// Window flags: the letters of open paths and `F,` commands, and orbclient's bitmask.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace redox::orbital {

enum WindowFlag : uint32_t {
    kFlagAsync = 0x001,        // a: reads never block
    kFlagBack = 0x002,         // b: z band below normal windows
    kFlagFront = 0x004,        // f: z band above normal windows
    kFlagResizable = 0x008,    // r: resize borders, maximize button
    kFlagUnclosable = 0x010,   // u: no close button
    kFlagBorderless = 0x020,   // l: no title bar
    kFlagTransparent = 0x040,  // t: alpha-blend with what is behind
    kFlagMaximized = 0x080,    // m: tiled to the usable area
    kFlagFullscreen = 0x100,   // M: tiled to the whole screen
    kFlagHidden = 0x200,       // h: not drawn, not hit-tested
    kFlagScalable = 0x400,     // s: receives Scale events
};

// Letters in bit order, as orbclient writes them.
inline constexpr std::string_view kFlagLetters = "abfrultmMhs";

// Unknown letters are ignored (the server logs them; we report them through
// `unknown` so callers can decide).
uint32_t parse_flags(std::string_view letters, std::string* unknown = nullptr);
std::string flags_to_letters(uint32_t flags);

} // namespace redox::orbital
