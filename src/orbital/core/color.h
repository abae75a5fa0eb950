// orbclient's Color: one 0xAARRGGBB word, the pixel format of windows and the screen.
#pragma once

#include <cstdint>

namespace redox::orbital {

struct Color {
    uint32_t data = 0xFF000000;

    static constexpr Color rgb(uint8_t r, uint8_t g, uint8_t b) {
        return Color{0xFF000000u | uint32_t(r) << 16 | uint32_t(g) << 8 | b};
    }
    static constexpr Color rgba(uint8_t r, uint8_t g, uint8_t b, uint8_t a) {
        return Color{uint32_t(a) << 24 | uint32_t(r) << 16 | uint32_t(g) << 8 | b};
    }
    constexpr uint8_t a() const { return data >> 24; }
    constexpr uint8_t r() const { return data >> 16; }
    constexpr uint8_t g() const { return data >> 8; }
    constexpr uint8_t b() const { return data; }

    // Linear mix; scale 0.0 gives *this, 1.0 gives `to`.
    Color interpolate(Color to, double scale) const;

    constexpr bool operator==(const Color&) const = default;
};

// Source-over compositing of `src` onto `dst` in integer arithmetic, rounded like
// x/255 (alpha 255 replaces, alpha 0 leaves dst unchanged).
constexpr uint32_t blend_pixel(uint32_t dst, uint32_t src) {
    uint32_t a = src >> 24;
    if (a == 255) return src;
    if (a == 0) return dst;
    uint32_t n = 255 - a;
    // Red and blue share one multiply (16-bit lanes cannot overflow: 255*255+383 <
    // 65536); (v + 128 + ((v + 128) >> 8)) >> 8 is v/255 rounded, per lane.
    uint32_t rb = (src & 0x00FF00FF) * a + (dst & 0x00FF00FF) * n + 0x00800080;
    rb = ((rb + ((rb >> 8) & 0x00FF00FF)) >> 8) & 0x00FF00FF;
    uint32_t g = (src >> 8 & 0xFF) * a + (dst >> 8 & 0xFF) * n + 128;
    g = (g + (g >> 8)) >> 8;
    uint32_t da = (dst >> 24) * n + 128;
    uint32_t oa = a + ((da + (da >> 8)) >> 8);
    return oa << 24 | g << 8 | rb;
}

} // namespace redox::orbital
