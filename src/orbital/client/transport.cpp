#include "orbital/client/transport.h"

#include <sys/mman.h>
#include <utility>

namespace redox::orbclient {

MappedPixels& MappedPixels::operator=(MappedPixels&& o) noexcept {
    if (this != &o) {
        if (m_addr && !m_keeper) munmap(m_addr, m_len);
        m_keeper = std::move(o.m_keeper);
        m_addr = std::exchange(o.m_addr, nullptr);
        m_len = std::exchange(o.m_len, 0);
        m_width = std::exchange(o.m_width, 0);
        m_height = std::exchange(o.m_height, 0);
    }
    return *this;
}

MappedPixels::~MappedPixels() {
    if (m_addr && !m_keeper) munmap(m_addr, m_len);
}

} // namespace redox::orbclient
