// Orbital's configuration (upstream `/ui/orbital.toml`): colours of the background,
// title bars and title text. Colours are written as upstream does, a table
// `{ data = 0xAARRGGBB }`, or as a plain integer or a "#RRGGBB" / "#AARRGGBB" string.
// Our extension: `background_image = "file.png"` (relative to the config file),
// stretched over the screen. Cursor/decoration image keys of upstream are accepted
// and ignored: decorations are drawn, not loaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schemes/error.h"

namespace redox::orbital {

struct OrbitalConfig {
    uint32_t background_color = 0xFF000000;
    uint32_t bar_color = 0xE01B1B1B;
    uint32_t bar_highlight_color = 0xE0363636;
    uint32_t text_color = 0xFFE7E7E7;
    uint32_t text_highlight_color = 0xFFE7E7E7;
    std::string background_image;   // absolute or relative to the working directory

    // `source` names the text in error messages; `base_dir` resolves relative paths.
    static Result<OrbitalConfig> parse(std::string_view toml_text, const std::string& source,
                                       const std::string& base_dir = ".");
    static Result<OrbitalConfig> load(const std::string& path);
};

} // namespace redox::orbital
