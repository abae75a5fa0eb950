// GUID Partition Table parsing (UEFI 2.x §5.3) over any BlockDevice, and a
// partition as a BlockDevice of its own (disk.<name>/<n> handles).
// The primary header at LBA 1 is used when its CRCs hold; otherwise the backup
// header at the last LBA. Both broken is an error, never a guess.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "block/block_device.h"

namespace redox::block {

using Guid = std::array<uint8_t, 16>;

// "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" (the mixed-endian text form).
std::string guid_string(const Guid& g);

struct [[gnu::packed]] GptHeader {
    char signature[8];
    uint32_t revision;
    uint32_t header_size;
    uint32_t header_crc32;
    uint32_t reserved;
    uint64_t my_lba;
    uint64_t alternate_lba;
    uint64_t first_usable_lba;
    uint64_t last_usable_lba;
    Guid disk_guid;
    uint64_t entries_lba;
    uint32_t num_entries;
    uint32_t entry_size;
    uint32_t entries_crc32;
};
static_assert(sizeof(GptHeader) == 92);
static_assert(offsetof(GptHeader, entries_lba) == 72);

struct GptEntry {
    Guid type_guid;
    Guid unique_guid;
    uint64_t first_lba;
    uint64_t last_lba;
    uint64_t attributes;
    uint16_t name[36];
};
static_assert(sizeof(GptEntry) == 128);

struct Partition {
    uint32_t index = 0;   // slot in the entry array, from 0
    Guid type{}, unique{};
    uint64_t first_lba = 0, last_lba = 0;  // inclusive
    uint64_t attributes = 0;
    std::string name;     // UTF-8
    uint64_t blocks() const { return last_lba - first_lba + 1; }
};

struct PartitionTable {
    Guid disk_guid{};
    bool used_backup = false;
    std::vector<Partition> partitions;
};

Result<PartitionTable> read_gpt(BlockDevice& disk);

class PartitionDevice final : public BlockDevice {
public:
    PartitionDevice(BlockDevice& disk, const Partition& p) : m_disk(disk), m_first(p.first_lba), m_count(p.blocks()) {}
    uint32_t block_size() const override { return m_disk.block_size(); }
    uint64_t block_count() const override { return m_count; }
    Result<void> read(uint64_t lba, std::span<std::byte> buf) override;
    Result<void> write(uint64_t lba, std::span<const std::byte> buf) override;
    Result<void> flush() override { return m_disk.flush(); }
    void read_many(std::span<BlockRead> reads) override;

private:
    BlockDevice& m_disk;
    uint64_t m_first, m_count;
};

} // namespace redox::block
