// Input routing: backend input becomes per-window orbital events, window-manager
// gestures (drag, resize, close, maximize) and Super shortcuts.
#include <algorithm>

#include "orbital/server/decorations.h"
#include "orbital/server/server.h"

namespace redox::orbital {

void OrbitalServer::inject(const InputEvent& ev) {
    struct Visitor {
        OrbitalServer& s;
        void operator()(const KeyInput& k) { s.on_key(k); }
        void operator()(const TextInput& t) {
            if (ServerWindow* w = s.find_window(s.m_focused))
                s.send(*w, {kEventTextInput, int64_t(t.character), 0});
        }
        void operator()(const MouseInput& m) { s.on_mouse(m.x, m.y); }
        void operator()(const MouseRelativeInput& m) {
            ServerWindow* w = s.find_window(s.m_focused);
            if (w && w->mouse_relative) s.send(*w, {kEventMouseRelative, m.dx, m.dy});
            else s.on_mouse(s.m_cursor.x + m.dx, s.m_cursor.y + m.dy);
        }
        void operator()(const ButtonInput& b) { s.on_buttons(b); }
        void operator()(const ScrollInput& sc) {
            // Scroll goes to the frontmost (focused) window, wherever the cursor is.
            if (ServerWindow* w = s.find_window(s.m_focused))
                s.send(*w, {kEventScroll, sc.dx, sc.dy});
        }
        void operator()(const DisplayResizeInput& r) { s.on_display_resize(r.width, r.height); }
        void operator()(const QuitInput&) { s.m_quit = true; }
    };
    std::visit(Visitor{*this}, ev);
}

void OrbitalServer::on_key(const KeyInput& k) {
    switch (k.scancode) {
    case key::LEFT_SHIFT: case key::RIGHT_SHIFT: m_shift = k.pressed; break;
    case key::CTRL: case key::RIGHT_CTRL: m_ctrl = k.pressed; break;
    case key::ALT: m_alt = k.pressed; break;
    case key::SUPER: case key::RIGHT_SUPER: m_super = k.pressed; return;
    default: break;
    }
    if (m_super) {
        on_super_key(k);
        return;
    }
    ServerWindow* w = find_window(m_focused);
    if (!w) return;
    if (k.pressed && k.character && !m_ctrl && !m_alt)
        send(*w, {kEventTextInput, int64_t(k.character), 0});
    send(*w, {kEventKey, 0, int64_t(k.scancode) | (k.pressed ? 0x100 : 0)});
}

bool OrbitalServer::on_super_key(const KeyInput& k) {
    if (!k.pressed) return true;   // releases of shortcut keys are swallowed
    ServerWindow* w = find_window(m_focused);
    switch (k.scancode) {
    case key::TAB:
        cycle_focus();
        return true;
    case key::Q:
        if (w && !w->has(kFlagUnclosable)) send(*w, {kEventQuit, 0, 0});
        return true;
    case key::M:
    case key::ENTER:
        if (w && w->has(kFlagResizable)) set_tiled(*w, kFlagMaximized, !w->has(kFlagMaximized));
        update_hover();
        return true;
    case key::LEFT: case key::RIGHT: case key::UP: case key::DOWN:
        if (w && !w->tiled()) {
            int32_t dx = k.scancode == key::LEFT ? -16 : k.scancode == key::RIGHT ? 16 : 0;
            int32_t dy = k.scancode == key::UP ? -16 : k.scancode == key::DOWN ? 16 : 0;
            move_window(*w, w->rect.x + dx, w->rect.y + dy, true);
            update_hover();
        }
        return true;
    case key::C: case key::X: case key::V:
        if (w) {
            int64_t action = k.scancode == key::C ? 1 : k.scancode == key::X ? 2 : 3;
            // Paste announces the content length without the leading kind byte.
            int64_t size = action == 3 && !m_clipboard.empty() ? int64_t(m_clipboard.size()) - 1 : 0;
            send(*w, {kEventClipboard, action, size});
        }
        return true;
    default:
        break;
    }
    // Unhandled Super combos reach the first window (id order), flagged.
    if (!m_windows.empty())
        send(*m_windows.begin()->second,
             {kEventKey | kEventSuperBit, 0, int64_t(k.scancode) | 0x100});
    return false;
}

void OrbitalServer::on_mouse(int32_t x, int32_t y) {
    x = std::clamp(x, 0, m_screen.width() - 1);
    y = std::clamp(y, 0, m_screen.height() - 1);
    int32_t dx = x - m_cursor.x, dy = y - m_cursor.y;
    m_damage.add(Compositor::cursor_rect(m_cursor));
    m_cursor.x = x;
    m_cursor.y = y;
    m_damage.add(Compositor::cursor_rect(m_cursor));
    if (m_drag.kind != Drag::None) {
        continue_drag();
        return;
    }
    update_hover();
    ServerWindow* focused = find_window(m_focused);
    if (focused && focused->mouse_relative) {
        send(*focused, {kEventMouseRelative, dx, dy});
        return;
    }
    // While a button is held, the window that got the press keeps the mouse.
    ServerWindow* target = m_button_grab ? find_window(m_button_grab) : find_window(m_hover);
    if (!target) return;
    if (m_button_grab || decor::hit_test(*target, x, y) == decor::Zone::Client)
        send(*target, {kEventMouse, x - target->rect.x, y - target->rect.y});
}

void OrbitalServer::update_hover() {
    ServerWindow* w = window_at(m_cursor.x, m_cursor.y);
    uint64_t id = w ? w->id : 0;
    if (id != m_hover) {
        if (ServerWindow* old = find_window(m_hover)) send(*old, {kEventHover, 0, 0});
        if (w) send(*w, {kEventHover, 1, 0});
        m_hover = id;
    }
    bool in_client = w && decor::hit_test(*w, m_cursor.x, m_cursor.y) == decor::Zone::Client;
    bool visible = m_opts.software_cursor && !(in_client && !w->cursor_visible);
    if (visible != m_cursor.visible) {
        m_cursor.visible = visible;
        m_damage.add(Compositor::cursor_rect(m_cursor));
    }
}

void OrbitalServer::on_buttons(const ButtonInput& b) {
    uint8_t now = uint8_t((b.left ? 1 : 0) | (b.middle ? 2 : 0) | (b.right ? 4 : 0));
    uint8_t pressed = now & ~m_buttons;
    uint8_t released = m_buttons & ~now;
    m_buttons = now;

    if (released & 1 && m_drag.kind != Drag::None) {
        m_drag = {};
        update_hover();
    }
    if (pressed && m_drag.kind == Drag::None && !m_button_grab) {
        ServerWindow* w = window_at(m_cursor.x, m_cursor.y);
        if (!w) return;
        decor::Zone zone = decor::hit_test(*w, m_cursor.x, m_cursor.y);
        if (!w->hidden() && w->band() != ZBand::Back) focus(w->id);
        if (pressed & 1) {
            switch (zone) {
            case decor::Zone::Close: send(*w, {kEventQuit, 0, 0}); return;
            case decor::Zone::Maximize:
                set_tiled(*w, kFlagMaximized, !w->has(kFlagMaximized));
                update_hover();
                return;
            case decor::Zone::Title: start_drag(*w, Drag::Move); return;
            case decor::Zone::BorderLeft: start_drag(*w, Drag::Left); return;
            case decor::Zone::BorderRight: start_drag(*w, Drag::Right); return;
            case decor::Zone::BorderBottom: start_drag(*w, Drag::Bottom); return;
            case decor::Zone::BorderBottomLeft: start_drag(*w, Drag::BottomLeft); return;
            case decor::Zone::BorderBottomRight: start_drag(*w, Drag::BottomRight); return;
            case decor::Zone::Client:
                if (m_super) { start_drag(*w, Drag::Move); return; }
                break;
            default: return;
            }
        }
        if (zone != decor::Zone::Client) return;
        m_button_grab = w->id;
        send(*w, {kEventButton, now, 0});
        return;
    }
    if (ServerWindow* g = find_window(m_button_grab)) {
        send(*g, {kEventButton, now, 0});
        if (now == 0) {
            m_button_grab = 0;
            update_hover();
        }
    }
}

void OrbitalServer::start_drag(ServerWindow& w, Drag kind) {
    m_drag = {kind, w.id, m_cursor.x, m_cursor.y, w.rect};
}

void OrbitalServer::continue_drag() {
    ServerWindow* w = find_window(m_drag.window);
    if (!w) {
        m_drag = {};
        return;
    }
    int32_t dx = m_cursor.x - m_drag.start_x, dy = m_cursor.y - m_drag.start_y;
    const Rect& s = m_drag.start_rect;
    constexpr int32_t kMin = 16;
    if (m_drag.kind == Drag::Move) {
        if (w->tiled()) w->flags &= ~(kFlagMaximized | kFlagFullscreen);
        move_window(*w, s.x + dx, s.y + dy, true);
        return;
    }
    Rect r = s;
    bool left = m_drag.kind == Drag::Left || m_drag.kind == Drag::BottomLeft;
    bool right = m_drag.kind == Drag::Right || m_drag.kind == Drag::BottomRight;
    bool bottom = m_drag.kind == Drag::Bottom || m_drag.kind == Drag::BottomLeft ||
                  m_drag.kind == Drag::BottomRight;
    if (right) r.w = std::max(kMin, s.w + dx);
    if (left) { r.w = std::max(kMin, s.w - dx); r.x = s.right() - r.w; }
    if (bottom) r.h = std::max(kMin, s.h + dy);
    if (m_drag.kind == Drag::Top) { r.h = std::max(kMin, s.h - dy); r.y = s.bottom() - r.h; }
    move_window(*w, r.x, r.y, true);
    (void)resize_window(*w, r.w, r.h, true);
}

void OrbitalServer::on_display_resize(int32_t width, int32_t height) {
    width = std::clamp(width, 1, 16384);
    height = std::clamp(height, 1, 16384);
    if (width == m_screen.width() && height == m_screen.height()) return;
    m_screen = Image(width, height, m_opts.config.background_color);
    m_damage = DamageList(Rect{0, 0, width, height});
    m_compositor.screen_resized(width, height);
    m_cursor.x = std::min(m_cursor.x, width - 1);
    m_cursor.y = std::min(m_cursor.y, height - 1);
    for (auto& [id, w] : m_windows) {
        if (w->has(kFlagFullscreen)) set_tiled(*w, kFlagFullscreen, true);
        else if (w->has(kFlagMaximized)) set_tiled(*w, kFlagMaximized, true);
        send(*w, {kEventScreen, width, height});
    }
    m_damage.add_all();
    update_hover();
}

} // namespace redox::orbital
