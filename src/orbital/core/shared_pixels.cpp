#include "orbital/core/shared_pixels.h"

#include <cerrno>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>

namespace redox::orbital {

// Enough for an 8K screen; anything bigger is a bad request, not an allocation.
static constexpr int64_t kMaxPixels = int64_t(8192) * 4608;

Result<SharedPixels> SharedPixels::create(int32_t width, int32_t height) {
    if (width < 0 || height < 0 || int64_t(width) * height > kMaxPixels)
        return err(EINVAL, "window size out of range");
    SharedPixels p;
    p.m_width = width;
    p.m_height = height;
    size_t page = size_t(sysconf(_SC_PAGESIZE));
    // A zero-size window still gets one page so that every window has a mapping.
    p.m_map_len = std::max(page, (p.byte_size() + page - 1) / page * page);
    p.m_fd = memfd_create("orbital-window", MFD_CLOEXEC);
    if (p.m_fd < 0) return err(errno, "memfd_create");
    if (ftruncate(p.m_fd, off_t(p.m_map_len)) != 0) return err(errno, "ftruncate window buffer");
    void* m = mmap(nullptr, p.m_map_len, PROT_READ | PROT_WRITE, MAP_SHARED, p.m_fd, 0);
    if (m == MAP_FAILED) return err(errno, "mmap window buffer");
    p.m_pixels = static_cast<uint32_t*>(m);
    return p;
}

SharedPixels::~SharedPixels() {
    if (m_pixels) munmap(m_pixels, m_map_len);
    if (m_fd >= 0) close(m_fd);
}

void SharedPixels::swap(SharedPixels& o) noexcept {
    std::swap(m_fd, o.m_fd);
    std::swap(m_pixels, o.m_pixels);
    std::swap(m_map_len, o.m_map_len);
    std::swap(m_width, o.m_width);
    std::swap(m_height, o.m_height);
}

} // namespace redox::orbital
