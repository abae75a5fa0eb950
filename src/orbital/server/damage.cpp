#include "orbital/server/damage.h"

namespace redox::orbital {

void DamageList::add(Rect r) {
    r = r.intersect(m_screen);
    if (r.empty()) return;
    // Absorb every rectangle the new one touches; the union may touch more, so repeat.
    bool merged = true;
    while (merged) {
        merged = false;
        for (size_t i = 0; i < m_rects.size(); ++i) {
            if (!m_rects[i].intersect(r).empty()) {
                r = r.unite(m_rects[i]);
                m_rects[i] = m_rects.back();
                m_rects.pop_back();
                merged = true;
                break;
            }
        }
    }
    m_rects.push_back(r);
    if (m_rects.size() > kMaxRects) {
        Rect all;
        for (const Rect& x : m_rects) all = all.unite(x);
        m_rects.assign(1, all);
    }
}

} // namespace redox::orbital
