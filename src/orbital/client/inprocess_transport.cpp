#include "orbital/client/inprocess_transport.h"

#include <cerrno>
#include <sys/mman.h>

namespace redox::orbclient {

Result<uint64_t> InProcessTransport::open(const std::string& path) {
    // Accept the client-side spellings of the scheme root.
    std::string_view p = path;
    for (std::string_view prefix : {"/scheme/orbital/", "orbital:"})
        if (p.starts_with(prefix)) p.remove_prefix(prefix.size());
    return m_server.open(p, m_uid);
}

Result<MappedPixels> InProcessTransport::map(uint64_t h, int32_t width, int32_t height) {
    const orbital::SharedPixels* px = TRY(m_server.window_buffer(h));
    size_t len = size_t(width) * size_t(height) * 4;
    // Like Orbital's mmap_prep: asking for more than the buffer is EINVAL.
    if (width != px->width() || height != px->height() || len > px->byte_size())
        return err(EINVAL, "map " + std::to_string(width) + "x" + std::to_string(height) +
                               " of a " + std::to_string(px->width()) + "x" +
                               std::to_string(px->height()) + " window");
    size_t map_len = len == 0 ? 4096 : len;
    void* addr = mmap(nullptr, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, px->fd(), 0);
    if (addr == MAP_FAILED) return err(errno, "mmap window buffer");
    return MappedPixels(addr, map_len, width, height);
}

} // namespace redox::orbclient
