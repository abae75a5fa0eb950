// The built-in bitmap font: 8x16 cells, printable ASCII drawn from our own 5x7
// design (rows doubled), a hollow box for anything else. Shared by the server's
// title bars and orbclient's Renderer::text.
#pragma once

#include <cstdint>
#include <string_view>

#include "orbital/core/image.h"

namespace redox::orbital::font {

inline constexpr int32_t kCellWidth = 8;
inline constexpr int32_t kCellHeight = 16;

// Whether pixel (x, y) of the 8x16 cell for `ch` is set.
bool glyph_bit(char32_t ch, int32_t x, int32_t y);

// Draws one glyph with its top-left cell corner at (x, y); `blend` composites.
void draw_char(const PixelView& dst, int32_t x, int32_t y, char32_t ch, uint32_t color,
               bool blend = true);
// Draws UTF-8 text on one line, clipped to `clip`; returns the width used.
int32_t draw_text(const PixelView& dst, int32_t x, int32_t y, std::string_view utf8,
                  uint32_t color, Rect clip, bool blend = true);

} // namespace redox::orbital::font
