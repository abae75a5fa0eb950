#include "daemons/disk/DiskScheme.h"

#include <algorithm>
#include <cstring>

#include "block/gpt.h"

namespace redox::disk {

DiskScheme::DiskScheme(std::string who, std::string scheme_name, std::vector<block::BlockDevice*> disks,
                       std::function<void()> before_request)
    : m_who(std::move(who)), m_scheme(std::move(scheme_name)), m_before(std::move(before_request)) {
    for (size_t i = 0; i < disks.size(); ++i) {
        m_entries.push_back({std::to_string(i), disks[i]});
        // A disk without a (valid) GPT simply has no partition entries.
        auto table = block::read_gpt(*disks[i]);
        if (!table) continue;
        for (const auto& p : table->partitions) {
            m_partitions.push_back(std::make_unique<block::PartitionDevice>(*disks[i], p));
            m_entries.push_back({std::to_string(i) + "p" + std::to_string(p.index), m_partitions.back().get()});
        }
    }
}

std::vector<std::string> DiskScheme::names() const {
    std::vector<std::string> out;
    for (const auto& e : m_entries) out.push_back(e.name);
    return out;
}

Result<DiskScheme::Entry*> DiskScheme::entry(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (it->second == SIZE_MAX) return err(EISDIR_);
    return &m_entries[it->second];
}

Error DiskScheme::fault(const Error& e) {
    if (e.errnum != EIO_) return e;
    if (!m_logged) {
        m_logged = true;
        std::string line = m_who + ": " + e.message() + "\n";
        (void)sys::write_all(2, line);
    }
    return Error(EIO_);
}

Result<OpenResult> DiskScheme::open(std::string_view path, uint64_t flags, uint16_t, const CallerCtx& ctx) {
    while (path.starts_with('/')) path.remove_prefix(1);
    while (path.ends_with('/')) path.remove_suffix(1);
    if (ctx.uid != 0) return err(EACCES_);
    size_t index = SIZE_MAX;
    if (!path.empty()) {
        auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry& e) { return e.name == path; });
        if (it == m_entries.end()) return err((flags & O_CREAT_) ? EACCES_ : ENOENT_);
        index = size_t(it - m_entries.begin());
        if (flags & O_DIRECTORY_) return err(ENOTDIR_);
    }
    uint64_t id = m_next++;
    m_handles[id] = index;
    return OpenResult{id, uint8_t(index == SIZE_MAX ? 0 : NEWFD_POSITIONED)};
}

Result<size_t> DiskScheme::read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    Entry* e = TRY(entry(id));
    const uint64_t size = e->dev->size_bytes(), bs = e->dev->block_size();
    if (offset >= size) return 0;
    size_t len = size_t(std::min<uint64_t>(buf.size(), size - offset));
    if (m_before) m_before();
    auto bytes = std::as_writable_bytes(buf.subspan(0, len));
    if (offset % bs == 0 && len % bs == 0) {
        if (auto r = e->dev->read(offset / bs, bytes); !r) return std::unexpected(fault(r.error()));
        return len;
    }
    // A partial block at either end: read the covering blocks and copy out.
    uint64_t first = offset / bs, last = (offset + len + bs - 1) / bs;
    std::vector<std::byte> tmp((last - first) * bs);
    if (auto r = e->dev->read(first, tmp); !r) return std::unexpected(fault(r.error()));
    std::memcpy(bytes.data(), tmp.data() + (offset - first * bs), len);
    return len;
}

void DiskScheme::read_many(std::span<ReadRequest> reads, const CallerCtx& ctx) {
    // Whole blocks go to their device together, one batch per device; the
    // rest (partial blocks, past the end, bad handles) as read() answers them.
    std::map<block::BlockDevice*, std::vector<std::pair<size_t, block::BlockRead>>> batches;
    for (size_t i = 0; i < reads.size(); ++i) {
        ReadRequest& r = reads[i];
        auto e = entry(r.id);
        if (!e) { r.result = std::unexpected(e.error()); continue; }
        block::BlockDevice* dev = (*e)->dev;
        const uint64_t size = dev->size_bytes(), bs = dev->block_size();
        size_t len = r.offset < size ? size_t(std::min<uint64_t>(r.buf.size(), size - r.offset)) : 0;
        if (len == 0 || r.offset % bs || len % bs) {
            r.result = read(r.id, r.buf, r.offset, r.fd_flags, ctx);
            continue;
        }
        if (m_before) m_before();
        batches[dev].emplace_back(i, block::BlockRead{r.offset / bs, std::as_writable_bytes(r.buf.subspan(0, len)), {}});
    }
    for (auto& [dev, batch] : batches) {
        std::vector<block::BlockRead> list;
        for (auto& [i, br] : batch) list.push_back(br);
        dev->read_many(list);
        for (size_t j = 0; j < batch.size(); ++j) {
            ReadRequest& r = reads[batch[j].first];
            if (list[j].result) r.result = list[j].buf.size();
            else r.result = std::unexpected(fault(list[j].result.error()));
        }
    }
}

Result<size_t> DiskScheme::write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t, const CallerCtx&) {
    Entry* e = TRY(entry(id));
    const uint64_t size = e->dev->size_bytes(), bs = e->dev->block_size();
    if (offset >= size) {
        if (buf.empty()) return 0;
        return err(ENOSPC_);
    }
    size_t len = size_t(std::min<uint64_t>(buf.size(), size - offset));
    if (m_before) m_before();
    auto bytes = std::as_bytes(buf.subspan(0, len));
    if (offset % bs == 0 && len % bs == 0) {
        if (auto r = e->dev->write(offset / bs, bytes); !r) return std::unexpected(fault(r.error()));
        return len;
    }
    uint64_t first = offset / bs, last = (offset + len + bs - 1) / bs;
    std::vector<std::byte> tmp((last - first) * bs);
    if (auto r = e->dev->read(first, tmp); !r) return std::unexpected(fault(r.error()));
    std::memcpy(tmp.data() + (offset - first * bs), bytes.data(), len);
    if (auto r = e->dev->write(first, tmp); !r) return std::unexpected(fault(r.error()));
    return len;
}

Result<size_t> DiskScheme::getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (it->second != SIZE_MAX) return err(ENOTDIR_);
    DirentWriter w(buf);
    for (uint64_t i = opaque; i < m_entries.size(); ++i)
        if (!w.add(i + 1, i + 1, DT_BLK_, m_entries[i].name)) break;
    return w.used();
}

Result<uint64_t> DiskScheme::fsize(uint64_t id) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    if (it->second == SIZE_MAX) return 0;
    return m_entries[it->second].dev->size_bytes();
}

Result<void> DiskScheme::fstat(uint64_t id, Stat& st) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    bool dir = it->second == SIZE_MAX;
    // Redox's disk schemes report their disks as regular files of the disk's size.
    st.st_mode = dir ? (MODE_DIR | 0755) : (MODE_FILE | 0600);
    st.st_size = TRY(fsize(id));
    st.st_nlink = 1;
    st.st_blksize = dir ? 4096 : m_entries[it->second].dev->block_size();
    st.st_blocks = st.st_size / 512;
    return {};
}

Result<void> DiskScheme::fsync(uint64_t id) {
    Entry* e = TRY(entry(id));
    if (m_before) m_before();
    if (auto r = e->dev->flush(); !r) return std::unexpected(fault(r.error()));
    return {};
}

Result<size_t> DiskScheme::fpath(uint64_t id, std::span<uint8_t> buf) {
    auto it = m_handles.find(id);
    if (it == m_handles.end()) return err(EBADF_);
    std::string p = "/scheme/" + m_scheme + "/";
    if (it->second != SIZE_MAX) p += m_entries[it->second].name;
    return put_path(buf, p);
}

} // namespace redox::disk
