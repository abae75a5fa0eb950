// OrbitalServer: the display server, window manager and compositor in one object,
// with an API shaped like the `orbital` scheme so a daemon can wrap it one-to-one.
//
// Scheme contract (paths are relative to /scheme/orbital):
//   open "FLAGS/X/Y/W/H/TITLE"  a window; FLAGS are letters of "abfrultmMhs" (may be
//                               empty: "/X/Y/..." or a path starting with a digit or
//                               '-'); X and Y both negative = centred; TITLE may hold '/'.
//   open "99.N"                 a display-size handle; fpath "orbital:99.N/W/H/SCALE".
//   dup(window, "clipboard")    the global clipboard; read/write at the handle position.
//   fmap(window)                window_buffer(): memfd of W*H*4 bytes of 0xAARRGGBB,
//                               shared both ways, no copies. A resize replaces it.
//   write(window, "K,DATA")     commands A D F M P S T Y (reference §5); EINVAL otherwise.
//   fsync(window)               the whole window is damaged.
//   read(window)                whole 24-byte events; an async ('a') window returns 0
//                               when empty, others return EAGAIN so the daemon parks the
//                               reader until the readiness callback fires.
//   fpath(window)               "FLAGS/X/Y/W/H/TITLE".
// Anyone may open (Orbital checks no uid); the uid is kept as the window's owner.
// Not thread-safe: one loop (the daemon's, or a test's) owns the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "orbital/core/image.h"
#include "orbital/core/shared_pixels.h"
#include "orbital/server/compositor.h"
#include "orbital/server/config.h"
#include "orbital/server/damage.h"
#include "orbital/server/input_event.h"
#include "orbital/server/window.h"
#include "schemes/error.h"

namespace redox::orbital {

struct ServerOptions {
    int32_t width = 1024;
    int32_t height = 768;
    OrbitalConfig config;
    bool software_cursor = true;
};

class OrbitalServer {
public:
    static Result<std::unique_ptr<OrbitalServer>> create(ServerOptions opts);

    // ---- scheme operations ----
    Result<uint64_t> open(std::string_view path, uint32_t uid);
    Result<uint64_t> dup(uint64_t id, std::string_view what);
    Result<size_t> read(uint64_t id, std::span<std::byte> buf);
    Result<size_t> write(uint64_t id, std::span<const std::byte> buf);
    Result<size_t> write(uint64_t id, std::string_view text) {
        return write(id, std::as_bytes(std::span(text.data(), text.size())));
    }
    Result<void> fsync(uint64_t id);
    Result<std::string> fpath(uint64_t id) const;
    Result<const SharedPixels*> window_buffer(uint64_t id) const;
    Result<void> close(uint64_t id);

    // Whether a read on `id` would return data now (the fevent EVENT_READ state).
    bool readable(uint64_t id) const;
    // Called with a handle id when its event queue goes from empty to non-empty.
    void set_readiness_callback(std::function<void(uint64_t)> cb) { m_on_readable = std::move(cb); }

    // ---- input (from a display backend, or injected by tests) ----
    void inject(const InputEvent& ev);
    bool quit_requested() const { return m_quit; }

    // ---- output ----
    // Recomposites what is damaged and returns those screen rectangles (for present).
    std::vector<Rect> composite();
    const Image& screen() const { return m_screen; }
    bool has_damage() const { return !m_damage.empty(); }
    void damage_all() { m_damage.add_all(); }
    Result<void> screenshot(const std::string& png_path);
    void set_background_image(Image img);

    // ---- window manager state, for tests and tools ----
    std::optional<Rect> window_rect(uint64_t id) const;
    std::optional<uint32_t> window_flags(uint64_t id) const;
    uint64_t focused() const { return m_focused; }
    const std::vector<uint64_t>& z_order() const { return m_zorder; }   // back to front
    size_t window_count() const { return m_windows.size(); }
    Rect usable_area() const;

private:
    explicit OrbitalServer(ServerOptions opts);

    enum class HandleKind { Window, Clipboard, Display };
    struct Handle {
        HandleKind kind = HandleKind::Window;
        uint64_t window = 0;
        size_t pos = 0;
    };

    ServerWindow* find_window(uint64_t id);
    const ServerWindow* find_window(uint64_t id) const;
    Result<ServerWindow*> window_handle(uint64_t id);

    // commands.cpp
    Result<void> command(ServerWindow& w, std::string_view kind, std::string_view data);
    Result<void> command_flags(ServerWindow& w, std::string_view data);
    Result<void> command_damage(ServerWindow& w, std::string_view data);

    // wm.cpp
    void send(ServerWindow& w, WireEvent ev);
    void focus(uint64_t id);
    void raise(uint64_t id);
    void restack();
    void damage_window(const ServerWindow& w);
    void move_window(ServerWindow& w, int32_t x, int32_t y, bool notify);
    Result<void> resize_window(ServerWindow& w, int32_t width, int32_t height, bool notify);
    void set_tiled(ServerWindow& w, uint32_t tile_flag, bool on);
    void place_new(ServerWindow& w);
    ServerWindow* window_at(int32_t x, int32_t y);
    void cycle_focus();

    // input.cpp
    void on_key(const KeyInput& k);
    bool on_super_key(const KeyInput& k);
    void on_mouse(int32_t x, int32_t y);
    void on_buttons(const ButtonInput& b);
    void on_display_resize(int32_t w, int32_t h);
    void update_hover();

    enum class Drag { None, Move, Left, Right, Bottom, BottomLeft, BottomRight, Top };
    struct DragState {
        Drag kind = Drag::None;
        uint64_t window = 0;
        int32_t start_x = 0, start_y = 0;
        Rect start_rect;
    };
    void start_drag(ServerWindow& w, Drag kind);
    void continue_drag();

    ServerOptions m_opts;
    Image m_screen;
    Compositor m_compositor;
    DamageList m_damage;
    std::map<uint64_t, std::unique_ptr<ServerWindow>> m_windows;   // id order
    std::map<uint64_t, Handle> m_handles;
    std::vector<uint64_t> m_zorder;
    std::vector<uint8_t> m_clipboard;
    uint64_t m_next_id = 1;
    uint64_t m_focused = 0;
    uint64_t m_hover = 0;
    uint64_t m_button_grab = 0;     // window that got the press keeps the buttons
    CursorState m_cursor;
    uint8_t m_buttons = 0;
    bool m_super = false, m_shift = false, m_ctrl = false, m_alt = false;
    DragState m_drag;
    bool m_quit = false;
    std::function<void(uint64_t)> m_on_readable;
};

} // namespace redox::orbital
