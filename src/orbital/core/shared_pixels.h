// A window's pixel buffer: a memfd mapped MAP_SHARED. The server draws from this
// mapping; the same fd is what `fmap` hands to a client (in-process clients map it a
// second time), so pixels cross with zero copies and a client that dies cannot take
// the server's mapping with it.
#pragma once

#include <cstdint>

#include "orbital/core/image.h"
#include "schemes/error.h"

namespace redox::orbital {

class SharedPixels {
public:
    static Result<SharedPixels> create(int32_t width, int32_t height);

    SharedPixels() = default;
    SharedPixels(SharedPixels&& o) noexcept { swap(o); }
    SharedPixels& operator=(SharedPixels&& o) noexcept {
        SharedPixels tmp(std::move(o));
        swap(tmp);
        return *this;
    }
    SharedPixels(const SharedPixels&) = delete;
    SharedPixels& operator=(const SharedPixels&) = delete;
    ~SharedPixels();

    int32_t width() const { return m_width; }
    int32_t height() const { return m_height; }
    // Bytes a client may map: width*height*4 (the memfd is page-rounded).
    size_t byte_size() const { return size_t(m_width) * m_height * 4; }
    // Borrowed; stays valid while this object lives. Dup it to share.
    int fd() const { return m_fd; }
    PixelView view() const { return {m_pixels, m_width, m_height, m_width}; }

private:
    void swap(SharedPixels& o) noexcept;

    int m_fd = -1;
    uint32_t* m_pixels = nullptr;
    size_t m_map_len = 0;
    int32_t m_width = 0;
    int32_t m_height = 0;
};

} // namespace redox::orbital
