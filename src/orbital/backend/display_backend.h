// Where the composited screen goes and where input comes from: the `display` side
// of Orbital (vesad / the DRM handle upstream). Backends: headless (memory) and SDL2.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "orbital/core/image.h"
#include "orbital/core/rect.h"
#include "orbital/server/input_event.h"

namespace redox::orbital {

class DisplayBackend {
public:
    virtual ~DisplayBackend() = default;
    virtual int32_t width() const = 0;
    virtual int32_t height() const = 0;
    // Shows `damage` (screen rectangles) of `screen`. Copies the pixels; the caller may
    // draw again as soon as this returns.
    virtual void present(const PixelView& screen, std::span<const Rect> damage) = 0;
    // Input that arrived since the last call, oldest first.
    virtual std::vector<InputEvent> poll_input() = 0;
};

} // namespace redox::orbital
