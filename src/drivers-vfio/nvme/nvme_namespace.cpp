#include <algorithm>
#include <vector>

#include "nvme/nvme.h"

namespace redox::nvme {

// Large requests are split at the controller's transfer limit; each piece is one
// synchronous command, so a failure reports which part of the range was not done.
Result<void> NvmeNamespace::read(uint64_t lba, std::span<std::byte> buf) {
    TRY(check_range(lba, buf.size(), "nvme read"));
    size_t chunk = m_ctrl.controller().max_transfer / m_ns.block_size * m_ns.block_size;
    for (size_t off = 0; off < buf.size(); off += chunk) {
        size_t n = std::min(chunk, buf.size() - off);
        TRY(m_ctrl.read(m_ns.nsid, lba + off / m_ns.block_size, buf.subspan(off, n)));
    }
    return {};
}

void NvmeNamespace::read_many(std::span<block::BlockRead> reads) {
    std::vector<block::BlockRead> inside;
    std::vector<size_t> which;
    for (size_t i = 0; i < reads.size(); ++i) {
        if (auto ok = check_range(reads[i].lba, reads[i].buf.size(), "nvme read"); !ok) {
            reads[i].result = std::unexpected(ok.error());
            continue;
        }
        if (reads[i].buf.size() > Nvme::kDeepChunk) {  // split at the transfer limit, alone
            reads[i].result = read(reads[i].lba, reads[i].buf);
            continue;
        }
        inside.push_back(reads[i]);
        which.push_back(i);
    }
    m_ctrl.read_many(m_ns.nsid, inside);
    for (size_t j = 0; j < inside.size(); ++j) reads[which[j]].result = std::move(inside[j].result);
}

Result<void> NvmeNamespace::write(uint64_t lba, std::span<const std::byte> buf) {
    TRY(check_range(lba, buf.size(), "nvme write"));
    size_t chunk = m_ctrl.controller().max_transfer / m_ns.block_size * m_ns.block_size;
    for (size_t off = 0; off < buf.size(); off += chunk) {
        size_t n = std::min(chunk, buf.size() - off);
        TRY(m_ctrl.write(m_ns.nsid, lba + off / m_ns.block_size, buf.subspan(off, n)));
    }
    return {};
}

} // namespace redox::nvme
