// One window as the server keeps it: geometry (client area in screen pixels), flags,
// title, the shared pixel buffer and the queue of events waiting to be read.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "orbital/core/event.h"
#include "orbital/core/flags.h"
#include "orbital/core/rect.h"
#include "orbital/core/shared_pixels.h"

namespace redox::orbital {

enum class ZBand : uint8_t { Back = 0, Normal = 1, Front = 2 };

struct ServerWindow {
    uint64_t id = 0;
    uint32_t owner_uid = 0;
    uint32_t flags = 0;
    Rect rect;                 // client area, screen coordinates
    Rect restore_rect;         // where to go back to when un-tiled
    std::string title;
    SharedPixels pixels;
    std::deque<WireEvent> events;
    bool cursor_visible = true;
    bool mouse_grab = false;
    bool mouse_relative = false;

    bool has(uint32_t f) const { return (flags & f) != 0; }
    bool hidden() const { return has(kFlagHidden); }
    bool tiled() const { return has(kFlagMaximized | kFlagFullscreen); }
    ZBand band() const {
        return has(kFlagFront) ? ZBand::Front : has(kFlagBack) ? ZBand::Back : ZBand::Normal;
    }

    // Queues an event, coalescing like Orbital: Mouse, Move, Resize, Screen and Scale
    // replace a queued event of the same code at the tail; MouseRelative and Scroll
    // add into it. Returns true when the queue went from empty to non-empty.
    bool push_event(WireEvent ev);
};

} // namespace redox::orbital
