// The block interface the disk drivers (nvmed, ahcid) expose and disk.* / RedoxFS
// consume: whole blocks addressed by LBA, synchronous, errors as values (EIO for
// device faults, EINVAL for misuse, ENOSPC/EINVAL for ranges past the end).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "schemes/error.h"

namespace redox::block {

// One of several reads that may run at once.
struct BlockRead {
    uint64_t lba = 0;
    std::span<std::byte> buf;
    Result<void> result;
};

class BlockDevice {
public:
    virtual ~BlockDevice() = default;
    virtual uint32_t block_size() const = 0;
    virtual uint64_t block_count() const = 0;
    // buf.size() must be a multiple of block_size().
    virtual Result<void> read(uint64_t lba, std::span<std::byte> buf) = 0;
    virtual Result<void> write(uint64_t lba, std::span<const std::byte> buf) = 0;
    virtual Result<void> flush() = 0;
    // Reads that arrived together and may run at once (a device with a deep
    // queue overlaps them); each gets its own result. The default reads them
    // one after another.
    virtual void read_many(std::span<BlockRead> reads);

    uint64_t size_bytes() const { return block_count() * block_size(); }

protected:
    // Shared argument check: a whole number of blocks inside the device.
    Result<void> check_range(uint64_t lba, size_t bytes, const char* what) const;
};

} // namespace redox::block
