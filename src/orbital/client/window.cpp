#include "orbital/client/window.h"

#include <charconv>
#include <cerrno>

namespace redox::orbclient {

using namespace orbital;

Result<std::unique_ptr<Window>> Window::create(Transport& t, int32_t x, int32_t y, int32_t w,
                                               int32_t h, std::string title, uint32_t flags) {
    if (w < 0 || h < 0) return err(EINVAL, "window size");
    std::string path = "orbital:" + flags_to_letters(flags) + "/" + std::to_string(x) + "/" +
                       std::to_string(y) + "/" + std::to_string(w) + "/" + std::to_string(h) +
                       "/" + title;
    uint64_t handle = TRY(t.open(path));
    std::unique_ptr<Window> win(new Window(t, handle));
    win->m_flags = flags;
    // The server may have placed, clamped or tiled it: ask where it really is.
    TRY(win->sync_path());
    TRY(win->remap());
    return win;
}

Window::~Window() {
    m_pixels = MappedPixels();
    (void)m_transport.close(m_handle);
}

Result<void> Window::command(const std::string& cmd) {
    TRY(m_transport.write_str(m_handle, cmd));
    return {};
}

Result<void> Window::remap() {
    m_pixels = MappedPixels();
    m_pixels = TRY(m_transport.map(m_handle, m_w, m_h));
    return {};
}

Result<void> Window::sync_path() {
    std::string path = TRY(m_transport.fpath(m_handle));
    // "FLAGS/X/Y/W/H/TITLE"
    std::string_view p = path;
    std::string_view f[5];
    for (auto& part : f) {
        size_t s = p.find('/');
        if (s == std::string_view::npos) return err(EIO, "orbital fpath \"" + path + "\"");
        part = p.substr(0, s);
        p.remove_prefix(s + 1);
    }
    int32_t v[4] = {};
    for (int i = 0; i < 4; ++i) {
        auto [ptr, ec] = std::from_chars(f[i + 1].data(), f[i + 1].data() + f[i + 1].size(), v[i]);
        if (ec != std::errc()) return err(EIO, "orbital fpath \"" + path + "\"");
    }
    m_x = v[0];
    m_y = v[1];
    m_w = v[2];
    m_h = v[3];
    m_title = std::string(p);
    // fpath does not report 's'; keep what we asked for there.
    m_flags = parse_flags(f[0]) | (m_flags & kFlagScalable);
    return {};
}

Result<void> Window::set_async(bool on) {
    TRY(command(on ? "A,1" : "A,0"));
    m_flags = on ? (m_flags | kFlagAsync) : (m_flags & ~kFlagAsync);
    return {};
}

Result<void> Window::set_flag(uint32_t flag, bool on) {
    TRY(command("F," + flags_to_letters(flag) + (on ? ",1" : ",0")));
    int32_t w = m_w, h = m_h;
    TRY(sync_path());
    if (flag & kFlagScalable) m_flags = on ? (m_flags | kFlagScalable) : (m_flags & ~kFlagScalable);
    if (w != m_w || h != m_h) TRY(remap());
    return {};
}

Result<void> Window::set_pos(int32_t x, int32_t y) {
    TRY(command("P," + std::to_string(x) + "," + std::to_string(y)));
    m_x = x;
    m_y = y;
    return {};
}

Result<void> Window::set_size(int32_t w, int32_t h) {
    TRY(command("S," + std::to_string(w) + "," + std::to_string(h)));
    m_w = w;
    m_h = h;
    return remap();
}

Result<void> Window::set_title(const std::string& title) {
    TRY(command("T," + title));
    m_title = title;
    return {};
}

Result<void> Window::set_mouse_cursor(bool visible) { return command(visible ? "M,C,1" : "M,C,0"); }
Result<void> Window::set_mouse_grab(bool on) { return command(on ? "M,G,1" : "M,G,0"); }
Result<void> Window::set_mouse_relative(bool on) { return command(on ? "M,R,1" : "M,R,0"); }

Result<void> Window::set_window_drag(DragKind kind) {
    static constexpr const char* kCmd[] = {"D,M", "D,L", "D,R", "D,B", "D,T"};
    return command(kCmd[int(kind)]);
}

Result<void> Window::sync() { return m_transport.fsync(m_handle); }

Result<void> Window::update_rects(std::span<const Rect> rects) {
    if (rects.empty()) return {};
    std::string cmd = "Y";
    for (const Rect& r : rects)
        cmd += "," + std::to_string(r.x) + "," + std::to_string(r.y) + "," + std::to_string(r.w) +
               "," + std::to_string(r.h);
    return command(cmd);
}

Result<std::vector<EventOption>> Window::events() {
    std::vector<EventOption> out;
    WireEvent buf[64];
    for (;;) {
        auto n = m_transport.read(m_handle, std::as_writable_bytes(std::span(buf)));
        if (!n) {
            if (n.error().errnum == EAGAIN) break;   // a blocking window with nothing queued
            return std::unexpected(n.error());
        }
        if (*n == 0) break;
        for (size_t i = 0; i < *n / sizeof(WireEvent); ++i) {
            EventOption ev = to_option(buf[i]);
            if (auto* r = std::get_if<ResizeEvent>(&ev)) {
                m_w = int32_t(r->width);
                m_h = int32_t(r->height);
                TRY(remap());
            } else if (auto* m = std::get_if<MoveEvent>(&ev)) {
                m_x = m->x;
                m_y = m->y;
            }
            out.push_back(ev);
        }
        if (*n < sizeof(buf)) break;
    }
    return out;
}

Result<std::pair<MediaKind, std::string>> Window::clipboard() {
    uint64_t h = TRY(m_transport.dup(m_handle, "clipboard"));
    std::string data;
    char buf[4096];
    for (;;) {
        auto n = m_transport.read(h, std::as_writable_bytes(std::span(buf)));
        if (!n) {
            (void)m_transport.close(h);
            return std::unexpected(n.error());
        }
        if (*n == 0) break;
        data.append(buf, *n);
    }
    (void)m_transport.close(h);
    if (data.empty()) return std::pair{MediaKind::Any, std::string()};
    return std::pair{MediaKind(data[0]), data.substr(1)};
}

Result<void> Window::set_clipboard(const std::string& text, MediaKind kind) {
    uint64_t h = TRY(m_transport.dup(m_handle, "clipboard"));
    std::string data = char(kind) + text;
    auto r = m_transport.write_str(h, data);
    (void)m_transport.close(h);
    if (!r) return std::unexpected(r.error());
    return {};
}

} // namespace redox::orbclient
