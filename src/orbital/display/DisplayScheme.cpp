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
    if (backend.width() <= 0 || backend.height() <= 0) return err(EINVAL_, "display: backend has no size");
    return std::unique_ptr<DisplayScheme>(new DisplayScheme(backend, std::move(capture)));
}

Result<SharedPixels*> DisplayScheme::framebuffer(uint64_t vt) {
    auto it = m_fbs.find(vt);
    if (it != m_fbs.end()) return &it->second;
    auto fb = TRY(SharedPixels::create(m_width, m_height));
    fb.view().fill(fb.view().bounds(), 0xFF000000);
    return &m_fbs.emplace(vt, std::move(fb)).first->second;
}

Result<void> DisplayScheme::resize(int32_t width, int32_t height) {
    if (width == m_width && height == m_height) return {};
    std::map<uint64_t, SharedPixels> fbs;
    for (auto& [vt, old] : m_fbs) {
        auto fb = TRY(SharedPixels::create(width, height));
        fb.view().fill(fb.view().bounds(), 0xFF000000);
        fb.view().blit(old.view(), old.view().bounds(), 0, 0, false);
        fbs.emplace(vt, std::move(fb));
    }
    m_fbs = std::move(fbs);
    m_width = width;
    m_height = height;
    if (m_shown) show(m_shown, std::array{Rect{0, 0, width, height}});
    return {};
}

Result<void> DisplayScheme::activate(uint64_t vt) {
    TRY(framebuffer(vt));
    m_active = vt;
    m_shown = vt;
    show(vt, std::array{Rect{0, 0, m_width, m_height}});
    return {};
}

void DisplayScheme::show(uint64_t vt, std::span<const Rect> damage) {
    // Before inputd names the active VT, whoever draws is shown.
    if (m_active == 0) m_shown = vt;
    if (vt != m_shown) return;
    auto it = m_fbs.find(vt);
    if (it != m_fbs.end()) m_backend.present(it->second.view(), damage);
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
        TRY(framebuffer(h.vt));
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
        Rect r = Rect{d.x, d.y, d.w, d.h}.intersect(Rect{0, 0, m_width, m_height});
        if (!r.empty()) rects.push_back(r);
    }
    if (!rects.empty()) show(it->second.vt, rects);
    return buf.size();
}

Result<uint64_t> DisplayScheme::fsize(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return it->second.capture ? it->second.image.pixels().size_bytes() : uint64_t(m_width) * uint64_t(m_height) * 4;
}

Result<size_t> DisplayScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    const Handle& h = it->second;
    if (h.capture)
        return put_path(buf, "display:capture/" + std::to_string(h.image.width()) + "/" + std::to_string(h.image.height()));
    return put_path(buf, "display:" + std::to_string(h.vt) + "/" + std::to_string(m_width) + "/" +
                             std::to_string(m_height));
}

Result<void> DisplayScheme::fsync(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (!it->second.capture) show(it->second.vt, std::array{Rect{0, 0, m_width, m_height}});
    return {};
}

Result<int> DisplayScheme::mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (it->second.capture) return err(ENODEV_, "display: a capture cannot be mapped");
    SharedPixels* fb = TRY(framebuffer(it->second.vt));
    uint64_t limit = fb->byte_size();
    if (offset > limit || size > limit - offset) return err(EINVAL_, "display: map beyond the framebuffer");
    return fb->fd();
}

void DisplayScheme::on_close(uint64_t id) { m_handles.erase(id); }

} // namespace redox::orbital
