// Window decorations: the title bar above the client area (title text, close and
// maximize buttons) and the invisible resize strips around resizable windows. One
// place decides both how they look and where clicks on them land.
#pragma once

#include <cstdint>

#include "orbital/core/image.h"
#include "orbital/server/config.h"
#include "orbital/server/window.h"

namespace redox::orbital::decor {

inline constexpr int32_t kTitleHeight = 28;
inline constexpr int32_t kButtonWidth = 18;
inline constexpr int32_t kBorder = 8;

enum class Zone {
    None, Client, Title, Close, Maximize,
    BorderLeft, BorderRight, BorderBottom, BorderBottomLeft, BorderBottomRight,
};

bool has_title(const ServerWindow& w);
Rect title_rect(const ServerWindow& w);
Rect close_rect(const ServerWindow& w);      // empty if unclosable or no title
Rect maximize_rect(const ServerWindow& w);   // empty if not resizable or no title
// Title bar plus client area: what is drawn.
Rect visible_rect(const ServerWindow& w);
// visible_rect plus resize strips: what reacts to the mouse.
Rect frame_rect(const ServerWindow& w);

Zone hit_test(const ServerWindow& w, int32_t x, int32_t y);

void draw_title(const PixelView& screen, const ServerWindow& w, bool focused,
                const OrbitalConfig& cfg, Rect clip);

} // namespace redox::orbital::decor
