// The text commands a client writes to its window handle (reference §5).
#include <cerrno>
#include <charconv>
#include <string>
#include <vector>

#include "orbital/server/decorations.h"
#include "orbital/server/server.h"

namespace redox::orbital {
namespace {

Result<int32_t> parse_int(std::string_view s, std::string_view what) {
    int32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        return err(EINVAL, std::string(what) + ": bad number \"" + std::string(s) + "\"");
    return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        size_t i = s.find(sep);
        out.push_back(s.substr(0, i));
        if (i == std::string_view::npos) return out;
        s.remove_prefix(i + 1);
    }
}

Result<bool> parse_bool(std::string_view s, std::string_view what) {
    if (s == "0") return false;
    if (s == "1") return true;
    return err(EINVAL, std::string(what) + ": expected 0 or 1");
}

} // namespace

Result<void> OrbitalServer::command(ServerWindow& w, std::string_view kind, std::string_view data) {
    if (kind == "A") {
        bool on = TRY(parse_bool(data, "A"));
        w.flags = on ? (w.flags | kFlagAsync) : (w.flags & ~kFlagAsync);
        return {};
    }
    if (kind == "D") {
        Drag d;
        if (data.empty() || data == "M") d = Drag::Move;
        else if (data == "L") d = Drag::Left;
        else if (data == "R") d = Drag::Right;
        else if (data == "B") d = Drag::Bottom;
        else if (data == "T") d = Drag::Top;
        else return err(EINVAL, "D: unknown drag kind \"" + std::string(data) + "\"");
        // Only while the cursor is over this window; it ends on button release.
        if (m_hover == w.id) start_drag(w, d);
        return {};
    }
    if (kind == "F") return command_flags(w, data);
    if (kind == "M") {
        auto parts = split(data, ',');
        if (parts.size() != 2) return err(EINVAL, "M: expected M,<C|G|R>,<0|1>");
        bool on = TRY(parse_bool(parts[1], "M"));
        if (parts[0] == "C") {
            w.cursor_visible = on;
            m_damage.add(Compositor::cursor_rect(m_cursor));
            update_hover();
        } else if (parts[0] == "G") {
            w.mouse_grab = on;
        } else if (parts[0] == "R") {
            w.mouse_relative = on;
        } else {
            return err(EINVAL, "M: unknown mode \"" + std::string(parts[0]) + "\"");
        }
        return {};
    }
    if (kind == "P") {
        auto parts = split(data, ',');
        if (parts.size() != 2) return err(EINVAL, "P: expected P,x,y");
        int32_t x = parts[0].empty() ? w.rect.x : TRY(parse_int(parts[0], "P"));
        int32_t y = parts[1].empty() ? w.rect.y : TRY(parse_int(parts[1], "P"));
        move_window(w, x, y, false);
        update_hover();
        return {};
    }
    if (kind == "S") {
        auto parts = split(data, ',');
        if (parts.size() != 2) return err(EINVAL, "S: expected S,w,h");
        int32_t width = parts[0].empty() ? w.rect.w : TRY(parse_int(parts[0], "S"));
        int32_t height = parts[1].empty() ? w.rect.h : TRY(parse_int(parts[1], "S"));
        if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
            return err(EINVAL, "S: size out of range");
        TRY(resize_window(w, width, height, false));
        update_hover();
        return {};
    }
    if (kind == "T") {
        w.title = std::string(data);
        m_damage.add(decor::title_rect(w));
        return {};
    }
    if (kind == "Y") return command_damage(w, data);
    return err(EINVAL, "unknown orbital command \"" + std::string(kind) + "\"");
}

Result<void> OrbitalServer::command_flags(ServerWindow& w, std::string_view data) {
    auto parts = split(data, ',');
    if (parts.size() != 2) return err(EINVAL, "F: expected F,<letters>,<0|1>");
    bool on = TRY(parse_bool(parts[1], "F"));
    std::string unknown;
    uint32_t f = parse_flags(parts[0], &unknown);
    if (!unknown.empty()) return err(EINVAL, "F: unknown flag letters \"" + unknown + "\"");
    damage_window(w);
    const uint32_t tiles = kFlagMaximized | kFlagFullscreen;
    uint32_t plain = f & ~tiles;
    w.flags = on ? (w.flags | plain) : (w.flags & ~plain);
    if (f & kFlagFullscreen) set_tiled(w, kFlagFullscreen, on);
    else if (f & kFlagMaximized) set_tiled(w, kFlagMaximized, on);
    if (on && (f & kFlagScalable)) send(w, {kEventScale, 160, 160});
    if (plain & (kFlagBack | kFlagFront)) restack();
    if (w.hidden() && m_focused == w.id) m_focused = 0;
    damage_window(w);
    update_hover();
    return {};
}

Result<void> OrbitalServer::command_damage(ServerWindow& w, std::string_view data) {
    auto parts = split(data, ',');
    if (parts.size() % 4 != 0) return err(EINVAL, "Y: expected groups of x,y,w,h");
    // Parse everything before damaging anything: a bad command changes nothing.
    std::vector<Rect> rects;
    for (size_t i = 0; i < parts.size(); i += 4) {
        Rect r{TRY(parse_int(parts[i], "Y")), TRY(parse_int(parts[i + 1], "Y")),
               TRY(parse_int(parts[i + 2], "Y")), TRY(parse_int(parts[i + 3], "Y"))};
        rects.push_back(r);
    }
    for (const Rect& r : rects)
        m_damage.add(r.offset(w.rect.x, w.rect.y).intersect(w.rect));
    return {};
}

} // namespace redox::orbital
