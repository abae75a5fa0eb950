#include "daemons/inputd/InputScheme.h"

#include <charconv>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

#include "schemes/ring.h"

namespace redox::inputd {
namespace {

constexpr size_t kDoorbellBytes = 4096;

bool parse_vt(std::string_view s, uint64_t& vt) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), vt);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size() && vt >= 1 && vt <= 1024;
}

} // namespace

InputScheme::~InputScheme() {
    for (auto& [id, h] : m_handles) {
        if (h.doorbell) munmap(h.doorbell, kDoorbellBytes);
        if (h.doorbell_fd >= 0) ::close(h.doorbell_fd);
    }
}

Result<OpenResult> InputScheme::open(std::string_view path, uint64_t, uint16_t, const CallerCtx&) {
    Handle h;
    if (path == "producer") {
        h.kind = Kind::Producer;
    } else if (path == "control") {
        h.kind = Kind::Control;
    } else if (path == "consumer" || path.starts_with("consumer/")) {
        h.kind = Kind::Consumer;
        if (path == "consumer") {
            h.vt = m_vts.empty() ? 1 : *m_vts.rbegin() + 1;
        } else if (!parse_vt(path.substr(9), h.vt)) {
            return err(EINVAL_, "input: " + std::string(path) + ": expected consumer/VT with VT 1..1024");
        }
    } else if (path.starts_with("handle/") && path.size() > 7) {
        h.kind = Kind::Display;
        h.device = std::string(path.substr(7));
        if (m_active) h.vt_events.push_back({kVtActivate, uint32_t(m_active), 0, 0});
    } else {
        return err(ENOENT_, "input: no path '" + std::string(path) + "' (producer, consumer[/VT], handle/NAME, control)");
    }
    uint64_t id = m_next_id++;
    bool new_vt = h.kind == Kind::Consumer && m_vts.insert(h.vt).second;
    m_handles.emplace(id, std::move(h));
    if (new_vt && m_active == 0) (void)activate(m_handles[id].vt);
    return OpenResult{id, 0, -1};
}

Result<size_t> InputScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    Handle& h = it->second;
    switch (h.kind) {
    case Kind::Consumer: {
        size_t max = buf.size() / sizeof(input::Event);
        if (max == 0) return err(EINVAL_, "input: a consumer reads whole 24-byte events");
        if (h.events.empty()) return err(EWOULDBLOCK_);
        size_t n = std::min(max, h.events.size());
        for (size_t i = 0; i < n; ++i) std::memcpy(buf.data() + i * sizeof(input::Event), &h.events[i], sizeof(input::Event));
        h.events.erase(h.events.begin(), h.events.begin() + ptrdiff_t(n));
        return n * sizeof(input::Event);
    }
    case Kind::Display: {
        size_t max = buf.size() / sizeof(VtEvent);
        if (max == 0) return err(EINVAL_, "input: a display handle reads whole 16-byte VT events");
        if (h.vt_events.empty()) return err(EWOULDBLOCK_);
        size_t n = std::min(max, h.vt_events.size());
        for (size_t i = 0; i < n; ++i) std::memcpy(buf.data() + i * sizeof(VtEvent), &h.vt_events[i], sizeof(VtEvent));
        h.vt_events.erase(h.vt_events.begin(), h.vt_events.begin() + ptrdiff_t(n));
        return n * sizeof(VtEvent);
    }
    case Kind::Control:
        if (buf.size() < sizeof m_active) return err(EINVAL_, "input: control reads 8 bytes");
        std::memcpy(buf.data(), &m_active, sizeof m_active);
        return sizeof m_active;
    case Kind::Producer: break;
    }
    return err(EBADF_, "input: producers are write-only");
}

Result<size_t> InputScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (it->second.kind == Kind::Control) {
        uint64_t vt = 0;
        if (buf.size() != sizeof vt) return err(EINVAL_, "input: control takes an 8-byte VT number");
        std::memcpy(&vt, buf.data(), sizeof vt);
        TRY(activate(vt));
        return buf.size();
    }
    if (it->second.kind != Kind::Producer) return err(EBADF_, "input: only producers and control are written");
    if (buf.size() % sizeof(input::Event) != 0) return err(EINVAL_, "input: a producer writes whole 24-byte events");
    std::vector<input::Event> events(buf.size() / sizeof(input::Event));
    std::memcpy(events.data(), buf.data(), buf.size());
    deliver(events);
    return buf.size();
}

void InputScheme::deliver(std::span<const input::Event> events) {
    // Events are handed over in runs: a VT switch in the middle of a write sends
    // what precedes it to the old VT and what follows to the new one.
    size_t start = 0;
    auto flush = [&](size_t end) {
        if (end > start && m_active) {
            for (auto& [hid, h] : m_handles) {
                if (h.kind != Kind::Consumer || h.vt != m_active) continue;
                bool was_empty = h.events.empty();
                h.events.insert(h.events.end(), events.begin() + ptrdiff_t(start), events.begin() + ptrdiff_t(end));
                while (h.events.size() > kMaxQueued) h.events.pop_front();
                if (was_empty) readable(hid, h);
                else if (h.doorbell) static_cast<WaitWord*>(h.doorbell)->wake();
            }
        }
        start = end;
    };
    for (size_t i = 0; i < events.size(); ++i) {
        const input::Event& e = events[i];
        if (e.code == input::kCodeKey) {
            auto scancode = uint8_t(e.b & 0xFF);
            bool pressed = (e.b & 0x100) != 0;
            if (scancode == input::kKeySuper) m_super = pressed;
            uint64_t vt = 0;
            if (m_super && pressed && scancode >= input::kKeyF1 && scancode <= input::kKeyF10) vt = scancode - input::kKeyF1 + 1;
            if (m_super && pressed && scancode == input::kKeyF11) vt = 11;
            if (m_super && pressed && scancode == input::kKeyF12) vt = 12;
            if (vt && m_vts.count(vt)) {
                flush(i);
                (void)activate(vt);
            }
        } else if (e.code == input::kCodeResize && m_active) {
            to_displays({kVtResize, uint32_t(m_active), uint32_t(std::max<int64_t>(e.a, 0)), uint32_t(std::max<int64_t>(e.b, 0))});
        }
    }
    flush(events.size());
}

Result<void> InputScheme::activate(uint64_t vt) {
    if (!m_vts.count(vt)) return err(ENOENT_, "input: no VT " + std::to_string(vt));
    if (vt == m_active) return {};
    if (m_active) to_displays({kVtDeactivate, uint32_t(m_active), 0, 0});
    m_active = vt;
    to_displays({kVtActivate, uint32_t(vt), 0, 0});
    return {};
}

void InputScheme::to_displays(const VtEvent& ev) {
    for (auto& [hid, h] : m_handles) {
        if (h.kind != Kind::Display) continue;
        bool was_empty = h.vt_events.empty();
        h.vt_events.push_back(ev);
        if (h.vt_events.size() > kMaxQueued) h.vt_events.pop_front();
        if (was_empty) readable(hid, h);
        else if (h.doorbell) static_cast<WaitWord*>(h.doorbell)->wake();
    }
}

void InputScheme::readable(uint64_t id, Handle& h) {
    post_fevent(id, EVENT_READ);
    notify_ready();
    if (h.doorbell) static_cast<WaitWord*>(h.doorbell)->wake();
}

Result<uint32_t> InputScheme::fevent(uint64_t id, uint32_t) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    const Handle& h = it->second;
    if (h.kind == Kind::Consumer) return h.events.empty() ? 0u : uint32_t(EVENT_READ);
    if (h.kind == Kind::Display) return h.vt_events.empty() ? 0u : uint32_t(EVENT_READ);
    return 0u;
}

Result<size_t> InputScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    const Handle& h = it->second;
    switch (h.kind) {
    case Kind::Producer: return put_path(buf, "input:producer");
    case Kind::Control: return put_path(buf, "input:control");
    case Kind::Consumer: return put_path(buf, "input:consumer/" + std::to_string(h.vt));
    case Kind::Display: return put_path(buf, "input:handle/" + h.device);
    }
    return err(EBADF_);
}

Result<int> InputScheme::mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    Handle& h = it->second;
    if (h.kind != Kind::Consumer && h.kind != Kind::Display)
        return err(ENODEV_, "input: only consumers and display handles have a doorbell page");
    if (offset > kDoorbellBytes || size > kDoorbellBytes - offset) return err(EINVAL_, "input: the doorbell is one page");
    if (h.doorbell_fd < 0) {
        int fd = memfd_create("inputd-doorbell", MFD_CLOEXEC);
        if (fd < 0) return err(errno, "memfd_create");
        void* m = MAP_FAILED;
        if (::ftruncate(fd, kDoorbellBytes) == 0)
            m = mmap(nullptr, kDoorbellBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            return err(e, "doorbell page");
        }
        new (m) WaitWord();
        h.doorbell_fd = fd;
        h.doorbell = m;
    }
    return h.doorbell_fd;
}

void InputScheme::on_close(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return;
    if (it->second.doorbell) munmap(it->second.doorbell, kDoorbellBytes);
    if (it->second.doorbell_fd >= 0) ::close(it->second.doorbell_fd);
    m_handles.erase(it);
}

} // namespace redox::inputd
