#include "orbital/client/scheme_transport.h"

#include <cstdlib>

#include "schemes/libredox.h"

namespace redox::orbclient {
namespace {

constexpr uint64_t kWaitTimeoutToken = EVENT_TIMEOUT_ID;

int fd_of(uint64_t handle) { return int(handle); }

} // namespace

SchemeTransport::SchemeTransport() {
    const char* d = std::getenv("ORBITAL_DISPLAY");
    m_display = d && *d ? d : "/scheme/orbital";
    while (m_display.size() > 1 && m_display.back() == '/') m_display.pop_back();
}

SchemeTransport::~SchemeTransport() {
    if (m_queue >= 0) (void)sys::close(m_queue);
}

Result<uint64_t> SchemeTransport::open(const std::string& path) {
    // Window::create speaks "orbital:REST"; the display root decides where REST goes.
    std::string_view rest = path;
    for (std::string_view prefix : {"orbital:", "/scheme/orbital/"})
        if (rest.starts_with(prefix)) {
            rest.remove_prefix(prefix.size());
            break;
        }
    std::string full = m_display + "/" + std::string(rest);
    int fd = TRY(sys::open(full, O_RDWR_ | O_CLOEXEC_ | O_NONBLOCK_));
    if (m_queue < 0) {
        auto q = sys::open("/scheme/event", O_RDWR_ | O_CLOEXEC_);
        if (!q) {
            (void)sys::close(fd);
            return std::unexpected(q.error());
        }
        m_queue = *q;
    }
    Event sub{uint64_t(fd), EVENT_READ, uint64_t(fd)};
    if (auto w = sys::write(m_queue, &sub, sizeof sub); !w) {
        (void)sys::close(fd);
        return std::unexpected(w.error());
    }
    return uint64_t(fd);
}

Result<uint64_t> SchemeTransport::dup(uint64_t handle, std::string_view what) {
    return uint64_t(TRY(sys::dup(fd_of(handle), what)));
}

Result<size_t> SchemeTransport::read(uint64_t handle, std::span<std::byte> buf) {
    return sys::read(fd_of(handle), buf.data(), buf.size());
}

Result<size_t> SchemeTransport::write(uint64_t handle, std::span<const std::byte> buf) {
    return sys::write(fd_of(handle), buf.data(), buf.size());
}

Result<void> SchemeTransport::fsync(uint64_t handle) { return sys::fsync(fd_of(handle)); }

Result<std::string> SchemeTransport::fpath(uint64_t handle) { return sys::fpath(fd_of(handle)); }

Result<MappedPixels> SchemeTransport::map(uint64_t handle, int32_t width, int32_t height) {
    size_t len = size_t(width) * size_t(height) * 4;
    // A zero-size window still has one page, so that every window can be mapped.
    auto region = TRY(sys::fmap(fd_of(handle), 0, len == 0 ? 4096 : len, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_));
    auto keeper = std::make_shared<sys::MappedRegion>(std::move(region));
    return MappedPixels(keeper->data(), width, height, keeper);
}

Result<void> SchemeTransport::close(uint64_t handle) {
    if (m_queue >= 0) {
        Event unsub{handle, 0, 0};
        (void)sys::write(m_queue, &unsub, sizeof unsub);
    }
    return sys::close(fd_of(handle));
}

Result<bool> SchemeTransport::wait_for_events(uint64_t timeout_ms) {
    if (m_queue < 0) return err(EBADF_, "no orbital window open");
    if (timeout_ms) {
        Event t{kWaitTimeoutToken, 0, timeout_ms};
        TRY(sys::write(m_queue, &t, sizeof t));
    }
    Event got{};
    TRY(sys::read(m_queue, &got, sizeof got));
    return got.id != kWaitTimeoutToken;
}

} // namespace redox::orbclient
