// Exec images (schemes/exec_image.h): sealed snapshots, cached per file
// version, dropped when the file changes.
#include "schemes/exec_image.h"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace redox;
using sys::ExecImageCache;

namespace {

ExecImageCache::Fill filler(const std::string& bytes, int* calls) {
    return [&bytes, calls](int fd, uint64_t size) -> Result<void> {
        ++*calls;
        REQUIRE(size == bytes.size());
        REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), 0) == ssize_t(bytes.size()));
        return {};
    };
}

std::string contents(int fd) {
    struct stat st{};
    REQUIRE(::fstat(fd, &st) == 0);
    std::string s(size_t(st.st_size), '\0');
    REQUIRE(::pread(fd, s.data(), s.size(), 0) == ssize_t(s.size()));
    return s;
}

ino_t inode(int fd) {
    struct stat st{};
    REQUIRE(::fstat(fd, &st) == 0);
    return st.st_ino;
}

} // namespace

TEST_CASE("an exec image holds the file's bytes and is sealed", "[exec-image]") {
    ExecImageCache cache;
    std::string bytes = "\x7f" "ELF pretend program";
    int calls = 0;
    int fd = cache.get(7, bytes.size(), 100, "usr/bin/tool", filler(bytes, &calls)).value();
    CHECK(contents(fd) == bytes);
    int seals = fcntl(fd, F_GET_SEALS);
    CHECK((seals & F_SEAL_WRITE));
    CHECK((seals & F_SEAL_SHRINK));
    CHECK((seals & F_SEAL_GROW));
    CHECK((seals & F_SEAL_SEAL));
    CHECK(::pwrite(fd, "x", 1, 0) == -1);
    CHECK(errno == EPERM);
    CHECK(::ftruncate(fd, 0) == -1);
    CHECK(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
    char link[64] = {};
    std::string self = "/proc/self/fd/" + std::to_string(fd);
    REQUIRE(readlink(self.c_str(), link, sizeof link - 1) > 0);
    CHECK(std::string(link).starts_with("/memfd:tool"));
}

TEST_CASE("exec images are cached per version and dropped on change", "[exec-image]") {
    ExecImageCache cache;
    std::string v1 = "first version", v2 = "second version!";
    int calls = 0;
    int a = cache.get(1, v1.size(), 10, "a", filler(v1, &calls)).value();
    int b = cache.get(1, v1.size(), 10, "a", filler(v1, &calls)).value();
    CHECK(a == b);
    CHECK(calls == 1);
    ino_t first = inode(a);

    // Another stamp (the file was modified): a new image.
    int c = cache.get(1, v2.size(), 11, "a", filler(v2, &calls)).value();
    CHECK(calls == 2);
    CHECK(contents(c) == v2);
    CHECK(inode(c) != first);

    // forget: the next get fills again even with the same stamp.
    cache.forget(1);
    int d = cache.get(1, v2.size(), 11, "a", filler(v2, &calls)).value();
    CHECK(calls == 3);
    CHECK(contents(d) == v2);

    // Other keys are separate files.
    int e = cache.get(2, v1.size(), 10, "b", filler(v1, &calls)).value();
    CHECK(calls == 4);
    CHECK(inode(e) != inode(d));
}

TEST_CASE("a dropped image's fd stays valid for a moment", "[exec-image]") {
    ExecImageCache cache;
    std::string v = "bytes";
    int calls = 0;
    int a = cache.get(3, v.size(), 1, "x", filler(v, &calls)).value();
    cache.forget(3);
    // The kernel-sim may still be taking this fd number from the daemon.
    CHECK(fcntl(a, F_GETFD) >= 0);
    CHECK(contents(a) == v);
}

TEST_CASE("a failing fill leaves nothing cached", "[exec-image]") {
    ExecImageCache cache;
    auto r = cache.get(4, 10, 1, "y", [](int, uint64_t) -> Result<void> { return err(EIO_); });
    REQUIRE(!r);
    CHECK(r.error().errnum == EIO_);
    std::string v = "0123456789";
    int calls = 0;
    REQUIRE(cache.get(4, 10, 1, "y", filler(v, &calls)));
    CHECK(calls == 1);
}
