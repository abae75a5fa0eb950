#include "daemons/pcid/PciScheme.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

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

void PciScheme::on_close(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return;
    if (it->second.claims) m_functions[it->second.function].claimed = false;
    m_handles.erase(it);
}

} // namespace redox::pcid
