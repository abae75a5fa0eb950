// nvmed's core against the NVMe model: identify, write-then-read-back (checked in the
// backing file too), deep asynchronous queues, and the faults a daemon must survive.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <map>

#include "model/nvme_model.h"
#include "nvme/nvme.h"
#include "block_batch.h"
#include "test_support.h"

using namespace redox;

namespace {
constexpr size_t DiskBytes = 8 << 20;

struct Rig {
    test::TempDir dir;
    std::string image = test::make_image(dir, "nvme.img", DiskBytes);
    std::unique_ptr<pci::NvmeModel> model = std::move(*pci::NvmeModel::create(image));
};
} // namespace

TEST_CASE("nvme identifies the controller and its namespace") {
    Rig rig;
    auto ctrl = nvme::Nvme::create(*rig.model);
    REQUIRE(ctrl.has_value());
    CHECK((*ctrl)->controller().serial == "REDOXSIM0001");
    CHECK((*ctrl)->controller().model == "redox-sim NVMe model");
    CHECK((*ctrl)->controller().max_transfer == 128 * 1024);
    CHECK((*ctrl)->irq_mode() == pci::IrqMode::Msix);
    REQUIRE((*ctrl)->namespaces().size() == 1);
    auto ns = (*ctrl)->namespaces()[0];
    CHECK(ns.nsid == 1);
    CHECK(ns.block_size == 512);
    CHECK(ns.blocks == DiskBytes / 512);
}

TEST_CASE("nvme write then read back, across PRP lists, lands in the image") {
    Rig rig;
    auto ctrl = std::move(*nvme::Nvme::create(*rig.model));
    nvme::NvmeNamespace disk(*ctrl, ctrl->namespaces()[0]);
    // 300 KiB: three commands, two of them needing a PRP list.
    auto data = test::random_bytes(300 * 1024, 1);
    REQUIRE(disk.write(2048, data).has_value());
    REQUIRE(disk.flush().has_value());
    std::vector<std::byte> back(data.size());
    REQUIRE(disk.read(2048, back).has_value());
    CHECK(back == data);
    CHECK(test::file_bytes(rig.image, 2048 * 512, data.size()) == data);
    // Neighbours untouched.
    CHECK(test::file_bytes(rig.image, 2047 * 512, 512) == std::vector<std::byte>(512));
}

TEST_CASE("nvme keeps 32 reads in flight and completes each with its own data") {
    Rig rig;
    {
        nvme::Nvme::Options o;
        auto ctrl = std::move(*nvme::Nvme::create(*rig.model, o));
        nvme::NvmeNamespace disk(*ctrl, ctrl->namespaces()[0]);
        for (uint64_t i = 0; i < 64; ++i) {
            std::vector<std::byte> block(4096, static_cast<std::byte>(i));
            REQUIRE(disk.write(i * 8, block).has_value());
        }
    }
    auto ctrl = std::move(*nvme::Nvme::create(*rig.model));
    auto bufs = std::move(*rig.model->alloc_dma(32 * 4096));
    std::map<uint64_t, bool> done;
    for (uint64_t t = 0; t < 32; ++t)
        REQUIRE(ctrl->submit_io(nvme::io::Read, 1, (63 - t) * 8, 8, bufs.bus_addr(t * 4096), t).has_value());
    CHECK(ctrl->in_flight() == 32);
    ctrl->kick();
    while (done.size() < 32) {
        size_t n = ctrl->poll_io([&](uint64_t tag, Result<void> r) {
            CHECK(r.has_value());
            done[tag] = true;
        });
        if (n == 0)
            REQUIRE(*ctrl->wait_io(1000));
    }
    for (uint64_t t = 0; t < 32; ++t)
        CHECK(bufs.data()[t * 4096 + 100] == static_cast<std::byte>(63 - t));
    CHECK(ctrl->in_flight() == 0);
}

TEST_CASE("nvme reports a bad DMA address as EIO and keeps working") {
    Rig rig;
    auto ctrl = std::move(*nvme::Nvme::create(*rig.model));
    REQUIRE(ctrl->submit_io(nvme::io::Read, 1, 0, 8, 0x7fff0000, 1).has_value());
    ctrl->kick();
    std::optional<Result<void>> got;
    ctrl->poll_io([&](uint64_t, Result<void> r) { got = r; });
    REQUIRE(got.has_value());
    REQUIRE_FALSE(got->has_value());
    CHECK(got->error().errnum == EIO);
    CHECK_THAT(got->error().context, Catch::Contains("data transfer error"));
    CHECK(rig.model->dma_faults() > 0);

    nvme::NvmeNamespace disk(*ctrl, ctrl->namespaces()[0]);
    std::vector<std::byte> b(512);
    CHECK(disk.read(0, b).has_value());
}

TEST_CASE("nvme refuses ranges past the end") {
    Rig rig;
    auto ctrl = std::move(*nvme::Nvme::create(*rig.model));
    nvme::NvmeNamespace disk(*ctrl, ctrl->namespaces()[0]);
    std::vector<std::byte> b(1024);
    auto r = disk.read(disk.block_count() - 1, b);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().errnum == EINVAL);
    std::vector<std::byte> odd(100);
    CHECK_FALSE(disk.write(0, odd).has_value());
    // Past the end at the controller: it answers LBA Out of Range, we say EIO.
    auto dma = std::move(*rig.model->alloc_dma(4096));
    REQUIRE(ctrl->submit_io(nvme::io::Read, 1, disk.block_count(), 1, dma.bus_addr(), 5).has_value());
    ctrl->kick();
    std::optional<Result<void>> got;
    ctrl->poll_io([&](uint64_t, Result<void> res) { got = res; });
    REQUIRE(got.has_value());
    CHECK_THAT(got->error().context, Catch::Contains("LBA out of range"));
}

TEST_CASE("nvme turns a hung controller into EIO after the timeout") {
    Rig rig;
    auto ctrl = std::move(*nvme::Nvme::create(*rig.model, {.timeout_ms = 100}));
    nvme::NvmeNamespace disk(*ctrl, ctrl->namespaces()[0]);
    rig.model->set_stalled(true);
    std::vector<std::byte> b(4096);
    auto r = disk.read(0, b);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().errnum == EIO);
    CHECK_THAT(r.error().context, Catch::Contains("timed out"));
    // The controller is now failed: later requests fail fast instead of reusing buffers
    // the device may still own.
    rig.model->set_stalled(false);
    auto again = disk.read(0, b);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().errnum == EIO);
}

TEST_CASE("nvme reports a removed device as EIO") {
    Rig rig;
    auto ctrl = std::move(*nvme::Nvme::create(*rig.model, {.timeout_ms = 100}));
    nvme::NvmeNamespace disk(*ctrl, ctrl->namespaces()[0]);
    rig.model->set_removed(true);
    std::vector<std::byte> b(4096);
    auto r = disk.write(0, b);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().errnum == EIO);
    CHECK_THAT(r.error().context, Catch::Contains("removed"));
    // Creating a driver on a removed device fails cleanly too.
    auto fresh = nvme::Nvme::create(*rig.model);
    CHECK_FALSE(fresh.has_value());
}

TEST_CASE("nvme model refuses a missing backing file with a clear error") {
    auto m = pci::NvmeModel::create("/nonexistent/disk.img");
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().errnum == ENOENT);
    CHECK_THAT(m.error().context, Catch::Contains("/nonexistent/disk.img"));
}

TEST_CASE("nvme model reaches memory placed with map_dma, and only while it is placed") {
    Rig rig;
    {
        auto ctrl = std::move(*nvme::Nvme::create(*rig.model));
        nvme::NvmeNamespace disk(*ctrl, ctrl->namespaces()[0]);
        std::vector<std::byte> block(4096, std::byte{0x5a});
        REQUIRE(disk.write(0, block).has_value());
    }
    auto ctrl = std::move(*nvme::Nvme::create(*rig.model));
    // Memory the caller owns (as the sim's memory scheme hands out), placed at a
    // bus address the caller chose (its sim physical address).
    auto* mem = static_cast<std::byte*>(std::aligned_alloc(4096, 8192));
    REQUIRE(mem != nullptr);
    std::memset(mem, 0, 8192);
    const uint64_t bus = 0x1'0000'0000ull;
    auto placed = rig.model->map_dma(mem, 8192, bus);
    REQUIRE(placed.has_value());
    auto overlap = rig.model->map_dma(mem, 4096, bus + 4096);
    REQUIRE_FALSE(overlap.has_value());
    CHECK(overlap.error().errnum == EEXIST);

    auto read_at = [&](uint64_t addr) {
        std::optional<Result<void>> got;
        REQUIRE(ctrl->submit_io(nvme::io::Read, 1, 0, 8, addr, 1).has_value());
        ctrl->kick();
        while (!got) {
            if (ctrl->poll_io([&](uint64_t, Result<void> r) { got = r; }) == 0)
                REQUIRE(*ctrl->wait_io(1000));
        }
        return *got;
    };
    CHECK(read_at(bus + 4096).has_value());
    CHECK(mem[4096 + 100] == std::byte{0x5a});
    CHECK(mem[100] == std::byte{0});

    // Once the backing is gone the address is no longer the device's to reach.
    placed->reset();
    auto faults = rig.model->dma_faults();
    auto after = read_at(bus);
    REQUIRE_FALSE(after.has_value());
    CHECK(after.error().errnum == EIO);
    CHECK(rig.model->dma_faults() > faults);
    std::free(mem);
}

TEST_CASE("nvme read_many queues a batch with one doorbell per wave of 32") {
    Rig rig;
    test::CountingDevice dev(*rig.model, 0x1008);  // queue 1's SQ tail doorbell (stride 0)
    auto ctrl = std::move(*nvme::Nvme::create(dev));
    nvme::NvmeNamespace disk(*ctrl, ctrl->namespaces()[0]);
    auto data = test::random_bytes(1 << 20, 7);
    REQUIRE(disk.write(0, data).has_value());
    // 40 reads of 4 KiB scattered over the first MiB, one read past the end,
    // one of 128 KiB (too big for a slot: alone), one that is not whole blocks.
    std::vector<std::vector<std::byte>> bufs(43);
    std::vector<block::BlockRead> reads;
    test::add_scattered_reads(bufs, reads, 40);
    bufs[40].resize(4096);
    reads.push_back(block::BlockRead{disk.block_count() - 4, bufs[40], {}});
    bufs[41].resize(128 * 1024);
    reads.push_back(block::BlockRead{512, bufs[41], {}});
    bufs[42].resize(700);
    reads.push_back(block::BlockRead{0, bufs[42], {}});
    size_t before = dev.writes;
    disk.read_many(reads);
    CHECK(dev.writes - before == 3);  // 32 + 8 in two waves, the 128 KiB read alone
    test::check_scattered_reads(reads, bufs, data, 40);
    CHECK(!reads[40].result.has_value());
    REQUIRE(reads[41].result.has_value());
    CHECK(std::memcmp(bufs[41].data(), data.data() + 512 * 512, 128 * 1024) == 0);
    CHECK(!reads[42].result.has_value());
    CHECK(ctrl->in_flight() == 0);
    rig.model->set_removed(true);
    test::check_removed_batch_fails(disk, bufs);
}
