#include "orbital/server/window.h"

namespace redox::orbital {

// A client that never reads must not grow the server without bound.
static constexpr size_t kMaxQueuedEvents = 4096;

bool ServerWindow::push_event(WireEvent ev) {
    bool was_empty = events.empty();
    if (!events.empty() && events.back().code == ev.code) {
        WireEvent& last = events.back();
        switch (ev.code) {
        case kEventMouse:
        case kEventMove:
        case kEventResize:
        case kEventScreen:
        case kEventScale:
            last = ev;
            return false;
        case kEventMouseRelative:
        case kEventScroll:
            last.a += ev.a;
            last.b += ev.b;
            return false;
        default:
            break;
        }
    }
    if (events.size() >= kMaxQueuedEvents) events.pop_front();
    events.push_back(ev);
    return was_empty;
}

} // namespace redox::orbital
