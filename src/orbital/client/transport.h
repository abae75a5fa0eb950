// How orbclient reaches Orbital: the operations of the `orbital` scheme on a window
// handle. InProcessTransport calls an OrbitalServer in the same process (host tools
// and tests); SchemeTransport is libredox on /scheme/orbital (sim programs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <string_view>

#include "orbital/core/image.h"
#include "schemes/error.h"

namespace redox::orbclient {

// A client-side mapping of a window buffer (what fmap returns); unmaps on destruction.
class MappedPixels {
public:
    MappedPixels() = default;
    MappedPixels(void* addr, size_t len, int32_t w, int32_t h)
        : m_addr(addr), m_len(len), m_width(w), m_height(h) {}
    // A mapping owned by `keeper` (e.g. a libredox MappedRegion): released with it.
    MappedPixels(void* addr, int32_t w, int32_t h, std::shared_ptr<void> keeper)
        : m_addr(addr), m_width(w), m_height(h), m_keeper(std::move(keeper)) {}
    MappedPixels(MappedPixels&& o) noexcept { *this = std::move(o); }
    MappedPixels& operator=(MappedPixels&& o) noexcept;
    MappedPixels(const MappedPixels&) = delete;
    MappedPixels& operator=(const MappedPixels&) = delete;
    ~MappedPixels();

    orbital::PixelView view() const {
        return {static_cast<uint32_t*>(m_addr), m_width, m_height, m_width};
    }

private:
    void* m_addr = nullptr;
    size_t m_len = 0;
    int32_t m_width = 0;
    int32_t m_height = 0;
    std::shared_ptr<void> m_keeper;
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual Result<uint64_t> open(const std::string& path) = 0;
    virtual Result<uint64_t> dup(uint64_t handle, std::string_view what) = 0;
    virtual Result<size_t> read(uint64_t handle, std::span<std::byte> buf) = 0;
    virtual Result<size_t> write(uint64_t handle, std::span<const std::byte> buf) = 0;
    virtual Result<void> fsync(uint64_t handle) = 0;
    virtual Result<std::string> fpath(uint64_t handle) = 0;
    // Maps the window's pixels (width*height*4 bytes, shared with the server).
    virtual Result<MappedPixels> map(uint64_t handle, int32_t width, int32_t height) = 0;
    virtual Result<void> close(uint64_t handle) = 0;

    Result<size_t> write_str(uint64_t handle, std::string_view s) {
        return write(handle, std::as_bytes(std::span(s.data(), s.size())));
    }
};

} // namespace redox::orbclient
