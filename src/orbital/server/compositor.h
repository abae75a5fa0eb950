// Software compositing of damaged screen rectangles: background (colour or image),
// then every visible window back to front (title bar, then contents copied, or
// alpha-blended for transparent windows), then the cursor on top.
#pragma once

#include <cstdint>
#include <span>

#include "orbital/core/image.h"
#include "orbital/server/config.h"
#include "orbital/server/window.h"

namespace redox::orbital {

struct CursorState {
    int32_t x = 0;
    int32_t y = 0;
    bool visible = true;
};

class Compositor {
public:
    static constexpr int32_t kCursorSize = 12;

    void set_config(const OrbitalConfig& cfg) { m_config = cfg; }
    const OrbitalConfig& config() const { return m_config; }
    // The image is stretched to the screen once, not per frame.
    void set_background_image(Image img) { m_background_source = std::move(img); m_background = {}; }
    void screen_resized(int32_t w, int32_t h);

    static Rect cursor_rect(const CursorState& c) { return {c.x, c.y, kCursorSize, kCursorSize}; }

    // `windows` back to front; `focused` is the id drawn with the highlight colours.
    void paint(const PixelView& screen, Rect area, std::span<const ServerWindow* const> windows,
               uint64_t focused, const CursorState& cursor) const;

private:
    void paint_cursor(const PixelView& screen, Rect area, const CursorState& c) const;

    OrbitalConfig m_config;
    Image m_background_source;
    Image m_background;   // m_background_source stretched to the screen size
};

} // namespace redox::orbital
