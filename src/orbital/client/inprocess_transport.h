// orbclient talking to an OrbitalServer in the same process: every call is a direct
// server call, and map() mmaps the window's memfd a second time, so pixels are shared
// exactly as a scheme fmap would share them. Same-thread use only, like the server.
#pragma once

#include "orbital/client/transport.h"
#include "orbital/server/server.h"

namespace redox::orbclient {

class InProcessTransport final : public Transport {
public:
    explicit InProcessTransport(orbital::OrbitalServer& server, uint32_t uid = 0)
        : m_server(server), m_uid(uid) {}

    Result<uint64_t> open(const std::string& path) override;
    Result<uint64_t> dup(uint64_t h, std::string_view what) override { return m_server.dup(h, what); }
    Result<size_t> read(uint64_t h, std::span<std::byte> buf) override { return m_server.read(h, buf); }
    Result<size_t> write(uint64_t h, std::span<const std::byte> buf) override {
        return m_server.write(h, buf);
    }
    Result<void> fsync(uint64_t h) override { return m_server.fsync(h); }
    Result<std::string> fpath(uint64_t h) override { return m_server.fpath(h); }
    Result<MappedPixels> map(uint64_t h, int32_t width, int32_t height) override;
    Result<void> close(uint64_t h) override { return m_server.close(h); }

private:
    orbital::OrbitalServer& m_server;
    uint32_t m_uid;
};

} // namespace redox::orbclient
