#include "orbital/server/server.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "orbital/core/png_io.h"
#include "orbital/server/decorations.h"

namespace redox::orbital {
namespace {

template <typename T>
T parse_or_zero(std::string_view s) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return T{};
    return v;
}

bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        unsigned char c = s[i];
        int extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
                  : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0 || i + extra >= s.size()) return false;
        for (int k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += size_t(extra) + 1;
    }
    return true;
}

} // namespace

OrbitalServer::OrbitalServer(ServerOptions opts)
    : m_opts(std::move(opts)), m_screen(m_opts.width, m_opts.height, m_opts.config.background_color),
      m_damage(Rect{0, 0, m_opts.width, m_opts.height}) {
    m_compositor.set_config(m_opts.config);
    m_cursor = {m_opts.width / 2, m_opts.height / 2, m_opts.software_cursor};
    m_damage.add_all();
}

Result<std::unique_ptr<OrbitalServer>> OrbitalServer::create(ServerOptions opts) {
    if (opts.width <= 0 || opts.height <= 0 || opts.width > 16384 || opts.height > 16384)
        return err(EINVAL, "screen size " + std::to_string(opts.width) + "x" +
                               std::to_string(opts.height));
    std::string bg = opts.config.background_image;
    std::unique_ptr<OrbitalServer> s(new OrbitalServer(std::move(opts)));
    if (!bg.empty()) s->set_background_image(TRY(read_png(bg)));
    return s;
}

void OrbitalServer::set_background_image(Image img) {
    m_compositor.set_background_image(std::move(img));
    m_compositor.screen_resized(m_screen.width(), m_screen.height());
    m_damage.add_all();
}

ServerWindow* OrbitalServer::find_window(uint64_t id) {
    auto it = m_windows.find(id);
    return it == m_windows.end() ? nullptr : it->second.get();
}

const ServerWindow* OrbitalServer::find_window(uint64_t id) const {
    auto it = m_windows.find(id);
    return it == m_windows.end() ? nullptr : it->second.get();
}

Result<ServerWindow*> OrbitalServer::window_handle(uint64_t id) {
    auto h = m_handles.find(id);
    if (h == m_handles.end()) return err(EBADF, "orbital handle " + std::to_string(id));
    if (h->second.kind != HandleKind::Window) return err(EBADF, "not a window handle");
    return find_window(id);
}

Result<uint64_t> OrbitalServer::open(std::string_view path, uint32_t uid) {
    if (!path.empty() && path.front() == '/' && path.size() > 1 &&
        (std::isdigit(static_cast<unsigned char>(path[1])) || path[1] == '-'))
        path.remove_prefix(1);
    if (path.starts_with("99.")) {
        // One simulated display.
        if (path != "99.0") return err(ENOENT, "orbital display " + std::string(path));
        uint64_t id = m_next_id++;
        m_handles[id] = Handle{HandleKind::Display, 0, 0};
        return id;
    }
    std::string_view flags;
    if (path.empty() || !(std::isdigit(static_cast<unsigned char>(path[0])) || path[0] == '-')) {
        size_t slash = path.find('/');
        if (slash == std::string_view::npos) return err(EINVAL, "orbital path " + std::string(path));
        flags = path.substr(0, slash);
        path.remove_prefix(slash + 1);
    }
    std::string_view parts[4];
    for (auto& p : parts) {
        size_t slash = path.find('/');
        if (slash == std::string_view::npos) return err(EINVAL, "orbital path needs FLAGS/X/Y/W/H/TITLE");
        p = path.substr(0, slash);
        path.remove_prefix(slash + 1);
    }
    auto w = std::make_unique<ServerWindow>();
    w->id = m_next_id++;
    w->owner_uid = uid;
    w->flags = parse_flags(flags);
    w->title = std::string(path);
    int32_t x = parse_or_zero<int32_t>(parts[0]), y = parse_or_zero<int32_t>(parts[1]);
    uint32_t width = parse_or_zero<uint32_t>(parts[2]), height = parse_or_zero<uint32_t>(parts[3]);
    if (width > 16384 || height > 16384) return err(EINVAL, "window size out of range");
    w->rect = {x, y, int32_t(width), int32_t(height)};
    place_new(*w);
    w->pixels = TRY(SharedPixels::create(w->rect.w, w->rect.h));
    uint64_t id = w->id;
    ServerWindow& ref = *w;
    m_windows.emplace(id, std::move(w));
    m_handles[id] = Handle{HandleKind::Window, id, 0};
    m_zorder.push_back(id);
    restack();
    // Tiling flags given at open behave like the F command: remember the rect, then tile.
    uint32_t tiles = ref.flags & (kFlagMaximized | kFlagFullscreen);
    ref.flags &= ~(kFlagMaximized | kFlagFullscreen);
    if (tiles & kFlagFullscreen) set_tiled(ref, kFlagFullscreen, true);
    else if (tiles & kFlagMaximized) set_tiled(ref, kFlagMaximized, true);
    if (ref.has(kFlagScalable)) send(ref, {kEventScale, 160, 160});
    if (!ref.hidden()) focus(id);
    damage_window(ref);
    update_hover();
    return id;
}

Result<uint64_t> OrbitalServer::dup(uint64_t id, std::string_view what) {
    TRY(window_handle(id));
    if (what != "clipboard") return err(EINVAL, "orbital dup \"" + std::string(what) + "\"");
    uint64_t nid = m_next_id++;
    m_handles[nid] = Handle{HandleKind::Clipboard, id, 0};
    return nid;
}

Result<size_t> OrbitalServer::read(uint64_t id, std::span<std::byte> buf) {
    auto h = m_handles.find(id);
    if (h == m_handles.end()) return err(EBADF, "orbital handle " + std::to_string(id));
    if (h->second.kind == HandleKind::Clipboard) {
        size_t pos = std::min(h->second.pos, m_clipboard.size());
        size_t n = std::min(buf.size(), m_clipboard.size() - pos);
        std::memcpy(buf.data(), m_clipboard.data() + pos, n);
        h->second.pos = pos + n;
        return n;
    }
    if (h->second.kind == HandleKind::Display) return err(EBADF, "display handle is not readable");
    ServerWindow* w = find_window(id);
    if (buf.size() < sizeof(WireEvent)) return err(EINVAL, "event buffer smaller than 24 bytes");
    if (w->events.empty()) {
        if (w->has(kFlagAsync)) return 0;
        return err(EAGAIN, "no events");
    }
    size_t n = 0;
    while (!w->events.empty() && buf.size() - n >= sizeof(WireEvent)) {
        std::memcpy(buf.data() + n, &w->events.front(), sizeof(WireEvent));
        w->events.pop_front();
        n += sizeof(WireEvent);
    }
    return n;
}

bool OrbitalServer::readable(uint64_t id) const {
    const ServerWindow* w = find_window(id);
    return w && !w->events.empty();
}

Result<size_t> OrbitalServer::write(uint64_t id, std::span<const std::byte> buf) {
    auto h = m_handles.find(id);
    if (h == m_handles.end()) return err(EBADF, "orbital handle " + std::to_string(id));
    if (h->second.kind == HandleKind::Clipboard) {
        // Writing at a position truncates the clipboard there and appends.
        size_t pos = std::min(h->second.pos, m_clipboard.size());
        m_clipboard.resize(pos);
        auto* p = reinterpret_cast<const uint8_t*>(buf.data());
        m_clipboard.insert(m_clipboard.end(), p, p + buf.size());
        h->second.pos = m_clipboard.size();
        return buf.size();
    }
    if (h->second.kind == HandleKind::Display) return err(EBADF, "display handle is not writable");
    ServerWindow& w = *find_window(id);
    std::string_view text(reinterpret_cast<const char*>(buf.data()), buf.size());
    if (!valid_utf8(text)) return err(EINVAL, "orbital command is not UTF-8");
    size_t comma = text.find(',');
    if (comma == std::string_view::npos) return err(EINVAL, "orbital command without ','");
    TRY(command(w, text.substr(0, comma), text.substr(comma + 1)));
    return buf.size();
}

Result<void> OrbitalServer::fsync(uint64_t id) {
    auto h = m_handles.find(id);
    if (h == m_handles.end()) return err(EBADF, "orbital handle " + std::to_string(id));
    if (h->second.kind != HandleKind::Window) return {};
    damage_window(*find_window(id));
    return {};
}

Result<std::string> OrbitalServer::fpath(uint64_t id) const {
    auto h = m_handles.find(id);
    if (h == m_handles.end()) return err(EBADF, "orbital handle " + std::to_string(id));
    if (h->second.kind == HandleKind::Display)
        return "orbital:99.0/" + std::to_string(m_screen.width()) + "/" +
               std::to_string(m_screen.height()) + "/1";
    if (h->second.kind == HandleKind::Clipboard) return std::string("orbital:clipboard");
    const ServerWindow& w = *find_window(id);
    // Upstream's order: a l h m|M r t u, then the z band (s is not reported).
    std::string f;
    if (w.has(kFlagAsync)) f += 'a';
    if (w.has(kFlagBorderless)) f += 'l';
    if (w.hidden()) f += 'h';
    if (w.has(kFlagMaximized)) f += 'm';
    if (w.has(kFlagFullscreen)) f += 'M';
    if (w.has(kFlagResizable)) f += 'r';
    if (w.has(kFlagTransparent)) f += 't';
    if (w.has(kFlagUnclosable)) f += 'u';
    if (w.band() == ZBand::Back) f += 'b';
    if (w.band() == ZBand::Front) f += 'f';
    return f + "/" + std::to_string(w.rect.x) + "/" + std::to_string(w.rect.y) + "/" +
           std::to_string(w.rect.w) + "/" + std::to_string(w.rect.h) + "/" + w.title;
}

Result<const SharedPixels*> OrbitalServer::window_buffer(uint64_t id) const {
    auto h = m_handles.find(id);
    if (h == m_handles.end() || h->second.kind != HandleKind::Window)
        return err(EBADF, "orbital handle " + std::to_string(id) + " has no buffer");
    return &find_window(id)->pixels;
}

Result<void> OrbitalServer::close(uint64_t id) {
    auto h = m_handles.find(id);
    if (h == m_handles.end()) return err(EBADF, "orbital handle " + std::to_string(id));
    HandleKind kind = h->second.kind;
    m_handles.erase(h);
    if (kind != HandleKind::Window) return {};
    // Clipboard handles dup'ed from this window stay usable: the clipboard is global.
    ServerWindow& w = *find_window(id);
    damage_window(w);
    std::erase(m_zorder, id);
    m_windows.erase(id);
    if (m_drag.window == id) m_drag = {};
    if (m_button_grab == id) m_button_grab = 0;
    if (m_hover == id) m_hover = 0;
    if (m_focused == id) {
        m_focused = 0;
        // Focus falls to the topmost visible normal-or-front window left.
        for (auto it = m_zorder.rbegin(); it != m_zorder.rend(); ++it) {
            const ServerWindow* o = find_window(*it);
            if (!o->hidden() && o->band() != ZBand::Back) { focus(*it); break; }
        }
    }
    update_hover();
    return {};
}

std::vector<Rect> OrbitalServer::composite() {
    std::vector<Rect> rects = m_damage.take();
    if (rects.empty()) return rects;
    std::vector<const ServerWindow*> order;
    order.reserve(m_zorder.size());
    for (uint64_t id : m_zorder) order.push_back(find_window(id));
    PixelView view = m_screen.view();
    for (const Rect& r : rects) m_compositor.paint(view, r, order, m_focused, m_cursor);
    return rects;
}

Result<void> OrbitalServer::screenshot(const std::string& png_path) {
    composite();
    return write_png(png_path, m_screen.view());
}

std::optional<Rect> OrbitalServer::window_rect(uint64_t id) const {
    const ServerWindow* w = find_window(id);
    if (!w) return std::nullopt;
    return w->rect;
}

std::optional<uint32_t> OrbitalServer::window_flags(uint64_t id) const {
    const ServerWindow* w = find_window(id);
    if (!w) return std::nullopt;
    return w->flags;
}

Rect OrbitalServer::usable_area() const {
    // Upstream reserves a 48 px strip at the bottom for the launcher's task bar.
    return {0, 0, m_screen.width(), std::max(0, m_screen.height() - 48)};
}

} // namespace redox::orbital
