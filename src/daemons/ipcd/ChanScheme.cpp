#include "daemons/ipcd/ChanScheme.h"

#include <algorithm>

namespace redox::ipcd {

Result<OpenResult> ChanScheme::new_listener(std::string name) {
    auto l = std::make_shared<Listener>();
    l->name = name;
    l->handles = 1;
    if (!name.empty()) m_names[name] = l;
    uint64_t id = m_next++;
    m_handles[id] = Handle{l, 0};
    return OpenResult{id, 0};
}

// A connection: the client's end is returned, the server's end waits for accept.
Result<OpenResult> ChanScheme::connect(const std::shared_ptr<Listener>& l) {
    uint64_t client = m_next++, server = m_next++;
    m_conns[client] = Connection{server, {}, l->name};
    m_conns[server] = Connection{client, {}, l->name};
    m_handles[client] = Handle{nullptr, client};
    l->pending.push_back(server);
    for (auto& [id, h] : m_handles)
        if (h.listener == l) post_fevent(id, EVENT_READ);
    return OpenResult{client, 0};
}

Result<OpenResult> ChanScheme::open(std::string_view path, uint64_t flags, uint16_t, const CallerCtx&) {
    std::string name(path);
    while (!name.empty() && name.front() == '/') name.erase(0, 1);
    bool create = flags & O_CREAT_;
    if (name.empty()) {
        if (!create) return err(ENOENT_);
        return new_listener("");
    }
    auto it = m_names.find(name);
    std::shared_ptr<Listener> l = it == m_names.end() ? nullptr : it->second.lock();
    if (!l) {
        if (!create) return err(ENOENT_);
        return new_listener(name);
    }
    if (create && (flags & O_EXCL_)) return err(EEXIST_);
    return connect(l);
}

Result<OpenResult> ChanScheme::dup(uint64_t id, std::string_view buf, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    auto l = it->second.listener;
    if (!l) return err(EINVAL_);  // a connection has no sub-handles
    if (buf == "listen") {
        // Skip connections whose client gave up before being accepted.
        while (!l->pending.empty()) {
            uint64_t server = l->pending.front();
            l->pending.pop_front();
            if (!m_conns.count(server)) continue;
            m_handles[server] = Handle{nullptr, server};
            return OpenResult{server, 0};
        }
        return err(EWOULDBLOCK_);
    }
    if (buf == "connect") {
        if (!l->name.empty()) return err(EINVAL_);
        return connect(l);
    }
    if (!l->name.empty()) return err(EINVAL_);
    std::string name(buf);
    if (auto n = m_names.find(name); n != m_names.end() && n->second.lock()) return err(EEXIST_);
    l->name = name;
    m_names[name] = l;
    l->handles++;
    uint64_t nid = m_next++;
    m_handles[nid] = Handle{l, 0};
    return OpenResult{nid, 0};
}

Result<size_t> ChanScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    auto it = m_conns.find(id);
    if (it == m_conns.end() || !m_handles.count(id)) return err(m_handles.count(id) ? EINVAL_ : EBADF_);
    Connection& c = it->second;
    if (c.inbox.empty()) {
        if (c.peer == 0) return 0;
        return err(EWOULDBLOCK_);
    }
    size_t n = std::min(buf.size(), c.inbox.size());
    std::copy_n(c.inbox.begin(), n, buf.begin());
    c.inbox.erase(c.inbox.begin(), c.inbox.begin() + long(n));
    if (c.peer && m_handles.count(c.peer)) post_fevent(c.peer, EVENT_WRITE);
    return n;
}

Result<size_t> ChanScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    auto it = m_conns.find(id);
    if (it == m_conns.end() || !m_handles.count(id)) return err(m_handles.count(id) ? EINVAL_ : EBADF_);
    if (it->second.peer == 0) return err(EPIPE_);
    uint64_t peer = it->second.peer;
    Connection& p = m_conns[peer];
    size_t room = kBufferLimit - std::min(kBufferLimit, p.inbox.size());
    if (room == 0) return err(EWOULDBLOCK_);
    size_t n = std::min(room, buf.size());
    p.inbox.insert(p.inbox.end(), buf.begin(), buf.begin() + long(n));
    if (m_handles.count(peer)) post_fevent(peer, EVENT_READ);
    return n;
}

uint32_t ChanScheme::readiness(uint64_t id) {
    auto h = m_handles.find(id);
    if (h == m_handles.end()) return 0;
    if (h->second.listener) return h->second.listener->pending.empty() ? 0u : uint32_t(EVENT_READ);
    Connection& c = m_conns[id];
    uint32_t r = 0;
    if (!c.inbox.empty() || c.peer == 0) r |= EVENT_READ;
    if (c.peer == 0 || m_conns[c.peer].inbox.size() < kBufferLimit) r |= EVENT_WRITE;
    return r;
}

Result<uint32_t> ChanScheme::fevent(uint64_t id, uint32_t flags) {
    if (!m_handles.count(id)) return err(EBADF_);
    return readiness(id) & flags;
}

Result<size_t> ChanScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    auto h = m_handles.find(id);
    if (h == m_handles.end()) return err(EBADF_);
    std::string name = h->second.listener ? h->second.listener->name : m_conns[id].name;
    return put_path(buf, "chan:" + name);
}

Result<void> ChanScheme::fstat(uint64_t id, Stat& st) {
    if (!m_handles.count(id)) return err(EBADF_);
    st = Stat{};
    st.st_mode = MODE_SOCK | 0666;
    st.st_blksize = 4096;
    return {};
}

Result<uint64_t> ChanScheme::fcntl(uint64_t id, uint64_t, uint64_t) {
    if (!m_handles.count(id)) return err(EBADF_);
    return 0;
}

void ChanScheme::on_close(uint64_t id) {
    auto h = m_handles.find(id);
    if (h == m_handles.end()) return;
    Handle handle = h->second;
    m_handles.erase(h);
    if (auto l = handle.listener) {
        if (--l->handles > 0) return;
        // The last listener handle: unaccepted connections see their peer gone.
        for (uint64_t server : l->pending) {
            auto c = m_conns.find(server);
            if (c == m_conns.end()) continue;
            if (auto p = m_conns.find(c->second.peer); p != m_conns.end()) {
                p->second.peer = 0;
                post_fevent(p->first, EVENT_READ | EVENT_WRITE);
            }
            m_conns.erase(c);
        }
        l->pending.clear();
        if (!l->name.empty()) {
            auto n = m_names.find(l->name);
            if (n != m_names.end() && n->second.lock() == l) m_names.erase(n);
        }
        return;
    }
    auto c = m_conns.find(id);
    if (c == m_conns.end()) return;
    if (auto p = m_conns.find(c->second.peer); p != m_conns.end()) {
        p->second.peer = 0;
        if (m_handles.count(p->first)) post_fevent(p->first, EVENT_READ | EVENT_WRITE);
    }
    m_conns.erase(c);
    notify_ready();  // parked reads of the peer now see EOF
}

} // namespace redox::ipcd
