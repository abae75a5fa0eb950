// PNG files through libpng: screenshots out, background images in.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "orbital/core/image.h"
#include "schemes/error.h"

namespace redox::orbital {

// Writes the view as 8-bit RGB (the screen is opaque; alpha is dropped).
Result<void> write_png(const std::string& path, const PixelView& pixels);
// The same PNG in memory (for programs that write it through another API).
Result<std::vector<uint8_t>> encode_png(const PixelView& pixels);
// Reads any PNG libpng understands into 0xAARRGGBB.
Result<Image> read_png(const std::string& path);
// The same from a PNG file's bytes (read through the sim's file system).
Result<Image> decode_png(std::span<const std::byte> data);

} // namespace redox::orbital
