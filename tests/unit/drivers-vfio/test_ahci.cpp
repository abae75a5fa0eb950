// ahcid's core against the AHCI model: detection, IDENTIFY, data written through the
// command list lands in the image and reads back, and faults end as EIO.
#include <catch2/catch.hpp>

#include "ahci/ahci.h"
#include "ahci/ahci_regs.h"
#include "model/ahci_model.h"
#include "block_batch.h"
#include "test_support.h"

using namespace redox;

namespace {
constexpr size_t DiskBytes = 4 << 20;
struct Rig {
    test::TempDir dir;
    std::string image = test::make_image(dir, "sata.img", DiskBytes);
    std::unique_ptr<pci::AhciModel> model = std::move(*pci::AhciModel::create(image));
};
} // namespace

TEST_CASE("ahci resets the HBA, finds the one disk and identifies it") {
    Rig rig;
    auto hba = ahci::Ahci::create(*rig.model);
    REQUIRE(hba.has_value());
    CHECK((*hba)->ports_implemented() == 0x3);
    REQUIRE((*hba)->disks().size() == 1); // port 1 has no device
    auto& disk = *(*hba)->disks()[0];
    CHECK(disk.port() == 0);
    CHECK(disk.identity().model == "redox-sim SATA model");
    CHECK(disk.identity().serial == "REDOXSIM-AHCI-01");
    CHECK(disk.identity().lba48);
    CHECK(disk.block_count() == DiskBytes / 512);
}

TEST_CASE("ahci write then read back through READ/WRITE DMA EXT") {
    Rig rig;
    auto hba = std::move(*ahci::Ahci::create(*rig.model));
    auto& disk = *hba->disks()[0];
    auto data = test::random_bytes(300 * 1024 + 512, 11); // three commands, multi-PRD
    REQUIRE(disk.write(100, data).has_value());
    REQUIRE(disk.flush().has_value());
    std::vector<std::byte> back(data.size());
    REQUIRE(disk.read(100, back).has_value());
    CHECK(back == data);
    CHECK(test::file_bytes(rig.image, 100 * 512, data.size()) == data);
    CHECK(test::file_bytes(rig.image, 99 * 512, 512) == std::vector<std::byte>(512));
    // The last sector is reachable, one past it is not.
    std::vector<std::byte> last(512, std::byte{0x5A});
    REQUIRE(disk.write(disk.block_count() - 1, last).has_value());
    CHECK_FALSE(disk.write(disk.block_count(), last).has_value());
}

TEST_CASE("ahci reports a bad DMA address and an unknown sector as EIO and keeps working") {
    Rig rig;
    auto hba = std::move(*ahci::Ahci::create(*rig.model));
    auto& disk = *hba->disks()[0];
    auto r = disk.issue(ahci::ata::ReadDmaExt, 0, 8, 0x7fff0000, 4096, false);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().errnum == EIO);
    CHECK_THAT(r.error().context, Catch::Contains("command aborted"));
    CHECK(rig.model->dma_faults() > 0);

    auto dma = std::move(*rig.model->alloc_dma(4096));
    auto past = disk.issue(ahci::ata::ReadDmaExt, disk.block_count(), 1, dma.bus_addr(), 512, false);
    REQUIRE_FALSE(past.has_value());
    CHECK_THAT(past.error().context, Catch::Contains("sector not found"));

    // Zero-copy path works, and the port is still healthy.
    REQUIRE(disk.issue(ahci::ata::ReadDmaExt, 0, 8, dma.bus_addr(), 4096, false).has_value());
    std::vector<std::byte> b(512);
    CHECK(disk.read(0, b).has_value());
}

TEST_CASE("ahci turns a hung port into EIO after the timeout") {
    Rig rig;
    auto hba = std::move(*ahci::Ahci::create(*rig.model, {.timeout_ms = 100}));
    auto& disk = *hba->disks()[0];
    rig.model->set_stalled(true);
    std::vector<std::byte> b(512);
    auto r = disk.read(0, b);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().errnum == EIO);
    CHECK_THAT(r.error().context, Catch::Contains("timed out"));
    rig.model->set_stalled(false);
    CHECK_FALSE(disk.read(0, b).has_value()); // port stays failed
}

TEST_CASE("ahci reports a removed device as EIO") {
    Rig rig;
    auto hba = std::move(*ahci::Ahci::create(*rig.model, {.timeout_ms = 100}));
    auto& disk = *hba->disks()[0];
    rig.model->set_removed(true);
    std::vector<std::byte> b(512);
    auto r = disk.write(0, b);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().errnum == EIO);
    CHECK_THAT(r.error().context, Catch::Contains("removed"));
    CHECK_FALSE(ahci::Ahci::create(*rig.model).has_value());
}

TEST_CASE("ahci read_many issues a wave of up to 32 commands with one PxCI write") {
    Rig rig;
    test::CountingDevice dev(*rig.model, ahci::port_reg(0, ahci::reg::Ci));  // port 0 PxCI
    auto hba = std::move(*ahci::Ahci::create(dev));
    auto& disk = *hba->disks()[0];
    auto data = test::random_bytes(1 << 20, 5);
    REQUIRE(disk.write(0, data).has_value());
    // 40 reads of 4 KiB, one of 64 KiB (a slot's whole slice, four PRDs), one
    // past the end and one too big for a slot (alone, through run()).
    std::vector<std::vector<std::byte>> bufs(43);
    std::vector<block::BlockRead> reads;
    test::add_scattered_reads(bufs, reads, 40);
    bufs[40].resize(64 * 1024);
    reads.push_back(block::BlockRead{1000, bufs[40], {}});
    bufs[41].resize(4096);
    reads.push_back(block::BlockRead{disk.block_count() - 4, bufs[41], {}});
    bufs[42].resize(128 * 1024);
    reads.push_back(block::BlockRead{64, bufs[42], {}});
    size_t before = dev.writes;
    disk.read_many(reads);
    CHECK(dev.writes - before == 3);  // 41 fitting reads in waves of 32 and 9, the big one alone
    test::check_scattered_reads(reads, bufs, data, 40);
    REQUIRE(reads[40].result.has_value());
    CHECK(std::memcmp(bufs[40].data(), data.data() + 1000 * 512, 64 * 1024) == 0);
    CHECK(!reads[41].result.has_value());
    REQUIRE(reads[42].result.has_value());
    CHECK(std::memcmp(bufs[42].data(), data.data() + 64 * 512, 128 * 1024) == 0);
    rig.model->set_removed(true);
    test::check_removed_batch_fails(disk, bufs);
}
