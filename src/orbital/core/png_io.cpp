#include "orbital/core/png_io.h"

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <memory>
#include <png.h>
#include <vector>

namespace redox::orbital {
namespace {

struct FileCloser {
    void operator()(FILE* f) const { if (f) fclose(f); }
};
using UniqueFile = std::unique_ptr<FILE, FileCloser>;

} // namespace

Result<void> write_png(const std::string& path, const PixelView& pixels) {
    UniqueFile f(fopen(path.c_str(), "wb"));
    if (!f) return err(errno, path);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        return err(ENOMEM, path);
    }
    std::vector<uint8_t> row(size_t(pixels.width) * 3);
    // libpng reports errors by longjmp; nothing with a destructor is created below.
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return err(EIO, path + ": libpng write failed");
    }
    png_init_io(png, f.get());
    png_set_IHDR(png, info, png_uint_32(pixels.width), png_uint_32(pixels.height), 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int32_t y = 0; y < pixels.height; ++y) {
        const uint32_t* s = pixels.row(y);
        for (int32_t x = 0; x < pixels.width; ++x) {
            row[size_t(x) * 3 + 0] = uint8_t(s[x] >> 16);
            row[size_t(x) * 3 + 1] = uint8_t(s[x] >> 8);
            row[size_t(x) * 3 + 2] = uint8_t(s[x]);
        }
        png_write_row(png, row.data());
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    if (fflush(f.get()) != 0) return err(errno, path);
    return {};
}

Result<std::vector<uint8_t>> encode_png(const PixelView& pixels) {
    std::vector<uint8_t> out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        return err(ENOMEM, "png encoder");
    }
    std::vector<uint8_t> row(size_t(pixels.width) * 3);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return err(EIO, "libpng encode failed");
    }
    png_set_write_fn(png, &out, [](png_structp p, png_bytep data, png_size_t len) {
        auto* v = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(p));
        v->insert(v->end(), data, data + len);
    }, [](png_structp) {});
    png_set_IHDR(png, info, png_uint_32(pixels.width), png_uint_32(pixels.height), 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int32_t y = 0; y < pixels.height; ++y) {
        const uint32_t* s = pixels.row(y);
        for (int32_t x = 0; x < pixels.width; ++x) {
            row[size_t(x) * 3 + 0] = uint8_t(s[x] >> 16);
            row[size_t(x) * 3 + 1] = uint8_t(s[x] >> 8);
            row[size_t(x) * 3 + 2] = uint8_t(s[x]);
        }
        png_write_row(png, row.data());
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

namespace {

// Finishes a png_image whose header was read; `what` names it in errors.
Result<Image> finish_read(png_image& img, const std::string& what) {
    if (img.width > 16384 || img.height > 16384) {
        png_image_free(&img);
        return err(EFBIG, what + ": image larger than 16384x16384");
    }
    // BGRA bytes in memory are 0xAARRGGBB words on little-endian hosts.
    img.format = PNG_FORMAT_BGRA;
    Image out(int32_t(img.width), int32_t(img.height));
    if (!png_image_finish_read(&img, nullptr, out.pixels().data(), 0, nullptr)) {
        png_image_free(&img);
        return err(EINVAL, what + ": " + img.message);
    }
    return out;
}

} // namespace

Result<Image> read_png(const std::string& path) {
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path.c_str()))
        return err(EINVAL, path + ": " + img.message);
    return finish_read(img, path);
}

Result<Image> decode_png(std::span<const std::byte> data) {
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, data.data(), data.size()))
        return err(EINVAL, std::string("not a PNG image: ") + img.message);
    return finish_read(img, "PNG image");
}

} // namespace redox::orbital
