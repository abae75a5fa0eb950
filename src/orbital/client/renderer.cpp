#include "orbital/client/renderer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "orbital/core/font.h"

namespace redox::orbclient {

void Renderer::pixel(int32_t x, int32_t y, Color c) {
    PixelView v = pixels();
    if (x < 0 || y < 0 || x >= v.width || y >= v.height) return;
    uint32_t& p = v.row(y)[x];
    p = m_mode == Mode::Overwrite ? c.data : orbital::blend_pixel(p, c.data);
}

Color Renderer::getpixel(int32_t x, int32_t y) {
    PixelView v = pixels();
    if (x < 0 || y < 0 || x >= v.width || y >= v.height) return Color{0};
    return Color{v.at(x, y)};
}

void Renderer::set(Color c) {
    PixelView v = pixels();
    v.fill(v.bounds(), c.data);
}

void Renderer::rect(int32_t x, int32_t y, int32_t w, int32_t h, Color c) {
    PixelView v = pixels();
    if (m_mode == Mode::Overwrite) v.fill({x, y, w, h}, c.data);
    else v.blend_fill({x, y, w, h}, c.data);
}

void Renderer::line(int32_t x1, int32_t y1, int32_t x2, int32_t y2, Color c) {
    // Bresenham over all octants.
    int32_t dx = std::abs(x2 - x1), dy = -std::abs(y2 - y1);
    int32_t sx = x1 < x2 ? 1 : -1, sy = y1 < y2 ? 1 : -1;
    int32_t e = dx + dy;
    for (;;) {
        pixel(x1, y1, c);
        if (x1 == x2 && y1 == y2) return;
        int32_t e2 = 2 * e;
        if (e2 >= dy) { e += dy; x1 += sx; }
        if (e2 <= dx) { e += dx; y1 += sy; }
    }
}

void Renderer::lines(std::span<const std::array<int32_t, 2>> pts, Color c) {
    for (size_t i = 1; i < pts.size(); ++i) line(pts[i - 1][0], pts[i - 1][1], pts[i][0], pts[i][1], c);
    if (pts.size() == 1) pixel(pts[0][0], pts[0][1], c);
}

void Renderer::arc(int32_t x0, int32_t y0, int32_t radius, uint8_t parts, Color c) {
    bool filled = radius < 0;
    int32_t r = std::abs(radius);
    // Midpoint circle: (a, b) walks one octant, a >= b.
    int32_t a = r, b = 0, d = 1 - r;
    while (a >= b) {
        // For each octant: the point, and for filling, the span from the centre column.
        struct Oct { int32_t px, py; };
        const Oct oct[8] = {{-a, b}, {a, b}, {-b, a}, {b, a}, {-a, -b}, {a, -b}, {-b, -a}, {b, -a}};
        for (int i = 0; i < 8; ++i) {
            if (!(parts >> i & 1)) continue;
            int32_t px = oct[i].px, py = oct[i].py;
            if (!filled) {
                pixel(x0 + px, y0 + py, c);
            } else if (px < 0) {
                rect(x0 + px, y0 + py, -px, 1, c);
            } else {
                rect(x0, y0 + py, px + 1, 1, c);
            }
        }
        ++b;
        if (d < 0) {
            d += 2 * b + 1;
        } else {
            --a;
            d += 2 * (b - a) + 1;
        }
    }
}

void Renderer::circle(int32_t x0, int32_t y0, int32_t radius, Color c) {
    if (radius >= 0) return arc(x0, y0, radius, 0xFF, c);
    // Filled: one span per row, so blended colours are applied exactly once.
    int32_t r = -radius;
    for (int32_t dy = -r; dy <= r; ++dy) {
        int32_t half = int32_t(std::sqrt(double(r) * r - double(dy) * dy));
        rect(x0 - half, y0 + dy, 2 * half + 1, 1, c);
    }
}

void Renderer::linear_gradient(Rect area, int32_t sx, int32_t sy, int32_t ex, int32_t ey,
                               Color start_c, Color end_c) {
    double vx = ex - sx, vy = ey - sy;
    double len2 = vx * vx + vy * vy;
    area = area.intersect(pixels().bounds());
    for (int32_t y = area.y; y < area.bottom(); ++y) {
        for (int32_t x = area.x; x < area.right(); ++x) {
            double t = len2 > 0 ? ((x - sx) * vx + (y - sy) * vy) / len2 : 0.0;
            pixel(x, y, start_c.interpolate(end_c, std::clamp(t, 0.0, 1.0)));
        }
    }
}

void Renderer::image(int32_t x, int32_t y, int32_t w, int32_t h, std::span<const Color> data) {
    if (w <= 0 || h <= 0 || data.size() < size_t(w) * size_t(h)) return;
    static_assert(sizeof(Color) == sizeof(uint32_t));
    PixelView src{const_cast<uint32_t*>(reinterpret_cast<const uint32_t*>(data.data())), w, h, w};
    pixels().blit(src, src.bounds(), x, y, m_mode == Mode::Blend);
}

void Renderer::glyph(int32_t x, int32_t y, char32_t ch, Color c) {
    orbital::font::draw_char(pixels(), x, y, ch, c.data, m_mode == Mode::Blend);
}

int32_t Renderer::text(int32_t x, int32_t y, std::string_view utf8, Color c) {
    PixelView v = pixels();
    return orbital::font::draw_text(v, x, y, utf8, c.data, v.bounds(), m_mode == Mode::Blend);
}

} // namespace redox::orbclient
