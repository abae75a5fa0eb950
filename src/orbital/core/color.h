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
    auto div255 = [](uint32_t v) { return (v + 128 + ((v + 128) >> 8)) >> 8; };
    auto mix = [&](int shift) {
        return div255((src >> shift & 0xFF) * a + (dst >> shift & 0xFF) * n) << shift;
    };
    uint32_t oa = a + div255((dst >> 24) * n);
    return oa << 24 | mix(16) | mix(8) | mix(0);
}

} // namespace redox::orbital
