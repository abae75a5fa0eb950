// A set of disjoint rectangles, enough to clip compositing against opaque windows.
#pragma once

#include <vector>

#include "orbital/core/rect.h"

namespace redox::orbital {

// Removes `cut` from every rectangle of `rects`, splitting into at most four pieces each.
inline void subtract(std::vector<Rect>& rects, const Rect& cut) {
    if (cut.empty()) return;
    std::vector<Rect> out;
    out.reserve(rects.size() + 4);
    for (const Rect& r : rects) {
        Rect i = r.intersect(cut);
        if (i.empty()) {
            out.push_back(r);
            continue;
        }
        if (i.y > r.y) out.push_back({r.x, r.y, r.w, i.y - r.y});                          // above
        if (i.bottom() < r.bottom()) out.push_back({r.x, i.bottom(), r.w, r.bottom() - i.bottom()});  // below
        if (i.x > r.x) out.push_back({r.x, i.y, i.x - r.x, i.h});                          // left
        if (i.right() < r.right()) out.push_back({i.right(), i.y, r.right() - i.right(), i.h});  // right
    }
    rects.swap(out);
}

} // namespace redox::orbital
