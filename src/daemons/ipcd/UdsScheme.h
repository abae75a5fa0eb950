// uds_stream and uds_dgram: Unix domain sockets (ipcd), one instance per scheme.
//
// Paths: `""` opens a new unbound socket. Socket calls are SYS_CALL with
// metadata[0] a SocketCall verb (the redox_rt numbering):
//  - Bind (0), payload = NAME: binds the socket to NAME (EADDRINUSE if taken);
//    a bound stream socket accepts connections through dup "listen"
//    (EWOULDBLOCK while none waits; fevent READ says one does);
//  - Connect (1), payload = NAME: connects to the socket bound to NAME
//    (ECONNREFUSED if there is none);
//  - SendMsg (4), payload = [data_len u64][data][cmsg...], each cmsg
//    [level i32][type i32][len u64][data]: the data goes to the peer as one
//    message; an SCM_RIGHTS cmsg carries the count of fds sent just before
//    with sendfd;
//  - RecvMsg (5), payload = a buffer: fills it with [data_len u64][data] and
//    the cmsgs of the next message: SCM_RIGHTS (count of fds waiting for
//    recvfd, if any) and SCM_CREDENTIALS (the sender's pid i32, uid u32,
//    gid u32, always); returns the bytes used;
//  - GetPeerName (8): the name the connected peer is bound to, or empty.
// sendfd moves an fd to the connected peer's queue; recvfd (or dup "recvfd")
// takes the oldest one. read/write are plain data: uds_stream is a byte
// stream, uds_dgram keeps message boundaries (a read returns one message,
// truncated to the buffer). A closed peer gives EOF on read and EPIPE on write.
// Anyone may open. Cost: one copy into the peer's queue and one out of it.
#pragma once

#include "schemes/server.h"

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace redox::ipcd {

enum class SocketCall : uint64_t { Bind = 0, Connect = 1, SetSockOpt = 2, GetSockOpt = 3, SendMsg = 4, RecvMsg = 5,
                                   Unbind = 6, GetToken = 7, GetPeerName = 8, Shutdown = 9 };
inline constexpr int32_t SOL_SOCKET_ = 1;
inline constexpr int32_t SCM_RIGHTS_ = 1;
inline constexpr int32_t SCM_CREDENTIALS_ = 2;

class UdsScheme final : public SchemeServer {
public:
    explicit UdsScheme(bool dgram) : m_dgram(dgram) {}

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<OpenResult> dup(uint64_t id, std::string_view buf, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> call(uint64_t id, std::span<uint8_t> payload, std::span<const uint64_t> meta, const CallerCtx& ctx) override;
    Result<size_t> on_sendfd(uint64_t id, int fd, const CallerCtx& ctx) override;
    Result<int> on_recvfd(uint64_t id, const CallerCtx& ctx) override;
    Result<uint32_t> fevent(uint64_t id, uint32_t flags) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<uint64_t> fcntl(uint64_t id, uint64_t cmd, uint64_t arg) override;
    void on_close(uint64_t id) override;

private:
    struct Message {
        std::string data;
        size_t consumed = 0;       // uds_stream: bytes already read
        uint64_t fd_count = 0;     // SCM_RIGHTS announced with it
        CallerCtx sender;
    };
    struct Socket {
        std::string bound;               // the name it is bound to
        std::deque<uint64_t> pending;    // stream: accepted-side sockets waiting for dup "listen"
        uint64_t peer = 0;
        bool connected = false;          // true even after the peer closed
        std::deque<Message> inbox;
        std::deque<int> fds;             // fds sent to this socket, waiting for recvfd
    };

    Result<Socket*> socket(uint64_t id);
    Result<size_t> deliver(Socket& s, std::string data, uint64_t fd_count, const CallerCtx& ctx);
    Result<size_t> send_msg(Socket& s, std::span<const uint8_t> payload, const CallerCtx& ctx);
    Result<size_t> recv_msg(Socket& s, std::span<uint8_t> payload);
    void drop(Socket& s);

    bool m_dgram;
    uint64_t m_next = 1;
    std::map<uint64_t, Socket> m_sockets;
    std::map<std::string, uint64_t> m_names;
};

} // namespace redox::ipcd
