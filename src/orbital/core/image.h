// Pixel surfaces: PixelView borrows memory (a window's shared buffer, the screen),
// Image owns it. All drawing primitives of the server and of orbclient's Renderer
// reduce to these clipped row operations.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "orbital/core/rect.h"

namespace redox::orbital {

struct PixelView {
    uint32_t* data = nullptr;
    int32_t width = 0;
    int32_t height = 0;
    int32_t stride = 0;   // in pixels

    Rect bounds() const { return {0, 0, width, height}; }
    uint32_t* row(int32_t y) const { return data + int64_t(y) * stride; }
    uint32_t at(int32_t x, int32_t y) const { return row(y)[x]; }

    // Every operation clips against this view's bounds (and the source's).
    void fill(Rect r, uint32_t color) const;
    void blend_fill(Rect r, uint32_t color) const;
    // Copies src_rect of src to (dx, dy) here; `blend` composites source-over.
    void blit(const PixelView& src, Rect src_rect, int32_t dx, int32_t dy, bool blend) const;
};

class Image {
public:
    Image() = default;
    Image(int32_t w, int32_t h, uint32_t fill = 0xFF000000);

    int32_t width() const { return m_width; }
    int32_t height() const { return m_height; }
    PixelView view() { return {m_pixels.data(), m_width, m_height, m_width}; }
    PixelView view() const {
        return {const_cast<uint32_t*>(m_pixels.data()), m_width, m_height, m_width};
    }
    std::span<uint32_t> pixels() { return m_pixels; }
    std::span<const uint32_t> pixels() const { return m_pixels; }
    uint32_t at(int32_t x, int32_t y) const { return m_pixels[size_t(y) * m_width + x]; }

    // Nearest-neighbour scaling, used to stretch a background image over the screen.
    Image scaled(int32_t w, int32_t h) const;

private:
    int32_t m_width = 0;
    int32_t m_height = 0;
    std::vector<uint32_t> m_pixels;
};

} // namespace redox::orbital
