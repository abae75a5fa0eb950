#include "daemons/ipcd/UdsScheme.h"

#include <algorithm>
#include <cstring>

namespace redox::ipcd {

namespace {

constexpr int EMSGSIZE_ = 90, EADDRINUSE_ = 98, EISCONN_ = 106, ENOTCONN_ = 107;
// Bytes queued for one socket at most before writers wait.
constexpr size_t kQueueLimit = 256 * 1024;

size_t queued(const std::deque<auto>& inbox) {
    size_t n = 0;
    for (auto& m : inbox) n += m.data.size() - m.consumed;
    return n;
}

} // namespace

Result<UdsScheme::Socket*> UdsScheme::socket(uint64_t id) {
    auto it = m_sockets.find(id);
    if (it == m_sockets.end()) return err(EBADF_);
    return &it->second;
}

Result<OpenResult> UdsScheme::open(std::string_view path, uint64_t, uint16_t, const CallerCtx&) {
    if (!path.empty() && path != "/") return err(ENOENT_);
    uint64_t id = m_next++;
    m_sockets[id];
    return OpenResult{id, 0};
}

Result<OpenResult> UdsScheme::dup(uint64_t id, std::string_view buf, const CallerCtx& ctx) {
    Socket* s = TRY(socket(id));
    if (buf == "recvfd") {
        int fd = TRY(on_recvfd(id, ctx));
        return OpenResult{0, 0, fd};
    }
    if (buf != "listen" || m_dgram) return err(EINVAL_);
    if (s->bound.empty()) return err(EINVAL_);
    while (!s->pending.empty()) {
        uint64_t server = s->pending.front();
        s->pending.pop_front();
        if (m_sockets.count(server)) return OpenResult{server, 0};
    }
    return err(EWOULDBLOCK_);
}

Result<size_t> UdsScheme::deliver(Socket& s, std::string data, uint64_t fd_count, const CallerCtx& ctx) {
    if (!s.connected) return err(ENOTCONN_);
    auto peer = m_sockets.find(s.peer);
    if (s.peer == 0 || peer == m_sockets.end()) return err(EPIPE_);
    if (queued(peer->second.inbox) >= kQueueLimit) return err(EWOULDBLOCK_);
    if (m_dgram && data.size() > kQueueLimit) return err(EMSGSIZE_);
    size_t n = data.size();
    peer->second.inbox.push_back(Message{std::move(data), 0, fd_count, ctx});
    post_fevent(peer->first, EVENT_READ);
    return n;
}

Result<size_t> UdsScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    Socket* s = TRY(socket(id));
    if (s->inbox.empty()) {
        if (!s->connected) return err(ENOTCONN_);
        return s->peer == 0 ? Result<size_t>(0) : err(EWOULDBLOCK_);
    }
    size_t done = 0;
    while (!s->inbox.empty() && done < buf.size()) {
        Message& m = s->inbox.front();
        size_t n = std::min(buf.size() - done, m.data.size() - m.consumed);
        std::memcpy(buf.data() + done, m.data.data() + m.consumed, n);
        done += n;
        m.consumed += n;
        if (m_dgram || m.consumed == m.data.size()) s->inbox.pop_front();
        if (m_dgram) break;
    }
    if (s->peer) post_fevent(s->peer, EVENT_WRITE);
    return done;
}

Result<size_t> UdsScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx& ctx) {
    Socket* s = TRY(socket(id));
    return deliver(*s, std::string(reinterpret_cast<const char*>(buf.data()), buf.size()), 0, ctx);
}

Result<size_t> UdsScheme::send_msg(Socket& s, std::span<const uint8_t> p, const CallerCtx& ctx) {
    uint64_t len;
    if (p.size() < 8) return err(EINVAL_);
    std::memcpy(&len, p.data(), 8);
    if (len > p.size() - 8) return err(EINVAL_);
    std::string data(reinterpret_cast<const char*>(p.data() + 8), len);
    uint64_t fd_count = 0;
    for (size_t off = 8 + len; off < p.size();) {
        int32_t level, type;
        uint64_t clen;
        if (p.size() - off < 16) return err(EINVAL_);
        std::memcpy(&level, p.data() + off, 4);
        std::memcpy(&type, p.data() + off + 4, 4);
        std::memcpy(&clen, p.data() + off + 8, 8);
        off += 16;
        if (clen > p.size() - off) return err(EINVAL_);
        if (level == SOL_SOCKET_ && type == SCM_RIGHTS_ && clen == 8) std::memcpy(&fd_count, p.data() + off, 8);
        off += clen;
    }
    return deliver(s, std::move(data), fd_count, ctx);
}

Result<size_t> UdsScheme::recv_msg(Socket& s, std::span<uint8_t> p) {
    if (s.inbox.empty()) {
        if (!s.connected) return err(ENOTCONN_);
        if (s.peer == 0) {
            if (p.size() < 8) return err(EINVAL_);
            std::memset(p.data(), 0, 8);
            return 8;  // end of stream: an empty message
        }
        return err(EWOULDBLOCK_);
    }
    Message m = s.inbox.front();
    std::string data = m.data.substr(m.consumed);
    std::string out(8, '\0');
    auto put = [&](const void* v, size_t n) { out.append(reinterpret_cast<const char*>(v), n); };
    auto cmsg = [&](int32_t type, const void* v, uint64_t n) {
        int32_t level = SOL_SOCKET_;
        put(&level, 4);
        put(&type, 4);
        put(&n, 8);
        put(v, n);
    };
    size_t tail = 0;  // ancillary bytes
    if (m.fd_count) tail += 16 + 8;
    tail += 16 + 12;
    if (p.size() < 8 + tail) return err(EINVAL_);
    size_t take = std::min(data.size(), p.size() - 8 - tail);
    uint64_t len = take;
    std::memcpy(out.data(), &len, 8);
    out.append(data, 0, take);
    if (m.fd_count) cmsg(SCM_RIGHTS_, &m.fd_count, 8);
    struct { int32_t pid; uint32_t uid, gid; } cred{int32_t(m.sender.pid), m.sender.uid, m.sender.gid};
    cmsg(SCM_CREDENTIALS_, &cred, sizeof cred);
    std::memcpy(p.data(), out.data(), out.size());
    if (m_dgram || take == data.size()) s.inbox.pop_front();
    else { s.inbox.front().consumed += take; s.inbox.front().fd_count = 0; }
    if (s.peer) post_fevent(s.peer, EVENT_WRITE);
    return out.size();
}

Result<size_t> UdsScheme::call(uint64_t id, std::span<uint8_t> payload, std::span<const uint64_t> meta, const CallerCtx& ctx) {
    Socket* s = TRY(socket(id));
    if (meta.empty()) return err(EINVAL_);
    std::string arg(reinterpret_cast<const char*>(payload.data()), payload.size());
    switch (SocketCall(meta[0])) {
    case SocketCall::Bind: {
        while (!arg.empty() && arg.back() == '\0') arg.pop_back();
        if (arg.empty()) return err(EINVAL_);
        if (!s->bound.empty()) return err(EINVAL_);
        if (m_names.count(arg)) return err(EADDRINUSE_);
        s->bound = arg;
        m_names[arg] = id;
        return 0;
    }
    case SocketCall::Connect: {
        while (!arg.empty() && arg.back() == '\0') arg.pop_back();
        if (s->connected) return err(EISCONN_);
        auto it = m_names.find(arg);
        if (it == m_names.end() || it->second == id) return err(ECONNREFUSED_);
        if (m_dgram) {
            s->peer = it->second;
            s->connected = true;
            // A datagram socket that is bound answers its last connecter.
            Socket& target = m_sockets[it->second];
            if (!target.connected || target.peer == 0) { target.peer = id; target.connected = true; }
            return 0;
        }
        uint64_t server = m_next++;
        Socket& sv = m_sockets[server];
        sv.peer = id;
        sv.connected = true;
        sv.bound = arg;
        s->peer = server;
        s->connected = true;
        m_sockets[it->second].pending.push_back(server);
        post_fevent(it->second, EVENT_READ);
        return 0;
    }
    case SocketCall::SendMsg: return send_msg(*s, payload, ctx);
    case SocketCall::RecvMsg: return recv_msg(*s, payload);
    case SocketCall::GetPeerName: {
        if (!s->connected) return err(ENOTCONN_);
        auto peer = m_sockets.find(s->peer);
        std::string name = peer == m_sockets.end() ? "" : peer->second.bound;
        size_t n = std::min(name.size(), payload.size());
        std::memcpy(payload.data(), name.data(), n);
        return n;
    }
    case SocketCall::SetSockOpt: case SocketCall::GetSockOpt: return 0;
    default: return err(EOPNOTSUPP_);
    }
}

Result<size_t> UdsScheme::on_sendfd(uint64_t id, int fd, const CallerCtx&) {
    auto s = socket(id);
    Socket* peer = nullptr;
    if (s && (*s)->connected && (*s)->peer) {
        auto it = m_sockets.find((*s)->peer);
        if (it != m_sockets.end()) peer = &it->second;
    }
    if (!peer) {
        (void)sys::close(fd);
        return err(s ? ENOTCONN_ : EBADF_);
    }
    peer->fds.push_back(fd);
    return 0;
}

Result<int> UdsScheme::on_recvfd(uint64_t id, const CallerCtx&) {
    Socket* s = TRY(socket(id));
    if (s->fds.empty()) return err(s->connected && s->peer ? EWOULDBLOCK_ : EINVAL_);
    int fd = s->fds.front();
    s->fds.pop_front();
    return fd;
}

Result<uint32_t> UdsScheme::fevent(uint64_t id, uint32_t flags) {
    Socket* s = TRY(socket(id));
    uint32_t r = 0;
    if (!s->inbox.empty() || !s->pending.empty() || (s->connected && s->peer == 0)) r |= EVENT_READ;
    if (s->connected) {
        auto peer = m_sockets.find(s->peer);
        if (peer == m_sockets.end() || queued(peer->second.inbox) < kQueueLimit) r |= EVENT_WRITE;
    }
    return r & flags;
}

Result<size_t> UdsScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    Socket* s = TRY(socket(id));
    return put_path(buf, std::string("/scheme/") + (m_dgram ? "uds_dgram/" : "uds_stream/") + s->bound);
}

Result<void> UdsScheme::fstat(uint64_t id, Stat& st) {
    TRY(socket(id));
    st = Stat{};
    st.st_mode = MODE_SOCK | 0666;
    st.st_blksize = 4096;
    return {};
}

Result<uint64_t> UdsScheme::fcntl(uint64_t id, uint64_t, uint64_t) {
    TRY(socket(id));
    return 0;
}

void UdsScheme::drop(Socket& s) {
    for (int fd : s.fds) (void)sys::close(fd);
    s.fds.clear();
}

void UdsScheme::on_close(uint64_t id) {
    auto it = m_sockets.find(id);
    if (it == m_sockets.end()) return;
    Socket s = std::move(it->second);
    m_sockets.erase(it);
    drop(s);
    if (auto n = m_names.find(s.bound); n != m_names.end() && n->second == id) m_names.erase(n);
    // Unaccepted connections lose their server side.
    for (uint64_t server : s.pending) {
        auto sv = m_sockets.find(server);
        if (sv == m_sockets.end()) continue;
        uint64_t client = sv->second.peer;
        drop(sv->second);
        m_sockets.erase(sv);
        if (auto c = m_sockets.find(client); c != m_sockets.end()) {
            c->second.peer = 0;
            post_fevent(client, EVENT_READ | EVENT_WRITE);
        }
    }
    if (auto p = m_sockets.find(s.peer); p != m_sockets.end() && p->second.peer == id) {
        p->second.peer = 0;
        post_fevent(p->first, EVENT_READ | EVENT_WRITE);
    }
    notify_ready();
}

} // namespace redox::ipcd
