// Snapshots: create, read-only view, keep old contents while the live tree changes,
// roll back, delete (space returns), and the list survives a remount.
#include "helpers.h"

TEST_CASE("snapshots keep old contents, roll back, and free space when deleted") {
    rfs::MemoryDisk mem(32u << 20);
    auto fs = must(rfs::FileSystem::create(std::make_unique<BorrowedDisk>(mem), {}));
    uint32_t f = ok(fs->mknod(rfs::kRootId, "doc", rfs::kModeFile | 0644));
    auto v1 = pattern(400000, 1, false);
    ok(fs->write(f, 0, v1));
    ok(fs->snapshot_create("v1"));
    CHECK(fs->snapshot_create("v1").error().errnum == EEXIST);

    auto v2 = pattern(400000, 2, false);
    ok(fs->write(f, 0, v2));
    ok(fs->mknod(rfs::kRootId, "new", rfs::kModeFile | 0644));
    ok(fs->commit());
    expect_clean(*fs);
    uint64_t free_with_snapshot = fs->statvfs().bfree;

    SECTION("the snapshot is readable read-only and the live tree is unchanged") {
        auto view = must(rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(mem.bytes()), {.writable = false}));
        ok(view->view_snapshot("v1"));
        CHECK(same(read_all(*view, ok(view->resolve("doc"))), v1));
        CHECK(!view->resolve("new"));
        CHECK(view->mknod(rfs::kRootId, "x", rfs::kModeFile | 0644).error().errnum == EROFS);
        auto live = must(rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(mem.bytes()), {}));
        CHECK(same(read_all(*live, ok(live->resolve("doc"))), v2));
        auto list = ok(live->snapshots());
        REQUIRE(list.size() == 1);
        CHECK(list[0].name == "v1");
        expect_clean(*live);
    }
    SECTION("rollback brings the old tree back") {
        ok(fs->snapshot_rollback("v1"));
        CHECK(same(read_all(*fs, ok(fs->resolve("doc"))), v1));
        CHECK(!fs->resolve("new"));
        expect_clean(*fs);
        // Changing the rolled-back tree must not damage the snapshot.
        ok(fs->write(ok(fs->resolve("doc")), 0, v2));
        ok(fs->commit());
        auto view = must(rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(mem.bytes()), {.writable = false}));
        ok(view->view_snapshot("v1"));
        CHECK(same(read_all(*view, ok(view->resolve("doc"))), v1));
        expect_clean(*fs);
    }
    SECTION("delete returns the snapshot-only blocks") {
        ok(fs->snapshot_delete("v1"));
        CHECK(fs->statvfs().bfree > free_with_snapshot + 90);   // ~100 blocks of v1 data
        CHECK(ok(fs->snapshots()).empty());
        expect_clean(*fs);
        CHECK(fs->snapshot_delete("v1").error().errnum == ENOENT);
    }
}
