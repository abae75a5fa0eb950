// orbclient's Renderer: drawing primitives over a window's (or surface's) pixels.
// Subclasses provide the pixels and how to present them; everything else is here.
// Mode::Blend (the default) composites source-over, Mode::Overwrite stores colours
// as they are, alpha included.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "orbital/core/color.h"
#include "orbital/core/image.h"
#include "orbital/core/rect.h"
#include "schemes/error.h"

namespace redox::orbclient {

using orbital::Color;
using orbital::PixelView;
using orbital::Rect;

enum class Mode { Blend, Overwrite };

class Renderer {
public:
    virtual ~Renderer() = default;

    virtual PixelView pixels() = 0;
    // Present everything / only these rectangles (window-relative).
    virtual Result<void> sync() = 0;
    virtual Result<void> update_rects(std::span<const Rect> rects) = 0;

    int32_t width() { return pixels().width; }
    int32_t height() { return pixels().height; }
    Mode mode() const { return m_mode; }
    void set_mode(Mode m) { m_mode = m; }

    void pixel(int32_t x, int32_t y, Color c);
    Color getpixel(int32_t x, int32_t y);
    // Fills everything, ignoring the mode (like upstream `set`); clear() = black.
    void set(Color c);
    void clear() { set(Color::rgb(0, 0, 0)); }
    void rect(int32_t x, int32_t y, int32_t w, int32_t h, Color c);
    void line(int32_t x1, int32_t y1, int32_t x2, int32_t y2, Color c);
    void lines(std::span<const std::array<int32_t, 2>> points, Color c);
    // Negative radius fills. `parts` selects octants: bits 0/1 lower-left/right near
    // the horizontal axis, 2/3 lower-left/right near the vertical axis, 4..7 the same
    // mirrored above the centre.
    void arc(int32_t x0, int32_t y0, int32_t radius, uint8_t parts, Color c);
    void circle(int32_t x0, int32_t y0, int32_t radius, Color c);
    // Colour runs from start_c at (sx, sy) to end_c at (ex, ey), clamped beyond them.
    void linear_gradient(Rect area, int32_t sx, int32_t sy, int32_t ex, int32_t ey,
                         Color start_c, Color end_c);
    // `data` is w*h colours, row-major.
    void image(int32_t x, int32_t y, int32_t w, int32_t h, std::span<const Color> data);
    // One 8x16 glyph of the built-in font / a line of UTF-8 text; returns the width.
    void glyph(int32_t x, int32_t y, char32_t ch, Color c);
    int32_t text(int32_t x, int32_t y, std::string_view utf8, Color c);

private:
    Mode m_mode = Mode::Blend;
};

} // namespace redox::orbclient
