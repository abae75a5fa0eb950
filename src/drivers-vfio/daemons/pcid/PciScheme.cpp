#include "daemons/pcid/PciScheme.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "host/channel.h"
#include "schemes/libredox.h"

namespace redox::pcid {

std::string Function::entry_name() const {
    return fmt::format("{:04x}--{:02x}--{:02x}.{}", addr.segment, addr.bus, addr.device, addr.function);
}

std::string PciScheme::channel_text(const Function& f) const { return f.addr.str() + " " + f.spec.text() + "\n"; }

Result<PciScheme::Handle*> PciScheme::handle(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    return &it->second;
}

Result<OpenResult> PciScheme::open(std::string_view path, uint64_t flags, uint16_t, const CallerCtx& ctx) {
    while (path.starts_with('/')) path.remove_prefix(1);
    while (path.ends_with('/')) path.remove_suffix(1);
    if (ctx.uid != 0) return err(EACCES_);
    if (flags & O_CREAT_) return err(EACCES_);
    Handle h{Kind::Root};
    if (!path.empty()) {
        std::string_view name = path.substr(0, path.find('/'));
        std::string_view rest = name.size() < path.size() ? path.substr(name.size() + 1) : std::string_view{};
        auto it = std::find_if(m_functions.begin(), m_functions.end(), [&](const Function& f) { return f.entry_name() == name; });
        if (it == m_functions.end()) return err(ENOENT_);
        h.function = size_t(it - m_functions.begin());
        if (rest.empty()) h.kind = Kind::Dir;
        else if (rest == "config") h.kind = Kind::Config;
        else if (rest == "channel") h.kind = Kind::Channel;
        else return err(ENOENT_);
    }
    bool dir = h.kind == Kind::Root || h.kind == Kind::Dir;
    if (!dir && (flags & O_DIRECTORY_)) return err(ENOTDIR_);
    // An O_STAT probe (stat, ls -l) does not claim the function.
    h.claims = h.kind == Kind::Channel && !(flags & O_STAT_);
    if (h.claims) {
        if (m_functions[h.function].claimed) return err(ENOLCK);
        m_functions[h.function].claimed = true;
    }
    uint64_t id = m_next++;
    m_handles[id] = h;
    return OpenResult{id, uint8_t(dir ? 0 : NEWFD_POSITIONED)};
}

Result<size_t> PciScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    Handle* h = TRY(handle(id));
    std::string text;
    std::span<const uint8_t> data;
    if (h->kind == Kind::Config) {
        data = m_functions[h->function].config;
    } else if (h->kind == Kind::Channel) {
        text = channel_text(m_functions[h->function]);
        data = {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
    } else {
        return err(EISDIR_);
    }
    if (offset >= data.size()) return 0;
    size_t n = std::min(buf.size(), size_t(data.size() - offset));
    std::memcpy(buf.data(), data.data() + offset, n);
    return n;
}

Result<size_t> PciScheme::getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) {
    Handle* h = TRY(handle(id));
    DirentWriter w(buf);
    if (h->kind == Kind::Root) {
        for (uint64_t i = opaque; i < m_functions.size(); ++i)
            if (!w.add(i + 1, i + 1, DT_DIR_, m_functions[i].entry_name())) break;
    } else if (h->kind == Kind::Dir) {
        const char* names[] = {"config", "channel"};
        for (uint64_t i = opaque; i < 2; ++i)
            if (!w.add(i + 1, i + 1, DT_REG_, names[i])) break;
    } else {
        return err(ENOTDIR_);
    }
    return w.used();
}

Result<uint64_t> PciScheme::fsize(uint64_t id) {
    Handle* h = TRY(handle(id));
    if (h->kind == Kind::Config) return m_functions[h->function].config.size();
    if (h->kind == Kind::Channel) return channel_text(m_functions[h->function]).size();
    return 0;
}

Result<void> PciScheme::fstat(uint64_t id, Stat& st) {
    Handle* h = TRY(handle(id));
    bool dir = h->kind == Kind::Root || h->kind == Kind::Dir;
    st.st_mode = dir ? (MODE_DIR | 0755) : (MODE_FILE | 0400);
    st.st_size = TRY(fsize(id));
    st.st_nlink = 1;
    st.st_blksize = 4096;
    return {};
}

Result<size_t> PciScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    Handle* h = TRY(handle(id));
    std::string p = "/scheme/pci/";
    if (h->kind != Kind::Root) p += m_functions[h->function].entry_name();
    if (h->kind == Kind::Config) p += "/config";
    if (h->kind == Kind::Channel) p += "/channel";
    return put_path(buf, p);
}

Result<size_t> PciScheme::call(uint64_t id, std::span<uint8_t> payload, std::span<const uint64_t> meta,
                               const CallerCtx&) {
    using host::ChannelCall;
    Handle* h = TRY(handle(id));
    if (h->kind != Kind::Channel || !h->claims) return err(EBADF_);
    Function& f = m_functions[h->function];
    if (!f.vfio) return err(ENODEV_);  // a model: its driver holds it
    if (meta.size() < 2) return err(EINVAL_);
    uint64_t arg = meta[1];
    auto fits = [&](size_t n) { return payload.size() >= n; };
    switch (ChannelCall(meta[0])) {
    case ChannelCall::ConfigRead: case ChannelCall::ConfigWrite: {
        auto offset = uint16_t(arg & 0xffff);
        unsigned size = unsigned(arg >> 16);
        if ((size != 1 && size != 2 && size != 4) || !fits(4)) return err(EINVAL_);
        if (ChannelCall(meta[0]) == ChannelCall::ConfigRead) {
            auto v = f.vfio->config_read(offset, size);
            if (!v) return err(EIO_);
            std::memcpy(payload.data(), &*v, 4);
            return 4;
        }
        uint32_t value = 0;
        std::memcpy(&value, payload.data(), 4);
        if (!f.vfio->config_write(offset, size, value)) return err(EIO_);
        return 0;
    }
    case ChannelCall::Bar: {
        if (arg >= f.bars.size() || !fits(16)) return err(EINVAL_);
        if (f.bars[arg][1] == 0) return err(ENOENT_);
        std::memcpy(payload.data(), f.bars[arg].data(), 16);
        return 16;
    }
    case ChannelCall::Info: {
        host::ChannelInfo info{};
        for (auto mode : {pci::IrqMode::Intx, pci::IrqMode::Msi, pci::IrqMode::Msix})
            info.irq_counts[size_t(mode)] = f.vfio->irq_count(mode);
        info.flags = f.vfio->noiommu() ? host::kNoIommu : 0;
        if (!fits(sizeof info)) return err(EINVAL_);
        std::memcpy(payload.data(), &info, sizeof info);
        return sizeof info;
    }
    case ChannelCall::EnableIrqs: return route_irqs(f, *h, arg, payload);
    case ChannelCall::UnmaskIntx:
        if (!f.vfio->unmask_intx()) return err(EIO_);
        return 0;
    }
    return err(EINVAL_);
}

// Binds the function's VFIO eventfds to the vectors the driver sent, through
// those very handles: the driver's acknowledge then unmasks what pcid bound.
Result<size_t> PciScheme::route_irqs(Function& f, Handle& h, uint64_t arg, std::span<uint8_t> payload) {
    auto mode = pci::IrqMode(arg & 0xff);
    unsigned count = unsigned(arg >> 8);
    std::vector<int> vectors = std::exchange(h.vectors, {});
    auto close_all = [&] { for (int v : vectors) (void)sys::close(v); };
    if (arg & 0xfc || count == 0 || count != vectors.size() || payload.size() < 4) { close_all(); return err(EINVAL_); }
    f.irqs.clear();
    auto events = f.vfio->enable_irqs(mode, count);
    if (!events) {
        log_line(f, events.error().message());
        close_all();
        return err(EIO_);
    }
    uint32_t flags = 0;
    for (size_t i = 0; i < count; ++i) {
        const uint64_t bind_trigger[2] = {1, uint64_t((*events)[i].fd())};
        if (auto r = sys::call(vectors[i], nullptr, 0, 0, bind_trigger); !r) {
            log_line(f, "binding an interrupt: " + r.error().message());
            close_all();
            f.vfio->disable_irqs();
            return err(r.error().errnum);
        }
    }
    if (mode == pci::IrqMode::Intx) {
        if (auto unmask = f.vfio->intx_unmask_eventfd()) {
            const uint64_t bind_unmask[2] = {2, uint64_t(unmask->get())};
            if (sys::call(vectors[0], nullptr, 0, 0, bind_unmask)) flags |= host::kIntxUnmaskBound;
        }
    }
    // The kernel-sim holds the eventfds now; the handles stay the driver's.
    close_all();
    f.irqs = std::move(*events);
    std::memcpy(payload.data(), &flags, 4);
    return 4;
}

Result<size_t> PciScheme::on_sendfd(uint64_t id, int fd, const CallerCtx&) {
    auto h = handle(id);
    if (!h || (*h)->kind != Kind::Channel || !(*h)->claims || !m_functions[(*h)->function].vfio ||
        (*h)->vectors.size() >= 2048) {
        (void)sys::close(fd);
        return err(h ? EINVAL_ : EBADF_);
    }
    (*h)->vectors.push_back(fd);
    return 0;
}

void PciScheme::release(Function& f) {
    f.claimed = false;
    if (!f.vfio) return;
    // Whatever the driver left running stops reaching memory and raising
    // interrupts: its DMA ranges are gone with it.
    f.vfio->disable_irqs();
    f.irqs.clear();
    if (auto cmd = f.vfio->config_read(pci::cfg::Command, 2))
        (void)f.vfio->config_write(pci::cfg::Command, 2, *cmd & ~uint32_t(pci::cfg::CmdBusMaster));
}

void PciScheme::log_line(const Function& f, const std::string& what) {
    std::string line = fmt::format("pcid: {}: {}\n", f.addr.str(), what);
    (void)sys::write_all(2, line);
}

void PciScheme::on_close(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return;
    for (int v : it->second.vectors) (void)sys::close(v);
    if (it->second.claims) release(m_functions[it->second.function]);
    m_handles.erase(it);
}

} // namespace redox::pcid
