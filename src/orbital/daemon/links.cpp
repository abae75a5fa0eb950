#include "orbital/daemon/links.h"

#include <charconv>

#include "orbital/display/DisplayScheme.h"
#include "orbital/server/input_wire.h"
#include "schemes/ring.h"

namespace redox::orbital {

Result<std::unique_ptr<DisplayLink>> DisplayLink::open(std::string root, uint64_t vt) {
    std::unique_ptr<DisplayLink> d(new DisplayLink(std::move(root), vt));
    TRY(d->attach(d->m_root + "/" + std::to_string(vt)));
    return d;
}

DisplayLink::~DisplayLink() {
    if (m_fd >= 0) (void)sys::close(m_fd);
}

Result<void> DisplayLink::attach(const std::string& path) {
    int fd = TRY(sys::open(path, O_RDWR_ | O_CLOEXEC_));
    auto fail = [&](Error e) -> Result<void> {
        (void)sys::close(fd);
        return std::unexpected(std::move(e));
    };
    auto where = sys::fpath(fd);
    if (!where) return fail(where.error());
    // "display:VT/W/H"
    int32_t size[2] = {};
    std::string_view p = *where;
    for (int i = 1; i >= 0; --i) {
        size_t slash = p.rfind('/');
        std::string_view num = p.substr(slash == std::string_view::npos ? 0 : slash + 1);
        auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), size[i]);
        if (slash == std::string_view::npos || ec != std::errc() || end != num.data() + num.size() || size[i] <= 0)
            return fail(Error(EIO_, path + ": unexpected fpath \"" + *where + "\""));
        p = p.substr(0, slash);
    }
    auto map = sys::fmap(fd, 0, size_t(size[0]) * size_t(size[1]) * 4, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_);
    if (!map) return fail(map.error());
    if (m_fd >= 0) (void)sys::close(m_fd);
    m_fd = fd;
    m_map = std::move(*map);
    m_width = size[0];
    m_height = size[1];
    return {};
}

Result<void> DisplayLink::present(const PixelView& screen, std::span<const Rect> damage) {
    bool remapped = false;
    if (screen.width != m_width || screen.height != m_height) {
        TRY(attach(m_root + "/" + std::to_string(m_vt) + "/" + std::to_string(screen.width) + "/" +
                   std::to_string(screen.height)));
        remapped = true;
    }
    PixelView fb{static_cast<uint32_t*>(m_map.data()), m_width, m_height, m_width};
    std::vector<Damage> out;
    auto add = [&](Rect r) {
        r = r.intersect(fb.bounds()).intersect(screen.bounds());
        if (r.empty()) return;
        fb.blit(screen, r, r.x, r.y, false);
        out.push_back({r.x, r.y, r.w, r.h});
    };
    if (remapped) add(screen.bounds());
    else for (const Rect& r : damage) add(r);
    if (out.empty()) return {};
    TRY(sys::write(m_fd, out.data(), out.size() * sizeof(Damage)));
    return {};
}

Result<std::unique_ptr<InputLink>> InputLink::open(uint64_t vt, WaitWord& wake) {
    std::string path = "/scheme/input/consumer/" + std::to_string(vt);
    int fd = TRY(sys::open(path, O_RDONLY_ | O_NONBLOCK_ | O_CLOEXEC_));
    auto bell = sys::fmap(fd, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_);
    if (!bell) {
        (void)sys::close(fd);
        return err(bell.error().errnum, path + ": doorbell: " + bell.error().message());
    }
    std::unique_ptr<InputLink> link(new InputLink(fd, std::move(*bell)));
    auto* word = static_cast<WaitWord*>(link->m_bell.data());
    InputLink* self = link.get();
    // Pure futex waits: this thread makes no sim calls, so it never holds the
    // process's ring while the loop needs it.
    link->m_thread = std::thread([self, word, &wake] {
        while (!self->m_stop.load()) {
            uint32_t seen = word->seq.load(std::memory_order_seq_cst);
            wake.wake();
            word->wait(seen);
        }
    });
    return link;
}

InputLink::~InputLink() {
    m_stop = true;
    static_cast<WaitWord*>(m_bell.data())->wake();
    if (m_thread.joinable()) m_thread.join();
    (void)sys::close(m_fd);
}

Result<std::vector<InputEvent>> InputLink::poll() {
    std::vector<InputEvent> out;
    for (;;) {
        input::Event buf[64];
        auto n = sys::read(m_fd, buf, sizeof buf);
        if (!n) {
            if (n.error().errnum == EWOULDBLOCK_ || n.error().errnum == EAGAIN_) break;
            return std::unexpected(n.error());
        }
        size_t count = *n / sizeof(input::Event);
        for (size_t i = 0; i < count; ++i)
            if (auto ev = from_wire(buf[i])) out.push_back(*ev);
        if (count < std::size(buf)) break;
    }
    return out;
}

} // namespace redox::orbital
