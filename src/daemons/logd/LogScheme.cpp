#include "daemons/logd/LogScheme.h"

#include <cstring>

namespace redox::daemon {

static constexpr size_t kHistory = 1 << 20;

Result<OpenResult> LogScheme::open(std::string_view path, uint64_t, uint16_t, const CallerCtx&) {
    uint64_t id = m_next++;
    m_handles[id] = Handle{std::string(path), {}};
    return OpenResult{id, NEWFD_POSITIONED};
}

void LogScheme::emit(const std::string& prefix, std::string_view line) {
    std::string out = prefix.empty() ? std::string(line) : prefix + ": " + std::string(line);
    out += '\n';
    (void)sys::write_all(m_console, out);
    if (m_host) {
        std::fwrite(out.data(), 1, out.size(), m_host);
        std::fflush(m_host);
    }
    m_history += out;
    if (m_history.size() > kHistory) {
        size_t drop = m_history.size() - kHistory / 2;
        m_history.erase(0, drop);
        m_history_base += drop;
    }
}

Result<size_t> LogScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    Handle& h = it->second;
    h.pending.append(reinterpret_cast<const char*>(buf.data()), buf.size());
    size_t nl;
    while ((nl = h.pending.find('\n')) != std::string::npos) {
        emit(h.prefix, std::string_view(h.pending).substr(0, nl));
        h.pending.erase(0, nl + 1);
    }
    return buf.size();
}

Result<size_t> LogScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    if (!m_handles.count(id)) return err(EBADF_);
    if (offset == ~0ull) offset = 0;
    if (offset < m_history_base) offset = m_history_base;
    uint64_t rel = offset - m_history_base;
    if (rel >= m_history.size()) return 0;
    size_t n = std::min<size_t>(buf.size(), m_history.size() - rel);
    std::memcpy(buf.data(), m_history.data() + rel, n);
    return n;
}

Result<uint64_t> LogScheme::fsize(uint64_t) { return m_history_base + m_history.size(); }

Result<void> LogScheme::fsync(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (!it->second.pending.empty()) {
        emit(it->second.prefix, it->second.pending);
        it->second.pending.clear();
    }
    return {};
}

Result<void> LogScheme::fstat(uint64_t, Stat& st) {
    st.st_mode = MODE_CHR | 0666;
    st.st_nlink = 1;
    st.st_size = m_history_base + m_history.size();
    return {};
}

Result<size_t> LogScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return put_path(buf, "/scheme/log/" + it->second.prefix);
}

void LogScheme::on_close(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return;
    if (!it->second.pending.empty()) emit(it->second.prefix, it->second.pending);
    m_handles.erase(it);
}

} // namespace redox::daemon
