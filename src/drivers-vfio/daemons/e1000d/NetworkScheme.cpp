#include "daemons/e1000d/NetworkScheme.h"

#include <algorithm>
#include <cstring>

namespace redox::net {

namespace {
constexpr size_t kRxQueueLimit = 1024;
}

Error NetworkScheme::fault(const Error& e) {
    if (e.errnum != EIO_) return e;
    if (!m_failed) {
        m_failed = true;
        m_failure = e;
        (void)sys::write_all(2, m_who + ": " + e.message() + "\n");
    }
    return Error(EIO_);
}

bool NetworkScheme::receive(bool irq) {
    if (m_failed) return false;
    if (irq) {
        if (auto r = m_nic.handle_irq(); !r) {
            fault(r.error());
            notify_ready();  // parked readers get their EIO
            return false;
        }
    }
    size_t before = m_rx.size();
    auto got = m_nic.receive_batch([this](std::span<const uint8_t> f) {
        if (m_rx.size() >= kRxQueueLimit) m_rx.pop_front();
        m_rx.emplace_back(f.begin(), f.end());
    });
    if (!got) {
        fault(got.error());
        notify_ready();
        return false;
    }
    if (m_rx.size() != before || *got) {
        notify_ready();
        for (auto& [id, kind] : m_handles)
            if (kind == Kind::Frames) post_fevent(id, EVENT_READ);
    }
    return true;
}

Result<OpenResult> NetworkScheme::open(std::string_view path, uint64_t flags, uint16_t, const CallerCtx& ctx) {
    while (path.starts_with('/')) path.remove_prefix(1);
    if (ctx.uid != 0) return err(EACCES_);
    if (flags & O_DIRECTORY_) return err(ENOTDIR_);
    Kind kind;
    if (path.empty()) kind = Kind::Frames;
    else if (path == "mac") kind = Kind::Mac;
    else return err(ENOENT_);
    uint64_t id = m_next++;
    m_handles[id] = kind;
    return OpenResult{id, 0};
}

Result<size_t> NetworkScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (it->second == Kind::Mac) {
        size_t n = std::min(buf.size(), m_nic.mac().size());
        std::memcpy(buf.data(), m_nic.mac().data(), n);
        return n;
    }
    if (m_rx.empty()) {
        if (m_failed) return err(EIO_);
        return err(EWOULDBLOCK_);
    }
    const auto& f = m_rx.front();
    size_t n = std::min(buf.size(), f.size());
    std::memcpy(buf.data(), f.data(), n);
    m_rx.pop_front();
    return n;
}

Result<size_t> NetworkScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (it->second == Kind::Mac) return err(EBADF_);
    if (buf.size() < 14 || buf.size() > 1514) return err(EINVAL_);
    if (m_failed) return err(EIO_);
    if (m_before) m_before();
    if (auto r = m_nic.send(buf); !r) return std::unexpected(fault(r.error()));
    return buf.size();
}

Result<uint32_t> NetworkScheme::fevent(uint64_t id, uint32_t flags) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    uint32_t ready = EVENT_WRITE;
    if (!m_rx.empty() || m_failed || it->second == Kind::Mac) ready |= EVENT_READ;
    return ready & flags;
}

Result<void> NetworkScheme::fstat(uint64_t id, Stat& st) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    st.st_mode = MODE_CHR | 0600;
    st.st_size = it->second == Kind::Mac ? 6 : 0;
    st.st_nlink = 1;
    st.st_blksize = 1514;
    return {};
}

Result<size_t> NetworkScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return put_path(buf, "/scheme/" + m_scheme + (it->second == Kind::Mac ? "/mac" : "/"));
}

} // namespace redox::net
