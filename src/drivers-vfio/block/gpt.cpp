#include "block/gpt.h"

#include <vector>

#include <cstring>

#include <fmt/format.h>

#include "block/crc32.h"

namespace redox::block {

namespace {
constexpr size_t MaxEntryBytes = 1 << 20;

std::string utf16_to_utf8(const uint16_t* s, size_t n) {
    std::string out;
    for (size_t i = 0; i < n && s[i]; ++i) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            ++i;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

// Reads and checks one header and its entry array; the error says what is wrong.
Result<PartitionTable> read_at(BlockDevice& disk, uint64_t lba) {
    const uint32_t bs = disk.block_size();
    std::vector<std::byte> block(bs);
    TRY(disk.read(lba, block));
    GptHeader h;
    std::memcpy(&h, block.data(), sizeof h);
    if (std::memcmp(h.signature, "EFI PART", 8) != 0)
        return err(ENOENT, fmt::format("no GPT signature at LBA {}", lba));
    if (h.header_size < sizeof(GptHeader) || h.header_size > bs)
        return err(EINVAL, fmt::format("GPT header at LBA {}: size {} invalid", lba, +h.header_size));
    uint32_t want = h.header_crc32;
    std::memset(block.data() + offsetof(GptHeader, header_crc32), 0, 4);
    if (crc32(std::span(block.data(), h.header_size)) != want)
        return err(EINVAL, fmt::format("GPT header at LBA {}: CRC mismatch", lba));
    if (h.my_lba != lba)
        return err(EINVAL, fmt::format("GPT header at LBA {} says it is at LBA {}", lba, +h.my_lba));
    if (h.entry_size < sizeof(GptEntry) || h.entry_size % 8 || uint64_t{h.num_entries} * h.entry_size > MaxEntryBytes)
        return err(EINVAL, fmt::format("GPT header at LBA {}: {} entries of {} bytes", lba, +h.num_entries, +h.entry_size));
    if (h.first_usable_lba > h.last_usable_lba || h.last_usable_lba >= disk.block_count())
        return err(EINVAL, fmt::format("GPT header at LBA {}: usable area past the end of the disk", lba));

    size_t bytes = size_t{h.num_entries} * h.entry_size;
    size_t blocks = (bytes + bs - 1) / bs;
    if (h.entries_lba >= disk.block_count() || blocks > disk.block_count() - h.entries_lba)
        return err(EINVAL, fmt::format("GPT header at LBA {}: entry array past the end of the disk", lba));
    std::vector<std::byte> entries(blocks * bs);
    TRY(disk.read(h.entries_lba, entries));
    if (crc32(std::span(entries.data(), bytes)) != h.entries_crc32)
        return err(EINVAL, fmt::format("GPT entry array at LBA {}: CRC mismatch", +h.entries_lba));

    PartitionTable table;
    table.disk_guid = h.disk_guid;
    for (uint32_t i = 0; i < h.num_entries; ++i) {
        GptEntry e;
        std::memcpy(&e, entries.data() + size_t{i} * h.entry_size, sizeof e);
        if (e.type_guid == Guid{})
            continue;
        if (e.first_lba > e.last_lba || e.first_lba < h.first_usable_lba || e.last_lba > h.last_usable_lba)
            return err(EINVAL, fmt::format("GPT partition {}: LBAs {}..{} outside the usable area {}..{}", i + 1,
                                           e.first_lba, e.last_lba, +h.first_usable_lba, +h.last_usable_lba));
        table.partitions.push_back(Partition{i, e.type_guid, e.unique_guid, e.first_lba, e.last_lba, e.attributes,
                                             utf16_to_utf8(e.name, 36)});
    }
    return table;
}
} // namespace

std::string guid_string(const Guid& g) {
    return fmt::format("{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-"
                       "{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
                       g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13],
                       g[14], g[15]);
}

Result<PartitionTable> read_gpt(BlockDevice& disk) {
    if (disk.block_count() < 3)
        return err(EINVAL, "disk too small for a GPT");
    auto primary = read_at(disk, 1);
    if (primary)
        return primary;
    auto backup = read_at(disk, disk.block_count() - 1);
    if (backup) {
        backup->used_backup = true;
        return backup;
    }
    // Report the primary's problem: it is what a partitioning tool would fix first.
    return std::unexpected(Error(primary.error().errnum, "gpt: " + primary.error().context));
}

Result<void> PartitionDevice::read(uint64_t lba, std::span<std::byte> buf) {
    TRY(check_range(lba, buf.size(), "partition read"));
    return m_disk.read(m_first + lba, buf);
}

// The disk's queue overlaps them; the range checks are the partition's.
void PartitionDevice::read_many(std::span<BlockRead> reads) {
    std::vector<BlockRead> inside;
    std::vector<size_t> which;
    for (size_t i = 0; i < reads.size(); ++i) {
        if (auto ok = check_range(reads[i].lba, reads[i].buf.size(), "partition read"); !ok) {
            reads[i].result = std::unexpected(ok.error());
            continue;
        }
        inside.push_back(BlockRead{m_first + reads[i].lba, reads[i].buf, {}});
        which.push_back(i);
    }
    m_disk.read_many(inside);
    for (size_t j = 0; j < inside.size(); ++j) reads[which[j]].result = std::move(inside[j].result);
}

Result<void> PartitionDevice::write(uint64_t lba, std::span<const std::byte> buf) {
    TRY(check_range(lba, buf.size(), "partition write"));
    return m_disk.write(m_first + lba, buf);
}

} // namespace redox::block
