// Crash safety and bad input: power cuts, bit flips, truncated/garbage images, full disks.
#include "helpers.h"

#include <cstdlib>
#include <map>

namespace {

// A reference model of what was synced: path -> contents.
using Model = std::map<std::string, std::vector<uint8_t>>;

struct Workload {
    std::mt19937 rng;
    Model live, synced;
    explicit Workload(uint32_t seed) : rng(seed) {}

    // One random operation; returns true when it was a commit (fsync point).
    bool step(rfs::FileSystem& fs, int i) {
        int op = int(rng() % 10);
        std::string name = "f" + std::to_string(rng() % 12);
        auto it = live.find(name);
        if (op < 4) {
            size_t len = rng() % 5 == 0 ? 40000 + rng() % 60000 : rng() % 6000;
            auto data = pattern(len, uint32_t(i), rng() % 2);
            uint32_t id;
            if (it == live.end()) {
                id = ok(fs.mknod(rfs::kRootId, name, rfs::kModeFile | 0644));
                live[name] = {};
            } else {
                id = ok(fs.lookup(rfs::kRootId, name));
            }
            uint64_t off = live[name].empty() ? 0 : rng() % (live[name].size() + 1);
            ok(fs.write(id, off, data));
            auto& m = live[name];
            if (m.size() < off + len) m.resize(off + len, 0);
            std::copy(data.begin(), data.end(), m.begin() + long(off));
        } else if (op < 6 && it != live.end()) {
            ok(fs.unlink(rfs::kRootId, name, false));
            live.erase(it);
        } else if (op < 7 && it != live.end()) {
            uint64_t size = rng() % 150000;
            ok(fs.truncate(ok(fs.lookup(rfs::kRootId, name)), size));
            it->second.resize(size, 0);
        } else if (op < 8 && it != live.end()) {
            std::string to = "f" + std::to_string(rng() % 12);
            ok(fs.rename(rfs::kRootId, name, rfs::kRootId, to));
            auto data = it->second;
            live.erase(name);
            live[to] = data;
        } else {
            ok(fs.commit());
            synced = live;
            return true;
        }
        return false;
    }
};

void expect_model(rfs::FileSystem& fs, const Model& m) {
    auto ents = ok(fs.getdents(rfs::kRootId));
    CHECK(ents.size() == m.size());
    for (auto& [name, data] : m) {
        INFO("file " << name);
        auto id = fs.lookup(rfs::kRootId, name);
        REQUIRE(id.has_value());
        CHECK(same(read_all(fs, *id), data));
    }
}

} // namespace

TEST_CASE("power cut at 240 points (REDOXFS_POWER_CUTS=N for a long run): image mounts, fsck clean, synced state intact") {
    const int kOps = 130;
    const char* env = std::getenv("REDOXFS_POWER_CUTS");
    const int kCuts = env && std::atoi(env) > 0 ? std::atoi(env) : 240;
    auto formatted = std::make_unique<rfs::MemoryDisk>(6u << 20);
    rfs::MemoryDisk* fmt_raw = formatted.get();
    std::vector<uint8_t> image0;
    {
        auto fs = must(rfs::FileSystem::create(std::move(formatted), {}));
        image0 = fmt_raw->bytes();
    }

    // Reference run without a cut, to learn how many writes the workload makes.
    uint64_t total_writes;
    {
        rfs::MemoryDisk disk(image0);
        rfs::PowerCutDisk pc(disk, UINT64_MAX);
        auto fs = must(rfs::FileSystem::open(std::make_unique<BorrowedDisk>(pc), {}));
        Workload w(42);
        for (int i = 0; i < kOps; ++i) w.step(*fs, i);
        ok(fs->commit());
        total_writes = pc.writes_seen();
    }
    REQUIRE(total_writes > 240);

    int checked = 0;
    for (int k = 0; k < kCuts; ++k) {
        uint64_t allowed = uint64_t(k) * total_writes / uint64_t(kCuts);
        rfs::MemoryDisk disk(image0);
        rfs::PowerCutDisk pc(disk, allowed);
        Model durable;
        {
            auto fs = must(rfs::FileSystem::open(std::make_unique<BorrowedDisk>(pc), {}));
            Workload w(42);
            for (int i = 0; i < kOps && !pc.cut(); ++i) {
                bool committed = w.step(*fs, i);
                if (committed && !pc.cut()) durable = w.synced;
            }
        }   // the machine stops here: nothing after the cut reached the disk
        INFO("power cut after write " << allowed << " of " << total_writes);
        auto after = must(rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(disk.bytes()), {.writable = false}));
        expect_clean(*after);
        expect_model(*after, durable);
        if (k % 8 == 0) {   // and it mounts writable (cleanup commit) and stays clean
            auto rw = must(rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(disk.bytes()), {}));
            expect_clean(*rw);
        }
        ++checked;
    }
    CHECK(checked == kCuts);
}

TEST_CASE("every bit flip in a used block is detected, with the path named") {
    rfs::MemoryDisk mem(16u << 20);
    rfs::MemoryDisk* raw = &mem;
    auto disk = std::make_unique<BorrowedDisk>(mem);
    {
        auto fs = must(rfs::FileSystem::create(std::move(disk), {}));
        uint32_t d = ok(fs->mknod(rfs::kRootId, "docs", rfs::kModeDir | 0755));
        for (int i = 0; i < 40; ++i) {
            uint32_t id = ok(fs->mknod(d, "note" + std::to_string(i), rfs::kModeFile | 0644));
            ok(fs->write(id, 0, pattern(i % 3 == 0 ? 150000 : 5000, uint32_t(i), i % 2)));
        }
        ok(fs->commit(true));
    }
    std::vector<uint8_t> good = raw->bytes();
    // Collect the blocks in use from a clean check.
    std::vector<uint64_t> used;
    {
        auto fs = must(rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(good), {.writable = false}));
        ok(fs->walk_tree(fs->header().tree, [&](uint64_t i, uint32_t l) {
            for (uint64_t k = 0; k < (1ULL << l); ++k) used.push_back(i + k);
        }));
        expect_clean(*fs);
    }
    std::mt19937 rng(7);
    int flips = 0, named = 0;
    for (int t = 0; t < 60; ++t) {
        uint64_t block = used[rng() % used.size()];
        size_t bit = rng() % (4096 * 8);
        auto bad = good;
        bad[block * 4096 + bit / 8] ^= uint8_t(1u << (bit % 8));
        auto fs = rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(bad), {.writable = false, .tolerate_damage = true});
        ++flips;
        if (!fs) {   // damage found while opening: still a clear error
            CHECK(!fs.error().context.empty());
            continue;
        }
        auto r = rfs::fsck(**fs);
        INFO("flip in block " << block << " bit " << bit);
        REQUIRE(!r.ok());
        for (auto& e : r.errors)
            if (e.find("/docs") != std::string::npos || e.find("node tree") != std::string::npos) {
                ++named;
                break;
            }
    }
    CHECK(flips == 60);
    CHECK(named == flips);
}

TEST_CASE("a damaged newest header falls back to the previous generation and fsck reports it") {
    rfs::MemoryDisk mem(8u << 20);
    rfs::MemoryDisk* raw = &mem;
    auto disk = std::make_unique<BorrowedDisk>(mem);
    uint64_t gen;
    {
        auto fs = must(rfs::FileSystem::create(std::move(disk), {}));
        ok(fs->mknod(rfs::kRootId, "a", rfs::kModeFile | 0644));
        ok(fs->commit());
        gen = fs->generation();
    }
    auto bytes = raw->bytes();
    bytes[(gen % 256) * 4096 + 200] ^= 0x10;
    auto fs = must(rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(bytes), {.writable = false}));
    CHECK(fs->generation() == gen - 1);
    auto r = rfs::fsck(*fs);
    REQUIRE(!r.ok());
    CHECK(r.errors[0].find("header slot") != std::string::npos);
}

TEST_CASE("truncated and garbage images fail with one clear error") {
    rfs::MemoryDisk mem(8u << 20);
    rfs::MemoryDisk* raw = &mem;
    auto disk = std::make_unique<BorrowedDisk>(mem);
    {
        auto fs = must(rfs::FileSystem::create(std::move(disk), {}));
        uint32_t id = ok(fs->mknod(rfs::kRootId, "a", rfs::kModeFile | 0644));
        ok(fs->write(id, 0, pattern(100000, 1, false)));
        ok(fs->commit());
    }
    SECTION("empty") {
        auto r = rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(0), {});
        REQUIRE(!r);
    }
    SECTION("random bytes") {
        std::vector<uint8_t> junk = pattern(2u << 20, 99, false);
        auto r = rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(junk), {});
        REQUIRE(!r);
        CHECK(r.error().context.find("no valid RedoxFS") != std::string::npos);
    }
    SECTION("cut in half") {
        auto half = raw->bytes();
        half.resize(half.size() / 2);
        auto r = rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(half), {});
        REQUIRE(!r);
        CHECK(r.error().context.find("truncated") != std::string::npos);
    }
    SECTION("random garbage over the data area never crashes reads") {
        auto bytes = raw->bytes();
        std::mt19937 rng(3);
        for (int i = 0; i < 20000; ++i) bytes[257 * 4096 + rng() % (bytes.size() - 257 * 4096)] = uint8_t(rng());
        auto fs = rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(bytes), {.writable = false, .tolerate_damage = true});
        if (fs) {
            auto r = rfs::fsck(**fs);
            CHECK(!r.ok());
            auto id = (*fs)->resolve("a");
            if (id) (void)(*fs)->read(*id, 0, std::span<uint8_t>(bytes.data(), 100000));
        }
    }
}

TEST_CASE("a full disk gives ENOSPC, keeps earlier data and commits nothing partial") {
    rfs::MemoryDisk mem(3u << 20);
    rfs::MemoryDisk* raw = &mem;
    auto disk = std::make_unique<BorrowedDisk>(mem);
    auto fs = must(rfs::FileSystem::create(std::move(disk), {}));
    uint32_t keep = ok(fs->mknod(rfs::kRootId, "keep", rfs::kModeFile | 0644));
    ok(fs->write(keep, 0, pattern(50000, 1, false)));
    ok(fs->commit());
    uint32_t big = ok(fs->mknod(rfs::kRootId, "big", rfs::kModeFile | 0644));
    auto data = pattern(4u << 20, 2, false);
    auto r = fs->write(big, 0, data);
    REQUIRE(!r);
    CHECK(r.error().errnum == ENOSPC);
    CHECK(ok(fs->stat(big)).size == 0);   // the failed write left nothing behind
    ok(fs->commit());
    expect_clean(*fs);
    auto fs2 = must(rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(raw->bytes()), {}));
    CHECK(same(read_all(*fs2, ok(fs2->lookup(rfs::kRootId, "keep"))), pattern(50000, 1, false)));
    // Space is still usable after the failure.
    ok(fs2->write(ok(fs2->lookup(rfs::kRootId, "big")), 0, pattern(100000, 3, false)));
    ok(fs2->commit());
    expect_clean(*fs2);
}

TEST_CASE("a write that fails half-way never clobbers records the transaction wrote before") {
    // Whole records go straight to the disk. When an overwrite of them runs out of
    // space after a few records, the blocks it freed must not have been reused by
    // the records it wrote: the rollback points the file back at them.
    rfs::MemoryDisk mem(3u << 20);
    auto fs = must(rfs::FileSystem::create(std::make_unique<BorrowedDisk>(mem), {}));
    const size_t rec = 128u << 10;
    uint32_t a = ok(fs->mknod(rfs::kRootId, "a", rfs::kModeFile | 0644));
    auto first = pattern(5 * rec, 21, false);
    ok(fs->write(a, 0, first));            // not committed: fresh, direct-written blocks
    uint32_t b = ok(fs->mknod(rfs::kRootId, "b", rfs::kModeFile | 0644));
    uint64_t filled = 0;
    while (fs->write(b, filled, pattern(rec, 22 + uint32_t(filled / rec), false))) filled += rec;
    REQUIRE(filled >= 2 * rec);
    ok(fs->truncate(b, filled - 2 * rec));  // room for two new records
    // Five records over the old ones and three more: without the rule the freed old
    // records would be reused at once and the write would run out only at the end.
    auto r = fs->write(a, 0, pattern(8 * rec, 99, false));
    REQUIRE(!r);
    CHECK(r.error().errnum == ENOSPC);
    CHECK(same(read_all(*fs, a), first));
    ok(fs->commit());
    expect_clean(*fs);
    auto again = must(rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(mem.bytes()), {.writable = false}));
    CHECK(same(read_all(*again, ok(again->lookup(rfs::kRootId, "a"))), first));
    expect_clean(*again);
}
