// GPT parsing: a disk image laid out as a partitioning tool would, read through the
// NVMe driver, then the partitions used as block devices of their own.
#include <catch2/catch.hpp>

#include <cstring>

#include "block/crc32.h"
#include "block/gpt.h"
#include "model/nvme_model.h"
#include "nvme/nvme.h"
#include "test_support.h"

using namespace redox;

namespace {
constexpr uint32_t Bs = 512;

// EFI System Partition and Linux filesystem type GUIDs, in on-disk byte order.
const block::Guid EspType = {0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11,
                             0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B};
const block::Guid LinuxType = {0xAF, 0x3D, 0xC6, 0x0F, 0x83, 0x84, 0x72, 0x47,
                               0x8E, 0x79, 0x3D, 0x69, 0xD8, 0x47, 0x7D, 0xE4};

void put(std::vector<std::byte>& img, size_t off, const void* p, size_t n) { std::memcpy(img.data() + off, p, n); }

// Writes protective MBR, primary and backup GPT with two partitions.
std::vector<std::byte> gpt_image(uint64_t blocks) {
    std::vector<std::byte> img(blocks * Bs);
    img[510] = std::byte{0x55};
    img[511] = std::byte{0xAA};
    std::vector<std::byte> entries(128 * 128);
    block::GptEntry e{};
    e.type_guid = EspType;
    e.unique_guid[0] = 1;
    e.first_lba = 2048;
    e.last_lba = 4095;
    const char16_t name1[] = u"EFI system";
    std::memcpy(e.name, name1, sizeof name1);
    std::memcpy(entries.data(), &e, sizeof e);
    e = {};
    e.type_guid = LinuxType;
    e.unique_guid[0] = 2;
    e.first_lba = 4096;
    e.last_lba = blocks - 34;
    const char16_t name2[] = u"redoxfs \u00e9t\u00e9";
    std::memcpy(e.name, name2, sizeof name2);
    std::memcpy(entries.data() + 128 * 2, &e, sizeof e); // slot 2: slot 1 left empty
    uint32_t ecrc = block::crc32(entries);

    auto header = [&](uint64_t my, uint64_t alt, uint64_t entries_lba) {
        block::GptHeader h{};
        std::memcpy(h.signature, "EFI PART", 8);
        h.revision = 0x00010000;
        h.header_size = 92;
        h.my_lba = my;
        h.alternate_lba = alt;
        h.first_usable_lba = 34;
        h.last_usable_lba = blocks - 34;
        h.disk_guid[15] = 0x42;
        h.entries_lba = entries_lba;
        h.num_entries = 128;
        h.entry_size = 128;
        h.entries_crc32 = ecrc;
        h.header_crc32 = block::crc32(std::as_bytes(std::span(&h, 1)));
        return h;
    };
    auto primary = header(1, blocks - 1, 2);
    auto backup = header(blocks - 1, 1, blocks - 33);
    put(img, Bs, &primary, sizeof primary);
    put(img, 2 * Bs, entries.data(), entries.size());
    put(img, (blocks - 33) * Bs, entries.data(), entries.size());
    put(img, (blocks - 1) * Bs, &backup, sizeof backup);
    return img;
}

struct NvmeDisk {
    test::TempDir dir;
    std::string image;
    std::unique_ptr<pci::NvmeModel> model;
    std::unique_ptr<nvme::Nvme> ctrl;
    std::unique_ptr<nvme::NvmeNamespace> disk;

    explicit NvmeDisk(const std::vector<std::byte>& content) {
        image = test::make_image(dir, "gpt.img", content.size());
        int fd = ::open(image.c_str(), O_WRONLY);
        REQUIRE(::pwrite(fd, content.data(), content.size(), 0) == static_cast<ssize_t>(content.size()));
        ::close(fd);
        model = std::move(*pci::NvmeModel::create(image));
        ctrl = std::move(*nvme::Nvme::create(*model));
        disk = std::make_unique<nvme::NvmeNamespace>(*ctrl, ctrl->namespaces()[0]);
    }
};
} // namespace

TEST_CASE("crc32 matches the standard check value") {
    const char* s = "123456789";
    CHECK(block::crc32(std::as_bytes(std::span(s, 9))) == 0xCBF43926u);
}

TEST_CASE("gpt on an NVMe disk lists its partitions and they work as disks") {
    const uint64_t blocks = 16384;
    NvmeDisk d(gpt_image(blocks));
    auto table = block::read_gpt(*d.disk);
    REQUIRE(table.has_value());
    CHECK_FALSE(table->used_backup);
    REQUIRE(table->partitions.size() == 2);
    auto& esp = table->partitions[0];
    CHECK(esp.index == 0);
    CHECK(block::guid_string(esp.type) == "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
    CHECK(esp.name == "EFI system");
    CHECK(esp.first_lba == 2048);
    CHECK(esp.blocks() == 2048);
    auto& root = table->partitions[1];
    CHECK(root.index == 2);
    CHECK(block::guid_string(root.type) == "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
    CHECK(root.name == "redoxfs \xC3\xA9t\xC3\xA9");

    block::PartitionDevice part(*d.disk, root);
    CHECK(part.block_count() == blocks - 34 - 4096 + 1);
    auto data = test::random_bytes(8192, 3);
    REQUIRE(part.write(0, data).has_value());
    CHECK(test::file_bytes(d.image, 4096 * Bs, data.size()) == data);
    // A partition cannot reach past its end into the backup GPT.
    std::vector<std::byte> two(1024);
    CHECK_FALSE(part.write(part.block_count() - 1, two).has_value());
}

TEST_CASE("gpt falls back to the backup header when the primary is damaged") {
    const uint64_t blocks = 8192;
    auto img = gpt_image(blocks);
    img[Bs + 20] ^= std::byte{0xFF}; // break the primary header CRC
    NvmeDisk d(img);
    auto table = block::read_gpt(*d.disk);
    REQUIRE(table.has_value());
    CHECK(table->used_backup);
    CHECK(table->partitions.size() == 2);
}

TEST_CASE("gpt rejects damaged or missing tables with a reason") {
    const uint64_t blocks = 8192;
    SECTION("both headers damaged") {
        auto img = gpt_image(blocks);
        img[Bs + 20] ^= std::byte{0xFF};
        img[(blocks - 1) * Bs + 20] ^= std::byte{0xFF};
        NvmeDisk d(img);
        auto t = block::read_gpt(*d.disk);
        REQUIRE_FALSE(t.has_value());
        CHECK_THAT(t.error().context, Catch::Contains("CRC mismatch"));
    }
    SECTION("entry array damaged") {
        auto img = gpt_image(blocks);
        img[2 * Bs + 40] ^= std::byte{1};
        img[(blocks - 33) * Bs + 40] ^= std::byte{1};
        NvmeDisk d(img);
        auto t = block::read_gpt(*d.disk);
        REQUIRE_FALSE(t.has_value());
        CHECK_THAT(t.error().context, Catch::Contains("entry array"));
    }
    SECTION("blank disk") {
        NvmeDisk d(std::vector<std::byte>(blocks * Bs));
        auto t = block::read_gpt(*d.disk);
        REQUIRE_FALSE(t.has_value());
        CHECK(t.error().errnum == ENOENT);
    }
}
