#include "orbital/display/DisplayScheme.h"

#include <charconv>
#include <cstring>

namespace redox::orbital {
namespace {

bool parse_u(std::string_view s, int64_t lo, int64_t hi, int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size() && out >= lo && out <= hi;
}

} // namespace

Result<std::unique_ptr<DisplayScheme>> DisplayScheme::create(DisplayBackend& backend,
                                                             std::function<Result<Image>()> capture) {
    auto fb = TRY(SharedPixels::create(backend.width(), backend.height()));
    fb.view().fill(fb.view().bounds(), 0xFF000000);
    std::unique_ptr<DisplayScheme> s(new DisplayScheme(backend, std::move(capture), std::move(fb)));
    s->show(std::array{s->m_fb.view().bounds()});
    return s;
}

Result<void> DisplayScheme::resize(int32_t width, int32_t height) {
    if (width == m_fb.width() && height == m_fb.height()) return {};
    auto fb = TRY(SharedPixels::create(width, height));
    fb.view().fill(fb.view().bounds(), 0xFF000000);
    fb.view().blit(m_fb.view(), m_fb.view().bounds(), 0, 0, false);
    m_fb = std::move(fb);
    show(std::array{m_fb.view().bounds()});
    return {};
}

void DisplayScheme::show(std::span<const Rect> damage) {
    m_backend.present(m_fb.view(), damage);
}

Result<OpenResult> DisplayScheme::open(std::string_view path, uint64_t, uint16_t, const CallerCtx& ctx) {
    if (ctx.uid != 0) return err(EACCES_, "display: only root may open the display");
    Handle h;
    if (path == "capture") {
        h.capture = true;
        if (!m_capture) return err(ENODEV_, "display: this backend cannot be captured");
        h.image = TRY(m_capture());
    } else {
        auto bad = [&] { return err(ENOENT_, "display: no path '" + std::string(path) + "' (VT, VT/W/H or capture)"); };
        std::string_view parts[3];
        size_t n = 0;
        for (std::string_view rest = path; n < 3;) {
            size_t slash = rest.find('/');
            parts[n++] = rest.substr(0, slash);
            if (slash == std::string_view::npos) break;
            rest.remove_prefix(slash + 1);
            if (n == 3) return bad();
        }
        int64_t vt = 0, w = 0, hgt = 0;
        if (!parse_u(parts[0], 1, 1024, vt) || n == 2) return bad();
        if (n == 3) {
            if (!parse_u(parts[1], 1, 16384, w) || !parse_u(parts[2], 1, 16384, hgt))
                return err(EINVAL_, "display: " + std::string(path) + ": width and height are 1..16384");
            TRY(resize(int32_t(w), int32_t(hgt)));
        }
        h.vt = uint64_t(vt);
    }
    uint64_t id = m_next_id++;
    bool positioned = h.capture;
    m_handles.emplace(id, std::move(h));
    return OpenResult{id, uint8_t(positioned ? NEWFD_POSITIONED : 0), -1};
}

Result<size_t> DisplayScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (!it->second.capture) return err(EBADF_, "display: map the framebuffer to read it");
    auto bytes = std::as_bytes(it->second.image.pixels());
    if (offset >= bytes.size()) return 0;
    size_t n = std::min<size_t>(buf.size(), bytes.size() - offset);
    std::memcpy(buf.data(), bytes.data() + offset, n);
    return n;
}

Result<size_t> DisplayScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (it->second.capture) return err(EBADF_, "display: a capture is read-only");
    if (buf.size() % sizeof(Damage) != 0) return err(EINVAL_, "display: damage is whole 16-byte records");
    std::vector<Rect> rects;
    rects.reserve(buf.size() / sizeof(Damage));
    for (size_t off = 0; off < buf.size(); off += sizeof(Damage)) {
        Damage d;
        std::memcpy(&d, buf.data() + off, sizeof d);
        Rect r = Rect{d.x, d.y, d.w, d.h}.intersect(m_fb.view().bounds());
        if (!r.empty()) rects.push_back(r);
    }
    if (!rects.empty()) show(rects);
    return buf.size();
}

Result<uint64_t> DisplayScheme::fsize(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return it->second.capture ? it->second.image.pixels().size_bytes() : m_fb.byte_size();
}

Result<size_t> DisplayScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    const Handle& h = it->second;
    if (h.capture)
        return put_path(buf, "display:capture/" + std::to_string(h.image.width()) + "/" + std::to_string(h.image.height()));
    return put_path(buf, "display:" + std::to_string(h.vt) + "/" + std::to_string(m_fb.width()) + "/" +
                             std::to_string(m_fb.height()));
}

Result<void> DisplayScheme::fsync(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (!it->second.capture) show(std::array{m_fb.view().bounds()});
    return {};
}

Result<int> DisplayScheme::mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (it->second.capture) return err(ENODEV_, "display: a capture cannot be mapped");
    uint64_t limit = m_fb.byte_size();
    if (offset > limit || size > limit - offset) return err(EINVAL_, "display: map beyond the framebuffer");
    return m_fb.fd();
}

void DisplayScheme::on_close(uint64_t id) { m_handles.erase(id); }

} // namespace redox::orbital
