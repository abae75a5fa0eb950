// Images written by the upstream tools read back exactly as tree.manifest lists them.
#include "helpers.h"

#include <openssl/sha.h>
#include <sstream>

namespace {

struct Entry {
    char type;
    unsigned mode;
    std::string size, hash, path;
};

std::vector<Entry> manifest() {
    std::ifstream in(shared_dir() / "fixtures" / "redoxfs" / "tree.manifest");
    std::vector<Entry> out;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        Entry e;
        std::string mode;
        ls >> e.type >> mode >> e.size >> e.hash;
        std::getline(ls, e.path);
        e.path.erase(0, e.path.find_first_not_of(' '));
        e.mode = unsigned(std::stoul(mode, nullptr, 8));
        out.push_back(e);
    }
    return out;
}

std::string sha256_hex(const std::vector<uint8_t>& d) {
    uint8_t md[32];
    SHA256(d.data(), d.size(), md);
    char hex[65];
    for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return hex;
}

// Checks every manifest entry under `prefix` and that nothing else exists there.
void compare_with_manifest(rfs::FileSystem& fs, const std::string& prefix) {
    size_t checked = 0;
    for (auto& e : manifest()) {
        if (!prefix.empty() && e.path != prefix && e.path.rfind(prefix + "/", 0) != 0) continue;
        INFO("path " << e.path);
        uint32_t ino = ok(fs.resolve(e.path, {}, false), e.path.c_str());
        auto st = ok(fs.stat(ino));
        CHECK((st.mode & rfs::kModePerm) == e.mode);
        if (e.type == 'd') {
            CHECK((st.mode & rfs::kModeType) == rfs::kModeDir);
        } else if (e.type == 'l') {
            CHECK((st.mode & rfs::kModeType) == rfs::kModeSymlink);
            CHECK("->" + ok(fs.readlink(ino)) == e.hash);
            CHECK(st.size == std::stoull(e.size));
        } else {
            CHECK((st.mode & rfs::kModeType) == rfs::kModeFile);
            CHECK(st.size == std::stoull(e.size));
            CHECK(sha256_hex(read_all(fs, ino)) == e.hash);
        }
        ++checked;
    }
    CHECK(checked > 0);
    // Nothing beyond the manifest: count every node reachable from the root.
    size_t count = 0;
    std::function<void(uint32_t, std::string)> walk = [&](uint32_t dir, std::string path) {
        for (auto& d : ok(fs.getdents(dir))) {
            std::string p = path.empty() ? d.name : path + "/" + d.name;
            if (prefix.empty() || p == prefix || p.rfind(prefix + "/", 0) == 0) ++count;
            auto st = ok(fs.stat(d.ino));
            if ((st.mode & rfs::kModeType) == rfs::kModeDir) walk(d.ino, p);
        }
    };
    walk(rfs::kRootId, "");
    CHECK(count == checked);
}

} // namespace

TEST_CASE("ar-tree image made by redoxfs-ar matches the manifest byte for byte") {
    TempDir t;
    auto img = fixture_image(t.path, "ar-tree");
    auto fs = must(rfs::FileSystem::open(ok(rfs::FileDisk::open(img, false)), {.writable = false}));
    CHECK(fs->generation() > 0);
    compare_with_manifest(*fs, "");
    expect_clean(*fs);
}

TEST_CASE("empty image made by redoxfs-mkfs has an empty root and is clean") {
    TempDir t;
    auto img = fixture_image(t.path, "empty-64M");
    auto fs = must(rfs::FileSystem::open(ok(rfs::FileDisk::open(img, false)), {.writable = false}));
    auto st = ok(fs->stat(rfs::kRootId));
    CHECK((st.mode & rfs::kModeType) == rfs::kModeDir);
    CHECK(ok(fs->getdents(rfs::kRootId)).empty());
    CHECK(fs->statvfs().blocks == 16384);
    expect_clean(*fs);
}

TEST_CASE("encrypted image opens with its password and holds dir1 from the manifest") {
    TempDir t;
    auto img = fixture_image(t.path, "encrypted-16M");
    SECTION("right password") {
        auto fs = must(rfs::FileSystem::open(ok(rfs::FileDisk::open(img, false)),
                                             {.password = "password", .writable = false}));
        CHECK(fs->encrypted());
        compare_with_manifest(*fs, "dir1");
        expect_clean(*fs);
    }
    SECTION("wrong password is ENOKEY") {
        auto r = rfs::FileSystem::open(ok(rfs::FileDisk::open(img, false)), {.password = "wrong", .writable = false});
        REQUIRE(!r);
        CHECK(r.error().errnum == ENOKEY);
    }
    SECTION("no password is ENOKEY") {
        auto r = rfs::FileSystem::open(ok(rfs::FileDisk::open(img, false)), {.writable = false});
        REQUIRE(!r);
        CHECK(r.error().errnum == ENOKEY);
    }
}

TEST_CASE("a password for an unencrypted image is EKEYREJECTED") {
    TempDir t;
    auto img = fixture_image(t.path, "empty-64M");
    auto r = rfs::FileSystem::open(ok(rfs::FileDisk::open(img, false)), {.password = "x", .writable = false});
    REQUIRE(!r);
    CHECK(r.error().errnum == EKEYREJECTED);
}

TEST_CASE("upstream images accept our writes and stay clean") {
    TempDir t;
    auto img = fixture_image(t.path, "ar-tree");
    {
        auto fs = must(rfs::FileSystem::open(ok(rfs::FileDisk::open(img, true))));
        uint32_t d = ok(fs->resolve("manydir"));
        for (int i = 0; i < 300; ++i) ok(fs->mknod(d, "new_" + std::to_string(i), rfs::kModeFile | 0644));
        ok(fs->unlink(d, "file_0005.txt", false));
        uint32_t big = ok(fs->resolve("big.bin"));
        auto data = pattern(300000, 9, false);
        ok(fs->write(big, 100000, data));
        ok(fs->commit());
    }
    auto fs = must(rfs::FileSystem::open(ok(rfs::FileDisk::open(img, false)), {.writable = false}));
    expect_clean(*fs);
    uint32_t big = ok(fs->resolve("big.bin"));
    auto all = read_all(*fs, big);
    CHECK(std::equal(all.begin() + 100000, all.begin() + 400000, pattern(300000, 9, false).begin()));
    CHECK(!fs->resolve("manydir/file_0005.txt"));
    CHECK(fs->resolve("manydir/new_299").has_value());
}
