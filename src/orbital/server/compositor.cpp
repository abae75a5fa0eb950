#include "orbital/server/compositor.h"

#include "orbital/server/decorations.h"
#include "orbital/server/region.h"

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
    // Occlusion: the client area of an opaque window hides everything below it, so
    // each layer is painted only where no opaque window above covers it. Title bars
    // are translucent and hide nothing. Layers are still painted back to front.
    std::vector<Rect> clip{area};
    std::vector<std::vector<Rect>> window_clips(windows.size());
    for (size_t k = windows.size(); k-- > 0;) {
        const ServerWindow* w = windows[k];
        if (w->hidden()) continue;
        Rect vis = decor::visible_rect(*w);
        for (const Rect& c : clip)
            if (Rect i = c.intersect(vis); !i.empty()) window_clips[k].push_back(i);
        if (!w->has(kFlagTransparent)) subtract(clip, w->rect);
    }
    bool image = m_background.width() == screen.width && m_background.height() == screen.height;
    for (const Rect& r : clip) {
        if (image) screen.blit(m_background.view(), r, r.x, r.y, false);
        else screen.fill(r, m_config.background_color);
    }
    for (size_t k = 0; k < windows.size(); ++k) {
        const ServerWindow* w = windows[k];
        for (const Rect& r : window_clips[k]) {
            decor::draw_title(screen, *w, w->id == focused, m_config, r);
            Rect part = w->rect.intersect(r);
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
