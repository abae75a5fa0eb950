// Window management: focus, stacking, moving, resizing and tiling.
#include <algorithm>
#include <cerrno>

#include "orbital/server/decorations.h"
#include "orbital/server/server.h"

namespace redox::orbital {

void OrbitalServer::send(ServerWindow& w, WireEvent ev) {
    if (w.push_event(ev) && m_on_readable) m_on_readable(w.id);
}

void OrbitalServer::damage_window(const ServerWindow& w) {
    m_damage.add(decor::visible_rect(w));
}

void OrbitalServer::restack() {
    // Stable: within a band, the existing order (focus order) is kept.
    std::stable_sort(m_zorder.begin(), m_zorder.end(), [this](uint64_t a, uint64_t b) {
        return find_window(a)->band() < find_window(b)->band();
    });
}

void OrbitalServer::raise(uint64_t id) {
    auto it = std::find(m_zorder.begin(), m_zorder.end(), id);
    if (it == m_zorder.end()) return;
    m_zorder.erase(it);
    m_zorder.push_back(id);
    restack();
    damage_window(*find_window(id));
}

void OrbitalServer::focus(uint64_t id) {
    if (id == m_focused) {
        raise(id);
        return;
    }
    if (ServerWindow* old = find_window(m_focused)) {
        send(*old, {kEventFocus, 0, 0});
        damage_window(*old);   // title bar colour changes
    }
    m_focused = id;
    if (ServerWindow* w = find_window(id)) {
        send(*w, {kEventFocus, 1, 0});
        raise(id);
    }
}

void OrbitalServer::move_window(ServerWindow& w, int32_t x, int32_t y, bool notify) {
    if (w.rect.x == x && w.rect.y == y) return;
    damage_window(w);
    w.rect.x = x;
    w.rect.y = y;
    damage_window(w);
    if (notify) send(w, {kEventMove, x, y});
}

Result<void> OrbitalServer::resize_window(ServerWindow& w, int32_t width, int32_t height,
                                          bool notify) {
    width = std::clamp(width, 1, 16384);
    height = std::clamp(height, 1, 16384);
    if (w.rect.w == width && w.rect.h == height) return {};
    // A new buffer (the client remaps after Resize/S); the old contents are kept where
    // they still fit so the window does not flash while the client redraws.
    SharedPixels fresh = TRY(SharedPixels::create(width, height));
    Rect keep = Rect{0, 0, width, height}.intersect(w.pixels.view().bounds());
    fresh.view().blit(w.pixels.view(), keep, 0, 0, false);
    damage_window(w);
    w.pixels = std::move(fresh);
    w.rect.w = width;
    w.rect.h = height;
    damage_window(w);
    if (notify) send(w, {kEventResize, width, height});
    return {};
}

void OrbitalServer::set_tiled(ServerWindow& w, uint32_t tile_flag, bool on) {
    if (on) {
        if (!w.tiled()) w.restore_rect = w.rect;
        w.flags &= ~(kFlagMaximized | kFlagFullscreen);
        w.flags |= tile_flag;
        Rect target;
        if (tile_flag == kFlagFullscreen) {
            target = {0, 0, m_screen.width(), m_screen.height()};
        } else {
            Rect u = usable_area();
            int32_t bar = decor::has_title(w) ? decor::kTitleHeight : 0;
            target = {u.x, u.y + bar, u.w, std::max(1, u.h - bar)};
        }
        move_window(w, target.x, target.y, true);
        (void)resize_window(w, target.w, target.h, true);
    } else if (w.has(tile_flag)) {
        w.flags &= ~tile_flag;
        damage_window(w);
        move_window(w, w.restore_rect.x, w.restore_rect.y, true);
        (void)resize_window(w, w.restore_rect.w, w.restore_rect.h, true);
    }
}

void OrbitalServer::place_new(ServerWindow& w) {
    Rect u = usable_area();
    int32_t bar = decor::has_title(w) ? decor::kTitleHeight : 0;
    if (w.has(kFlagResizable)) {
        w.rect.w = std::min(w.rect.w, u.w);
        w.rect.h = std::min(w.rect.h, std::max(1, u.h - bar));
    }
    if (w.rect.x >= 0 || w.rect.y >= 0) return;
    // Centred in the usable area, cascaded past windows already sitting there.
    int32_t x = u.x + (u.w - w.rect.w) / 2;
    int32_t y = u.y + bar + (u.h - bar - w.rect.h) / 2;
    for (bool moved = true; moved;) {
        moved = false;
        for (auto& [id, o] : m_windows) {
            if (o->band() == w.band() && o->rect.x == x && o->rect.y == y) {
                x += decor::kTitleHeight;
                y += decor::kTitleHeight;
                moved = true;
            }
        }
    }
    w.rect.x = std::max(0, x);
    w.rect.y = std::max(bar, y);
}

ServerWindow* OrbitalServer::window_at(int32_t x, int32_t y) {
    for (auto it = m_zorder.rbegin(); it != m_zorder.rend(); ++it) {
        ServerWindow* w = find_window(*it);
        if (decor::hit_test(*w, x, y) != decor::Zone::None) return w;
    }
    return nullptr;
}

void OrbitalServer::cycle_focus() {
    // Super+Tab: the next titled, visible, normal-band window below the focused one.
    std::vector<uint64_t> cands;
    for (uint64_t id : m_zorder) {
        const ServerWindow* w = find_window(id);
        if (!w->hidden() && w->band() == ZBand::Normal && !w->title.empty()) cands.push_back(id);
    }
    if (cands.size() < 2) return;
    // The back-most candidate comes to the front: repeated presses visit every window.
    focus(cands.front());
}

} // namespace redox::orbital
