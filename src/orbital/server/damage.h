// Screen damage: rectangles waiting to be recomposited. Overlapping rectangles are
// merged as they arrive, and past kMaxRects everything collapses to one bounding box,
// so a burst of tiny updates never costs more than one full-screen pass.
#pragma once

#include <utility>
#include <vector>

#include "orbital/core/rect.h"

namespace redox::orbital {

class DamageList {
public:
    static constexpr size_t kMaxRects = 32;

    explicit DamageList(Rect screen = {}) : m_screen(screen) {}
    void set_screen(Rect screen) { m_screen = screen; }
    void add(Rect r);
    void add_all() { add(m_screen); }
    bool empty() const { return m_rects.empty(); }
    const std::vector<Rect>& rects() const { return m_rects; }
    std::vector<Rect> take() { return std::exchange(m_rects, {}); }

private:
    Rect m_screen;
    std::vector<Rect> m_rects;
};

} // namespace redox::orbital
