// Writing through the library and reading back after a remount.
#include "helpers.h"

namespace {

std::unique_ptr<rfs::FileSystem> fresh(rfs::MemoryDisk*& raw, uint64_t size = 64u << 20,
                                      std::optional<std::string> pw = {}) {
    auto disk = std::make_unique<rfs::MemoryDisk>(size);
    raw = disk.get();
    return must(rfs::FileSystem::create(std::move(disk), {.password = pw}));
}

// Remount = open a copy of the bytes, as a new process would see them; `raw` then
// follows the new copy so later remounts see what this mount writes.
std::unique_ptr<rfs::FileSystem> remount(rfs::MemoryDisk*& raw, std::optional<std::string> pw = {}) {
    auto disk = std::make_unique<rfs::MemoryDisk>(raw->bytes());
    raw = disk.get();
    return must(rfs::FileSystem::open(std::move(disk), {.password = pw}));
}

} // namespace

TEST_CASE("mkfs makes a clean image with an empty root") {
    rfs::MemoryDisk* raw;
    auto fs = fresh(raw);
    auto st = ok(fs->stat(rfs::kRootId));
    CHECK(st.mode == (rfs::kModeDir | 0755));
    CHECK(st.nlink == 1);
    expect_clean(*fs);
    auto again = remount(raw);
    expect_clean(*again);
    CHECK(ok(again->getdents(rfs::kRootId)).empty());
}

TEST_CASE("files of every size class survive a remount") {
    rfs::MemoryDisk* raw;
    auto fs = fresh(raw);
    // inline, inline limit, first record, multi-record, beyond level0 (16 MiB), sparse
    std::vector<std::pair<std::string, std::vector<uint8_t>>> files = {
        {"empty", {}},
        {"small", pattern(100, 1, false)},
        {"inline_max", pattern(3967, 2, false)},
        {"just_over", pattern(3968, 3, false)},
        {"two_records", pattern(200000, 4, false)},
        {"compressible", pattern(1 << 20, 5, true)},
    };
    for (auto& [name, data] : files) {
        uint32_t id = ok(fs->mknod(rfs::kRootId, name, rfs::kModeFile | 0644));
        ok(fs->write(id, 0, data));
    }
    uint32_t sparse = ok(fs->mknod(rfs::kRootId, "sparse", rfs::kModeFile | 0600));
    auto tail = pattern(5000, 6, false);
    ok(fs->write(sparse, (17u << 20) + 77, tail));   // lands in the level1 tables
    ok(fs->commit());
    expect_clean(*fs);

    auto fs2 = remount(raw);
    for (auto& [name, data] : files) {
        INFO(name);
        uint32_t id = ok(fs2->lookup(rfs::kRootId, name));
        CHECK(same(read_all(*fs2, id), data));
    }
    auto s = read_all(*fs2, ok(fs2->lookup(rfs::kRootId, "sparse")));
    REQUIRE(s.size() == (17u << 20) + 77 + 5000);
    CHECK(std::all_of(s.begin(), s.begin() + (17u << 20) + 77, [](uint8_t b) { return b == 0; }));
    CHECK(std::equal(tail.begin(), tail.end(), s.begin() + (17u << 20) + 77));
    // Compression really happened: far fewer blocks than 1 MiB / 4 KiB.
    auto cst = ok(fs2->stat(ok(fs2->lookup(rfs::kRootId, "compressible"))));
    CHECK(cst.blocks < 64);
    auto rst = ok(fs2->stat(ok(fs2->lookup(rfs::kRootId, "two_records"))));
    CHECK(rst.blocks >= 49);
    expect_clean(*fs2);
}

TEST_CASE("overwrite, append, truncate down and up keep exact contents") {
    rfs::MemoryDisk* raw;
    auto fs = fresh(raw);
    uint32_t id = ok(fs->mknod(rfs::kRootId, "f", rfs::kModeFile | 0644));
    std::vector<uint8_t> model = pattern(300000, 7, false);
    ok(fs->write(id, 0, model));
    auto patch = pattern(10000, 8, false);
    ok(fs->write(id, 130000, patch));
    std::copy(patch.begin(), patch.end(), model.begin() + 130000);
    ok(fs->truncate(id, 140001));
    model.resize(140001);
    ok(fs->truncate(id, 400000));
    model.resize(400000, 0);
    ok(fs->write(id, 399990, patch));
    model.resize(399990 + patch.size(), 0);
    std::copy(patch.begin(), patch.end(), model.begin() + 399990);
    ok(fs->commit());
    expect_clean(*fs);
    auto fs2 = remount(raw);
    CHECK(same(read_all(*fs2, id), model));
    ok(fs2->truncate(id, 10));
    ok(fs2->commit());
    expect_clean(*fs2);
    model.resize(10);
    CHECK(same(read_all(*remount(raw), id), model));
}

TEST_CASE("thousands of names split the H-tree and all stay reachable") {
    rfs::MemoryDisk* raw;
    auto fs = fresh(raw);
    uint32_t d = ok(fs->mknod(rfs::kRootId, "many", rfs::kModeDir | 0755));
    const int n = 6000;
    for (int i = 0; i < n; ++i)
        ok(fs->mknod(d, "entry-with-a-longish-name-" + std::to_string(i), rfs::kModeFile | 0644));
    ok(fs->commit());
    auto dst = ok(fs->stat(d));
    CHECK(dst.size > 40 * 4096);   // many DirList blocks plus H-tree nodes
    expect_clean(*fs);
    for (int i = 0; i < n; i += 2) ok(fs->unlink(d, "entry-with-a-longish-name-" + std::to_string(i), false));
    ok(fs->commit());
    expect_clean(*fs);
    auto fs2 = remount(raw);
    auto ents = ok(fs2->getdents(d));
    CHECK(ents.size() == size_t(n / 2));
    for (int i = 1; i < n; i += 98) CHECK(fs2->lookup(d, "entry-with-a-longish-name-" + std::to_string(i)).has_value());
    for (int i = 1; i < n; i += 2) ok(fs2->unlink(d, "entry-with-a-longish-name-" + std::to_string(i), false));
    ok(fs2->commit());
    auto empty = ok(fs2->stat(d));
    CHECK(empty.size == 0);
    CHECK(empty.blocks == 1);
    ok(fs2->unlink(rfs::kRootId, "many", true));
    ok(fs2->commit());
    expect_clean(*fs2);
}

TEST_CASE("namespace operations: mkdir, rename, link, symlink, unlink, rmdir") {
    rfs::MemoryDisk* raw;
    auto fs = fresh(raw);
    uint32_t a = ok(fs->mknod(rfs::kRootId, "a", rfs::kModeDir | 0755));
    uint32_t b = ok(fs->mknod(a, "b", rfs::kModeDir | 0700));
    uint32_t f = ok(fs->mknod(b, "file", rfs::kModeFile | 0640));
    ok(fs->write(f, 0, pattern(5000, 9, false)));
    ok(fs->link(rfs::kRootId, "hard", f));
    CHECK(ok(fs->stat(f)).nlink == 2);
    ok(fs->symlink(rfs::kRootId, "sym", "a/b/file"));
    ok(fs->symlink(rfs::kRootId, "loop", "loop"));
    CHECK(ok(fs->resolve("sym")) == f);
    CHECK(fs->resolve("loop").error().errnum == ELOOP);
    CHECK(ok(fs->resolve("a/b/../b/./file")) == f);
    CHECK(fs->mknod(a, "b", rfs::kModeFile | 0644).error().errnum == EEXIST);
    CHECK(fs->mknod(a, "x:y", rfs::kModeFile | 0644).error().errnum == EINVAL);
    CHECK(fs->mknod(a, std::string(253, 'n'), rfs::kModeFile | 0644).error().errnum == ENAMETOOLONG);
    CHECK(fs->unlink(rfs::kRootId, "a", true).error().errnum == ENOTEMPTY);
    CHECK(fs->unlink(a, "b", false).error().errnum == EISDIR);
    CHECK(fs->rename(rfs::kRootId, "a", b, "inside").error().errnum == EINVAL);
    ok(fs->rename(b, "file", rfs::kRootId, "moved"));
    ok(fs->rename(rfs::kRootId, "moved", rfs::kRootId, "hard"));   // same node: no-op
    CHECK(ok(fs->stat(f)).nlink == 2);
    ok(fs->unlink(rfs::kRootId, "hard", false));
    CHECK(ok(fs->stat(f)).nlink == 1);
    ok(fs->unlink(a, "b", true));
    ok(fs->chmod(f, 0600));
    ok(fs->chown(f, 1000, 100));
    ok(fs->utimens(f, rfs::Timespec{1, 2}, rfs::Timespec{3, 4}));
    ok(fs->commit());
    expect_clean(*fs);
    auto fs2 = remount(raw);
    uint32_t moved = ok(fs2->resolve("moved"));
    auto st = ok(fs2->stat(moved));
    CHECK(st.mode == (rfs::kModeFile | 0600));
    CHECK(st.uid == 1000);
    CHECK(st.gid == 100);
    CHECK(st.mtime.sec == 3);
    CHECK(st.mtime.nsec == 4);
    CHECK(same(read_all(*fs2, moved), pattern(5000, 9, false)));
    CHECK(ok(fs2->readlink(ok(fs2->resolve("sym", {}, false)))) == "a/b/file");
    CHECK(!fs2->resolve("a/b"));
}

TEST_CASE("permissions follow the Redox scheme rules") {
    rfs::MemoryDisk* raw;
    auto fs = fresh(raw);
    rfs::Caller alice{1000, 1000}, bob{1001, 1001};
    uint32_t home = ok(fs->mknod(rfs::kRootId, "home", rfs::kModeDir | 0755));
    ok(fs->chown(home, 1000, 1000));
    CHECK(fs->mknod(home, "x", rfs::kModeFile | 0644, bob).error().errnum == EACCES);
    uint32_t x = ok(fs->mknod(home, "x", rfs::kModeFile | 0600, alice));
    CHECK(ok(fs->stat(x)).uid == 1000);
    CHECK(ok(fs->permitted(x, 04, alice)));
    CHECK(!ok(fs->permitted(x, 04, bob)));
    CHECK(ok(fs->permitted(x, 07, rfs::Caller{})));
    CHECK(fs->chmod(x, 0777, bob).error().errnum == EPERM);
    ok(fs->chmod(x, 0644, alice));
    CHECK(ok(fs->permitted(x, 04, bob)));
    uint32_t priv = ok(fs->mknod(home, "priv", rfs::kModeDir | 0700, alice));
    ok(fs->mknod(priv, "secret", rfs::kModeFile | 0600, alice));
    CHECK(fs->resolve("home/priv/secret", bob).error().errnum == EACCES);
    CHECK(fs->resolve("home/priv/secret", alice).has_value());
}

TEST_CASE("encrypted images round-trip and reject a wrong password") {
    rfs::MemoryDisk* raw;
    auto fs = fresh(raw, 16u << 20, std::string("s3cret"));
    uint32_t id = ok(fs->mknod(rfs::kRootId, "data", rfs::kModeFile | 0644));
    ok(fs->write(id, 0, pattern(300000, 10, true)));
    // Incompressible whole records take the direct path to the disk.
    uint32_t raw_id = ok(fs->mknod(rfs::kRootId, "random", rfs::kModeFile | 0644));
    ok(fs->write(raw_id, 0, pattern(300000, 11, false)));
    ok(fs->commit());
    // No plaintext of the files appears on disk.
    auto& bytes = raw->bytes();
    for (bool comp : {true, false}) {
        auto needle = pattern(64, comp ? 10 : 11, comp);
        CHECK(std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()) == bytes.end());
    }
    auto fs2 = remount(raw, std::string("s3cret"));
    CHECK(same(read_all(*fs2, ok(fs2->lookup(rfs::kRootId, "data"))), pattern(300000, 10, true)));
    CHECK(same(read_all(*fs2, ok(fs2->lookup(rfs::kRootId, "random"))), pattern(300000, 11, false)));
    expect_clean(*fs2);
    auto bad = rfs::FileSystem::open(std::make_unique<rfs::MemoryDisk>(raw->bytes()), {.password = std::string("nope")});
    REQUIRE(!bad);
    CHECK(bad.error().errnum == ENOKEY);
}

TEST_CASE("unlinked-while-open files live until closed, and across a crash") {
    rfs::MemoryDisk* raw;
    auto fs = fresh(raw);
    uint32_t id = ok(fs->mknod(rfs::kRootId, "tmp", rfs::kModeFile | 0644));
    ok(fs->write(id, 0, pattern(200000, 11, false)));
    fs->on_open(id);
    ok(fs->unlink(rfs::kRootId, "tmp", false));
    CHECK(same(read_all(*fs, id), pattern(200000, 11, false)));
    ok(fs->commit());
    expect_clean(*fs);   // listed in the release list, not an orphan
    auto crashed = remount(raw);   // mount cleanup drops it
    CHECK(!crashed->read_node(id));
    expect_clean(*crashed);
    ok(fs->on_close(id));
    ok(fs->commit());
    CHECK(!fs->read_node(id));
    expect_clean(*fs);
}
