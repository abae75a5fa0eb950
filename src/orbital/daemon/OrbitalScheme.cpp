#include "orbital/daemon/OrbitalScheme.h"

#include <cstring>

namespace redox::orbital {

OrbitalScheme::OrbitalScheme(OrbitalServer& server) : m_server(server) {
    m_server.set_readiness_callback([this](uint64_t id) {
        post_fevent(id, EVENT_READ);
        notify_ready();
    });
}

Result<OpenResult> OrbitalScheme::open(std::string_view path, uint64_t, uint16_t, const CallerCtx& ctx) {
    if (path == "screen") {
        uint64_t id = m_next_extra++;
        m_extra[id] = Extra::Screen;
        return OpenResult{id, uint8_t(NEWFD_POSITIONED), -1};
    }
    uint64_t id = TRY(m_server.open(path, ctx.uid));
    return OpenResult{id, 0, -1};
}

Result<OpenResult> OrbitalScheme::dup(uint64_t id, std::string_view buf, const CallerCtx&) {
    if (m_extra.count(id)) return err(EINVAL_, "orbital: only windows can be dup'ed");
    uint64_t nid = TRY(m_server.dup(id, buf));
    return OpenResult{nid, 0, -1};
}

Result<size_t> OrbitalScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    if (m_extra.count(id)) {
        // Only what is damaged is recomposited (and shown); cheap when current.
        if (m_present) m_present();
        else m_server.composite();
        auto bytes = std::as_bytes(m_server.screen().pixels());
        if (offset >= bytes.size()) return 0;
        size_t n = std::min<size_t>(buf.size(), bytes.size() - offset);
        std::memcpy(buf.data(), bytes.data() + offset, n);
        return n;
    }
    return m_server.read(id, std::as_writable_bytes(buf));
}

Result<size_t> OrbitalScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    if (m_extra.count(id)) return err(EBADF_, "orbital screen is read-only");
    return m_server.write(id, std::as_bytes(buf));
}

Result<uint64_t> OrbitalScheme::fsize(uint64_t id) {
    if (m_extra.count(id)) return m_server.screen().pixels().size_bytes();
    return err(ESPIPE_);
}

Result<uint32_t> OrbitalScheme::fevent(uint64_t id, uint32_t) {
    if (m_extra.count(id)) return 0;
    return m_server.readable(id) ? uint32_t(EVENT_READ) : 0u;
}

Result<size_t> OrbitalScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    if (m_extra.count(id)) {
        const Image& s = m_server.screen();
        return put_path(buf, "orbital:screen/" + std::to_string(s.width()) + "/" + std::to_string(s.height()));
    }
    return put_path(buf, TRY(m_server.fpath(id)));
}

Result<void> OrbitalScheme::fsync(uint64_t id) {
    if (m_extra.count(id)) return {};
    return m_server.fsync(id);
}

Result<int> OrbitalScheme::mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t, const CallerCtx&) {
    if (m_extra.count(id)) return err(ENODEV_, "orbital: only window buffers can be mapped");
    const SharedPixels* px = TRY(m_server.window_buffer(id));
    // Like upstream: asking for more than the image is EINVAL (a zero-size window
    // still has its one page).
    uint64_t limit = std::max<uint64_t>(px->byte_size(), 4096);
    if (offset > limit || size > limit - offset) return err(EINVAL_, "orbital: map beyond the window buffer");
    return px->fd();   // the kernel takes its own copy of the fd
}

void OrbitalScheme::on_close(uint64_t id) {
    if (m_extra.erase(id)) return;
    (void)m_server.close(id);
}

void OrbitalScheme::inject(const InputEvent& ev) {
    m_server.inject(ev);
    notify_ready();
}

} // namespace redox::orbital
