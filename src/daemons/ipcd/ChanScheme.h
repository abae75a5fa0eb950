// chan: connection-oriented byte channels between processes (ipcd).
//
// Paths: `NAME` or `""`.
//  - open NAME with O_CREAT: a listener when NAME is free; when NAME is taken,
//    O_CREAT|O_EXCL gives EEXIST and O_CREAT alone connects to it.
//  - open NAME without O_CREAT connects (ENOENT if no listener has that name).
//  - open "" with O_CREAT: an unnamed listener.
// dup on a listener: "listen" accepts one waiting connection (EWOULDBLOCK when
// none waits; fevent READ says one does); "connect" on an unnamed listener
// makes a client of it; any other bytes name an unnamed listener (EEXIST if
// the name is taken) and return a new handle to it.
// read/write on a connection move bytes to and from its peer; read waits for
// data and gives 0 once the peer closed, write to a closed peer gives EPIPE.
// fevent: READ when data (or EOF, or a waiting connection) is there, WRITE
// while the peer's buffer has room. fpath: `chan:NAME`.
// Anyone may open. Cost: one copy into the peer's buffer and one out of it;
// each direction buffers at most kBufferLimit bytes.
#pragma once

#include "schemes/server.h"

#include <deque>
#include <map>
#include <memory>
#include <string>

namespace redox::ipcd {

class ChanScheme final : public SchemeServer {
public:
    static constexpr size_t kBufferLimit = 64 * 1024;

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<OpenResult> dup(uint64_t id, std::string_view buf, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint32_t> fevent(uint64_t id, uint32_t flags) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<uint64_t> fcntl(uint64_t id, uint64_t cmd, uint64_t arg) override;
    void on_close(uint64_t id) override;

private:
    struct Listener {
        std::string name;                // empty: unnamed
        std::deque<uint64_t> pending;    // server-side connection ids waiting for accept
        size_t handles = 0;              // listener handles open on it
    };
    struct Connection {
        uint64_t peer = 0;               // 0: the peer has closed
        std::deque<uint8_t> inbox;       // bytes written by the peer, not yet read
        std::string name;
    };
    struct Handle {
        std::shared_ptr<Listener> listener;  // set for listener handles
        uint64_t conn = 0;                   // set for connection handles
    };

    Result<OpenResult> new_listener(std::string name);
    Result<OpenResult> connect(const std::shared_ptr<Listener>& l);
    uint32_t readiness(uint64_t id);

    uint64_t m_next = 1;
    std::map<uint64_t, Handle> m_handles;
    std::map<uint64_t, Connection> m_conns;
    std::map<std::string, std::weak_ptr<Listener>> m_names;
};

} // namespace redox::ipcd
