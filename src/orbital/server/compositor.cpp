#include "orbital/server/compositor.h"

#include "orbital/server/decorations.h"

namespace redox::orbital {

void Compositor::screen_resized(int32_t w, int32_t h) {
    if (m_background_source.width() > 0 && m_background_source.height() > 0)
        m_background = m_background_source.scaled(w, h);
}

void Compositor::paint(const PixelView& screen, Rect area,
                       std::span<const ServerWindow* const> windows, uint64_t focused,
                       const CursorState& cursor) const {
    area = area.intersect(screen.bounds());
    if (area.empty()) return;
    if (m_background.width() == screen.width && m_background.height() == screen.height)
        screen.blit(m_background.view(), area, area.x, area.y, false);
    else
        screen.fill(area, m_config.background_color);

    for (const ServerWindow* w : windows) {
        if (w->hidden()) continue;
        if (!decor::visible_rect(*w).intersect(area).empty()) {
            decor::draw_title(screen, *w, w->id == focused, m_config, area);
            Rect part = w->rect.intersect(area);
            // The buffer may be smaller than the rect right after a resize request.
            Rect src{part.x - w->rect.x, part.y - w->rect.y, part.w, part.h};
            if (!part.empty())
                screen.blit(w->pixels.view(), src, part.x, part.y, w->has(kFlagTransparent));
        }
    }
    if (cursor.visible) paint_cursor(screen, area, cursor);
}

void Compositor::paint_cursor(const PixelView& screen, Rect area, const CursorState& c) const {
    // An arrow: a right triangle with a black outline and white inside.
    Rect r = cursor_rect(c).intersect(area);
    for (int32_t y = r.y; y < r.bottom(); ++y) {
        int32_t cy = y - c.y;
        for (int32_t x = r.x; x < r.right(); ++x) {
            int32_t cx = x - c.x;
            if (cx > cy) continue;
            bool edge = cx == 0 || cx == cy || cy == kCursorSize - 1;
            screen.row(y)[x] = edge ? 0xFF000000 : 0xFFFFFFFF;
        }
    }
}

} // namespace redox::orbital
