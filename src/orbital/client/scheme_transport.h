// orbclient inside the sim: the `orbital` scheme through libredox. Window paths go
// to $ORBITAL_DISPLAY (default /scheme/orbital); a handle is the window's fd, opened
// O_NONBLOCK so Window::events() never blocks; map() is fmap of the window buffer
// (real shared pages of the daemon's memfd). wait_for_events() sleeps on an `event`
// queue subscribed to every window this transport opened.
#pragma once

#include <string>

#include "orbital/client/transport.h"

namespace redox::orbclient {

class SchemeTransport final : public Transport {
public:
    SchemeTransport();
    ~SchemeTransport() override;
    SchemeTransport(const SchemeTransport&) = delete;
    SchemeTransport& operator=(const SchemeTransport&) = delete;

    Result<uint64_t> open(const std::string& path) override;
    Result<uint64_t> dup(uint64_t handle, std::string_view what) override;
    Result<size_t> read(uint64_t handle, std::span<std::byte> buf) override;
    Result<size_t> write(uint64_t handle, std::span<const std::byte> buf) override;
    Result<void> fsync(uint64_t handle) override;
    Result<std::string> fpath(uint64_t handle) override;
    Result<MappedPixels> map(uint64_t handle, int32_t width, int32_t height) override;
    Result<void> close(uint64_t handle) override;

    // Blocks until a window of this transport has events, or timeout_ms passes
    // (0 = no timeout). Returns true if events are (probably) waiting.
    Result<bool> wait_for_events(uint64_t timeout_ms = 0);

    // The scheme root windows are opened under, e.g. "/scheme/orbital".
    const std::string& display() const { return m_display; }

private:
    std::string m_display;
    int m_queue = -1;   // `event` queue fd, opened on first use
};

} // namespace redox::orbclient
