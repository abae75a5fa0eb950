#include "orbital/server/decorations.h"

#include "orbital/core/color.h"
#include "orbital/core/font.h"

namespace redox::orbital::decor {

bool has_title(const ServerWindow& w) {
    return !w.hidden() && !w.has(kFlagBorderless) && !w.has(kFlagFullscreen);
}

Rect title_rect(const ServerWindow& w) {
    if (!has_title(w)) return {};
    return {w.rect.x, w.rect.y - kTitleHeight, w.rect.w, kTitleHeight};
}

Rect close_rect(const ServerWindow& w) {
    if (!has_title(w) || w.has(kFlagUnclosable)) return {};
    Rect t = title_rect(w);
    return {t.right() - kButtonWidth, t.y, kButtonWidth, t.h};
}

Rect maximize_rect(const ServerWindow& w) {
    if (!has_title(w) || !w.has(kFlagResizable)) return {};
    Rect t = title_rect(w);
    int32_t right = w.has(kFlagUnclosable) ? t.right() : t.right() - kButtonWidth;
    return {right - kButtonWidth, t.y, kButtonWidth, t.h};
}

Rect visible_rect(const ServerWindow& w) {
    if (w.hidden()) return {};
    return w.rect.unite(title_rect(w));
}

Rect frame_rect(const ServerWindow& w) {
    Rect v = visible_rect(w);
    if (v.empty() || !w.has(kFlagResizable) || w.tiled()) return v;
    return {v.x - kBorder, v.y, v.w + 2 * kBorder, v.h + kBorder};
}

Zone hit_test(const ServerWindow& w, int32_t x, int32_t y) {
    if (w.hidden()) return Zone::None;
    if (w.rect.contains(x, y)) return Zone::Client;
    if (close_rect(w).contains(x, y)) return Zone::Close;
    if (maximize_rect(w).contains(x, y)) return Zone::Maximize;
    if (title_rect(w).contains(x, y)) return Zone::Title;
    if (!frame_rect(w).contains(x, y)) return Zone::None;
    bool left = x < w.rect.x, right = x >= w.rect.right(), bottom = y >= w.rect.bottom();
    if (bottom && left) return Zone::BorderBottomLeft;
    if (bottom && right) return Zone::BorderBottomRight;
    if (bottom) return Zone::BorderBottom;
    if (left) return Zone::BorderLeft;
    if (right) return Zone::BorderRight;
    return Zone::None;
}

void draw_title(const PixelView& screen, const ServerWindow& w, bool focused,
                const OrbitalConfig& cfg, Rect clip) {
    Rect t = title_rect(w);
    Rect area = t.intersect(clip);
    if (area.empty()) return;
    screen.blend_fill(area, focused ? cfg.bar_highlight_color : cfg.bar_color);
    uint32_t text = focused ? cfg.text_highlight_color : cfg.text_color;

    Rect text_clip = t;
    if (Rect m = maximize_rect(w); !m.empty()) text_clip.w = m.x - t.x;
    else if (Rect c = close_rect(w); !c.empty()) text_clip.w = c.x - t.x;
    text_clip = Rect{text_clip.x + 4, t.y, text_clip.w - 8, t.h}.intersect(area);
    font::draw_text(screen, t.x + 6, t.y + (kTitleHeight - font::kCellHeight) / 2, w.title, text,
                    text_clip);

    // Buttons are drawn as small glyphs: an X for close, a square for maximize.
    if (Rect c = close_rect(w); !c.intersect(area).empty()) {
        int32_t cx = c.x + 5, cy = c.y + (c.h - 8) / 2;
        for (int32_t i = 0; i < 8; ++i) {
            screen.blend_fill(Rect{cx + i, cy + i, 1, 1}.intersect(area), text);
            screen.blend_fill(Rect{cx + 7 - i, cy + i, 1, 1}.intersect(area), text);
        }
    }
    if (Rect m = maximize_rect(w); !m.intersect(area).empty()) {
        int32_t mx = m.x + 5, my = m.y + (m.h - 8) / 2;
        screen.blend_fill(Rect{mx, my, 8, 1}.intersect(area), text);
        screen.blend_fill(Rect{mx, my + 7, 8, 1}.intersect(area), text);
        screen.blend_fill(Rect{mx, my + 1, 1, 6}.intersect(area), text);
        screen.blend_fill(Rect{mx + 7, my + 1, 1, 6}.intersect(area), text);
    }
}

} // namespace redox::orbital::decor
