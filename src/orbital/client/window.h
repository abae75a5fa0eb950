// orbclient's Window: one Orbital window seen from the application. It owns the
// window handle and the mapping of its pixels; drawing goes through Renderer, and
// sync()/update_rects() tell the server what changed. Resize events remap the
// buffer before they are handed to the application.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "orbital/client/event.h"
#include "orbital/client/renderer.h"
#include "orbital/client/transport.h"
#include "orbital/core/flags.h"

namespace redox::orbclient {

using orbital::WindowFlag;

enum class DragKind { Move, Left, Right, Bottom, Top };

// Clipboard content kinds (first byte of the clipboard): text, file list, URI, data URI.
enum class MediaKind : char { Any = ' ', Text = 't', Files = 'f', Uri = 'u', DataUri = 'd' };

class Window final : public Renderer {
public:
    // Negative x and y together ask the server to centre the window.
    static Result<std::unique_ptr<Window>> create(Transport& t, int32_t x, int32_t y,
                                                  int32_t w, int32_t h, std::string title,
                                                  uint32_t flags = 0);
    ~Window() override;
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    uint64_t handle() const { return m_handle; }
    int32_t x() const { return m_x; }
    int32_t y() const { return m_y; }
    const std::string& title() const { return m_title; }
    uint32_t flags() const { return m_flags; }
    bool is_async() const { return (m_flags & orbital::kFlagAsync) != 0; }

    Result<void> set_async(bool on);
    Result<void> set_flag(uint32_t flag, bool on);
    Result<void> set_pos(int32_t x, int32_t y);
    Result<void> set_size(int32_t w, int32_t h);
    Result<void> set_title(const std::string& title);
    Result<void> set_mouse_cursor(bool visible);
    Result<void> set_mouse_grab(bool on);
    Result<void> set_mouse_relative(bool on);
    Result<void> set_window_drag(DragKind kind);
    // Re-reads position, size, title and flags from the server (fpath).
    Result<void> sync_path();

    // Renderer
    PixelView pixels() override { return m_pixels.view(); }
    Result<void> sync() override;
    Result<void> update_rects(std::span<const Rect> rects) override;

    // Every event waiting now, oldest first; never blocks. Resize events remap first.
    Result<std::vector<EventOption>> events();

    Result<std::pair<MediaKind, std::string>> clipboard();
    Result<void> set_clipboard(const std::string& text, MediaKind kind = MediaKind::Text);

private:
    Window(Transport& t, uint64_t handle) : m_transport(t), m_handle(handle) {}
    Result<void> remap();
    Result<void> command(const std::string& cmd);

    Transport& m_transport;
    uint64_t m_handle = 0;
    MappedPixels m_pixels;
    int32_t m_x = 0, m_y = 0, m_w = 0, m_h = 0;
    uint32_t m_flags = 0;
    std::string m_title;
};

} // namespace redox::orbclient
