// Shared helpers for the RedoxFS tests: temp dirs, fixture images, small disks.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "redoxfs/filesystem.h"
#include "redoxfs/fsck.h"

namespace rfs = redox::redoxfs;

// The directory of shared inputs (../shared), or exit 77 (meson SKIP) when absent.
inline std::filesystem::path shared_dir() {
    const char* d = std::getenv("REDOX_SHARED_DIR");
    std::filesystem::path p = d ? d : "";
    if (!d || !std::filesystem::exists(p / "fixtures" / "redoxfs")) {
        std::fprintf(stderr, "SKIP: shared fixtures not found (REDOX_SHARED_DIR=%s)\n", d ? d : "unset");
        std::exit(77);
    }
    return p;
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/redoxfs-test-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

// Decompresses a fixture image (NAME.img.zst) into `dir`, returning its path.
inline std::filesystem::path fixture_image(const std::filesystem::path& dir, const std::string& name) {
    auto src = shared_dir() / "fixtures" / "redoxfs" / (name + ".img.zst");
    auto dst = dir / (name + ".img");
    std::string cmd = "zstd -q -d -f -o '" + dst.string() + "' '" + src.string() + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return dst;
}

// Lends a disk owned by the test to a FileSystem.
struct BorrowedDisk : rfs::Disk {
    rfs::Disk& d;
    explicit BorrowedDisk(rfs::Disk& x) : d(x) {}
    redox::Result<void> read(uint64_t o, std::span<uint8_t> b) override { return d.read(o, b); }
    redox::Result<void> write(uint64_t o, std::span<const uint8_t> b) override { return d.write(o, b); }
    redox::Result<void> flush() override { return d.flush(); }
    uint64_t size() const override { return d.size(); }
};

inline std::unique_ptr<rfs::FileSystem> must(redox::Result<std::unique_ptr<rfs::FileSystem>> r) {
    if (!r) FAIL("open failed: " << r.error().context << " (errno " << r.error().errnum << ")");
    return std::move(*r);
}

template <class T> T ok(redox::Result<T> r, const char* what = "") {
    if (!r) FAIL(what << ": " << r.error().context << " (errno " << r.error().errnum << ")");
    if constexpr (!std::is_void_v<T>) return std::move(*r);
}

inline std::vector<uint8_t> read_all(rfs::FileSystem& fs, uint32_t ino) {
    auto st = ok(fs.stat(ino));
    std::vector<uint8_t> out(st.size);
    auto n = ok(fs.read(ino, 0, out));
    REQUIRE(n == out.size());
    return out;
}

// Compares byte vectors, reporting the sizes and the first difference instead of
// printing both vectors.
inline bool same(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
    if (a.size() != b.size()) {
        UNSCOPED_INFO("sizes differ: " << a.size() << " vs " << b.size());
        return false;
    }
    auto m = std::mismatch(a.begin(), a.end(), b.begin());
    if (m.first != a.end()) {
        UNSCOPED_INFO("first difference at byte " << (m.first - a.begin()));
        return false;
    }
    return true;
}

inline std::vector<uint8_t> pattern(size_t n, uint32_t seed, bool compressible) {
    std::vector<uint8_t> v(n);
    std::mt19937 rng(seed);
    for (size_t i = 0; i < n; ++i) v[i] = compressible ? uint8_t("redoxfs "[i % 8] + (i / 4096) % 3) : uint8_t(rng());
    return v;
}

inline void expect_clean(rfs::FileSystem& fs) {
    auto r = rfs::fsck(fs);
    std::string all;
    for (auto& e : r.errors) all += e + "\n";
    INFO(all);
    REQUIRE(r.ok());
}
