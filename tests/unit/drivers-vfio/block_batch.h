// The disk drivers' batch tests (NVMe and AHCI read_many): 4 KiB reads
// scattered over the first MiB of a disk, their check against the bytes
// written, and a removed device failing a batch.
#pragma once

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <vector>

#include "block/block_device.h"

namespace test {

// Read i of n at block (i * 37 % 256) * 8 (512-byte blocks), into bufs[i].
inline uint64_t scattered_block(size_t i) { return (i * 37 % 256) * 8; }

inline void add_scattered_reads(std::vector<std::vector<std::byte>>& bufs, std::vector<redox::block::BlockRead>& reads,
                                size_t n) {
    for (size_t i = 0; i < n; ++i) {
        bufs[i].resize(4096);
        reads.push_back(redox::block::BlockRead{scattered_block(i), bufs[i], {}});
    }
}

// The first n reads succeeded with the bytes written at their blocks.
inline void check_scattered_reads(const std::vector<redox::block::BlockRead>& reads,
                                  const std::vector<std::vector<std::byte>>& bufs, const std::vector<std::byte>& data,
                                  size_t n) {
    for (size_t i = 0; i < n; ++i) {
        REQUIRE(reads[i].result.has_value());
        CHECK(std::memcmp(bufs[i].data(), data.data() + scattered_block(i) * 512, 4096) == 0);
    }
}

// A removed device fails a whole batch with EIO, and nothing hangs.
inline void check_removed_batch_fails(redox::block::BlockDevice& disk, std::vector<std::vector<std::byte>>& bufs) {
    std::vector<redox::block::BlockRead> more{{0, bufs[0], {}}, {8, bufs[1], {}}};
    disk.read_many(more);
    for (auto& r : more) {
        REQUIRE(!r.result.has_value());
        CHECK(r.result.error().errnum == EIO);
    }
}

} // namespace test
