// Integer rectangles in screen or window pixels; the unit of damage tracking.
#pragma once

#include <algorithm>
#include <cstdint>

namespace redox::orbital {

struct Rect {
    int32_t x = 0;
    int32_t y = 0;
    int32_t w = 0;
    int32_t h = 0;

    bool empty() const { return w <= 0 || h <= 0; }
    int32_t right() const { return x + w; }
    int32_t bottom() const { return y + h; }
    bool contains(int32_t px, int32_t py) const {
        return px >= x && py >= y && px < right() && py < bottom();
    }
    Rect intersect(const Rect& o) const {
        int32_t l = std::max(x, o.x), t = std::max(y, o.y);
        int32_t r = std::min(right(), o.right()), b = std::min(bottom(), o.bottom());
        if (r <= l || b <= t) return {};
        return {l, t, r - l, b - t};
    }
    // Smallest rectangle holding both; an empty side does not count.
    Rect unite(const Rect& o) const {
        if (empty()) return o;
        if (o.empty()) return *this;
        int32_t l = std::min(x, o.x), t = std::min(y, o.y);
        int32_t r = std::max(right(), o.right()), b = std::max(bottom(), o.bottom());
        return {l, t, r - l, b - t};
    }
    Rect offset(int32_t dx, int32_t dy) const { return {x + dx, y + dy, w, h}; }
    int64_t area() const { return empty() ? 0 : int64_t(w) * h; }
    bool operator==(const Rect&) const = default;
};

} // namespace redox::orbital
