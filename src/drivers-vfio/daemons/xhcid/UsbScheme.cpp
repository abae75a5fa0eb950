#include "daemons/xhcid/UsbScheme.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

namespace redox::usbd {

namespace {
constexpr size_t kReportQueueLimit = 256;
}

std::string UsbScheme::describe(const xhci::UsbDevice& d) {
    const auto& dd = d.descriptor;
    std::string out = fmt::format(
        "device usb={:x}.{:02x} class={:02x}:{:02x}:{:02x} vendor={:04x} product={:04x} version={:x}.{:02x} "
        "max-packet0={} configurations={}\n",
        dd.usb_version >> 8, dd.usb_version & 0xff, dd.device_class, dd.device_subclass, dd.device_protocol, dd.vendor,
        dd.product, dd.device_version >> 8, dd.device_version & 0xff, dd.max_packet0, dd.num_configurations);
    out += fmt::format("configuration {}\n", d.configuration.value);
    static const char* kinds[] = {"control", "isochronous", "bulk", "interrupt"};
    for (const auto& i : d.configuration.interfaces) {
        out += fmt::format("interface {} alt={} class={:02x}:{:02x}:{:02x}{}\n", i.number, i.alternate, i.cls, i.subclass,
                           i.protocol, i.is_boot_keyboard() ? " boot-keyboard" : i.is_boot_mouse() ? " boot-mouse" : "");
        for (const auto& e : i.endpoints)
            out += fmt::format("endpoint {:02x} {}-{} max-packet={} interval={}\n", e.address, kinds[e.attributes & 3],
                               (e.address & 0x80) ? "in" : "out", e.max_packet, e.interval);
    }
    return out;
}

const xhci::UsbDevice* UsbScheme::device_on(unsigned port) const {
    for (const auto& d : m_hc.devices())
        if (d.port == port) return &d;
    return nullptr;
}

bool UsbScheme::poll() {
    if (m_failed) return false;
    std::map<uint8_t, unsigned> port_of;
    for (const auto& d : m_hc.devices()) port_of[d.slot] = d.port;
    size_t got = 0;
    if (auto r = m_hc.handle_irq(); !r) {
        m_failed = true;
        (void)sys::write_all(2, m_who + ": " + r.error().message() + "\n");
        notify_ready();
        return false;
    }
    auto r = m_hc.poll_events([&](uint8_t slot, std::span<const uint8_t> data) {
        auto& q = m_reports[port_of[slot]];
        if (q.size() >= kReportQueueLimit) q.pop_front();
        q.emplace_back(data.begin(), data.end());
        ++got;
    });
    if (!r) {
        m_failed = true;
        (void)sys::write_all(2, m_who + ": " + r.error().message() + "\n");
    }
    if (got || m_failed) {
        notify_ready();
        for (auto& [id, h] : m_handles)
            if (h.kind == Kind::Reports) post_fevent(id, EVENT_READ);
    }
    return !m_failed;
}

Result<OpenResult> UsbScheme::open(std::string_view path, uint64_t flags, uint16_t, const CallerCtx& ctx) {
    while (path.starts_with('/')) path.remove_prefix(1);
    while (path.ends_with('/')) path.remove_suffix(1);
    if (ctx.uid != 0) return err(EACCES_);
    Handle h{Kind::Root};
    if (!path.empty()) {
        std::string_view name = path.substr(0, path.find('/'));
        std::string_view rest = name.size() < path.size() ? path.substr(name.size() + 1) : std::string_view{};
        if (!name.starts_with("port")) return err(ENOENT_);
        auto num = name.substr(4);
        auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), h.port);
        if (num.empty() || ec != std::errc() || p != num.data() + num.size() || !device_on(h.port)) return err(ENOENT_);
        if (rest.empty()) h.kind = Kind::Port;
        else if (rest == "descriptors") h.kind = Kind::Descriptors;
        else if (rest == "reports") h.kind = Kind::Reports;
        else return err(ENOENT_);
    }
    bool dir = h.kind == Kind::Root || h.kind == Kind::Port;
    if (!dir && (flags & O_DIRECTORY_)) return err(ENOTDIR_);
    uint64_t id = m_next++;
    m_handles[id] = h;
    return OpenResult{id, uint8_t(h.kind == Kind::Descriptors ? NEWFD_POSITIONED : 0)};
}

Result<size_t> UsbScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    const Handle& h = it->second;
    if (h.kind == Kind::Descriptors) {
        std::string text = describe(*device_on(h.port));
        if (offset >= text.size()) return 0;
        size_t n = std::min(buf.size(), size_t(text.size() - offset));
        std::memcpy(buf.data(), text.data() + offset, n);
        return n;
    }
    if (h.kind != Kind::Reports) return err(EISDIR_);
    auto& q = m_reports[h.port];
    if (q.empty()) return m_failed ? err(EIO_) : err(EWOULDBLOCK_);
    size_t n = std::min(buf.size(), q.front().size());
    std::memcpy(buf.data(), q.front().data(), n);
    q.pop_front();
    return n;
}

Result<size_t> UsbScheme::getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    DirentWriter w(buf);
    if (it->second.kind == Kind::Root) {
        const auto& devs = m_hc.devices();
        for (uint64_t i = opaque; i < devs.size(); ++i)
            if (!w.add(i + 1, i + 1, DT_DIR_, "port" + std::to_string(devs[i].port))) break;
    } else if (it->second.kind == Kind::Port) {
        const char* names[] = {"descriptors", "reports"};
        for (uint64_t i = opaque; i < 2; ++i)
            if (!w.add(i + 1, i + 1, DT_REG_, names[i])) break;
    } else {
        return err(ENOTDIR_);
    }
    return w.used();
}

Result<uint32_t> UsbScheme::fevent(uint64_t id, uint32_t flags) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    uint32_t ready = 0;
    if (it->second.kind != Kind::Reports || !m_reports[it->second.port].empty() || m_failed) ready |= EVENT_READ;
    return ready & flags;
}

Result<void> UsbScheme::fstat(uint64_t id, Stat& st) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    const Handle& h = it->second;
    bool dir = h.kind == Kind::Root || h.kind == Kind::Port;
    st.st_mode = dir ? (MODE_DIR | 0755) : h.kind == Kind::Reports ? (MODE_CHR | 0400) : (MODE_FILE | 0444);
    st.st_size = h.kind == Kind::Descriptors ? describe(*device_on(h.port)).size() : 0;
    st.st_nlink = 1;
    st.st_blksize = 4096;
    return {};
}

Result<size_t> UsbScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    const Handle& h = it->second;
    std::string p = "/scheme/" + m_scheme + "/";
    if (h.kind != Kind::Root) p += "port" + std::to_string(h.port);
    if (h.kind == Kind::Descriptors) p += "/descriptors";
    if (h.kind == Kind::Reports) p += "/reports";
    return put_path(buf, p);
}

} // namespace redox::usbd
