#include "block/block_device.h"

#include <fmt/format.h>

namespace redox::block {

Result<void> BlockDevice::check_range(uint64_t lba, size_t bytes, const char* what) const {
    if (bytes % block_size() != 0)
        return err(EINVAL, fmt::format("{}: {} bytes is not a multiple of the {}-byte block", what, bytes, block_size()));
    uint64_t blocks = bytes / block_size();
    if (lba > block_count() || blocks > block_count() - lba)
        return err(EINVAL, fmt::format("{}: blocks {}..{} past the end ({} blocks)", what, lba, lba + blocks,
                                       block_count()));
    return {};
}

void BlockDevice::read_many(std::span<BlockRead> reads) {
    for (auto& r : reads) r.result = read(r.lba, r.buf);
}

} // namespace redox::block
