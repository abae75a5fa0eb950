// PNG files through libpng: screenshots out, background images in.
#pragma once

#include <string>

#include "orbital/core/image.h"
#include "schemes/error.h"

namespace redox::orbital {

// Writes the view as 8-bit RGB (the screen is opaque; alpha is dropped).
Result<void> write_png(const std::string& path, const PixelView& pixels);
// Reads any PNG libpng understands into 0xAARRGGBB.
Result<Image> read_png(const std::string& path);

} // namespace redox::orbital
