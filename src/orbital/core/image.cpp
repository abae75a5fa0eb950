#include "orbital/core/image.h"

#include <algorithm>
#include <cstring>

#include "orbital/core/color.h"

namespace redox::orbital {

void PixelView::fill(Rect r, uint32_t color) const {
    r = r.intersect(bounds());
    for (int32_t y = r.y; y < r.bottom(); ++y)
        std::fill_n(row(y) + r.x, r.w, color);
}

void PixelView::blend_fill(Rect r, uint32_t color) const {
    uint32_t a = color >> 24;
    if (a == 255) return fill(r, color);
    if (a == 0) return;
    r = r.intersect(bounds());
    for (int32_t y = r.y; y < r.bottom(); ++y) {
        uint32_t* p = row(y) + r.x;
        for (int32_t x = 0; x < r.w; ++x) p[x] = blend_pixel(p[x], color);
    }
}

void PixelView::blit(const PixelView& src, Rect src_rect, int32_t dx, int32_t dy,
                     bool blend) const {
    src_rect = src_rect.intersect(src.bounds());
    // Clip the destination, then shift the source by the same amount.
    Rect dst = Rect{dx, dy, src_rect.w, src_rect.h}.intersect(bounds());
    if (dst.empty()) return;
    int32_t sx = src_rect.x + (dst.x - dx), sy = src_rect.y + (dst.y - dy);
    for (int32_t y = 0; y < dst.h; ++y) {
        const uint32_t* s = src.row(sy + y) + sx;
        uint32_t* d = row(dst.y + y) + dst.x;
        if (!blend) {
            std::memcpy(d, s, size_t(dst.w) * 4);
        } else {
            for (int32_t x = 0; x < dst.w; ++x) d[x] = blend_pixel(d[x], s[x]);
        }
    }
}

Image::Image(int32_t w, int32_t h, uint32_t fill)
    : m_width(std::max(w, 0)), m_height(std::max(h, 0)),
      m_pixels(size_t(m_width) * m_height, fill) {}

Image Image::scaled(int32_t w, int32_t h) const {
    Image out(w, h);
    if (m_width == 0 || m_height == 0) return out;
    for (int32_t y = 0; y < out.m_height; ++y) {
        int32_t sy = int32_t(int64_t(y) * m_height / out.m_height);
        for (int32_t x = 0; x < out.m_width; ++x) {
            int32_t sx = int32_t(int64_t(x) * m_width / out.m_width);
            out.m_pixels[size_t(y) * w + x] = at(sx, sy);
        }
    }
    return out;
}

} // namespace redox::orbital
