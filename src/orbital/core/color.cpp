#include "orbital/core/color.h"

#include <cmath>

namespace redox::orbital {

Color Color::interpolate(Color to, double scale) const {
    auto mix = [scale](uint8_t a, uint8_t b) {
        return uint8_t(std::lround(a + (double(b) - a) * scale));
    };
    return Color::rgba(mix(r(), to.r()), mix(g(), to.g()), mix(b(), to.b()), mix(a(), to.a()));
}

} // namespace redox::orbital
