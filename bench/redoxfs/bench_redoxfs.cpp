// RedoxFS (library, memory image) vs host tmpfs (/dev/shm): sequential write and read
// of a large file, create+stat of 10,000 small files, compressible vs incompressible
// data. Usage: bench-redoxfs [FILE_MIB] (default 256; 1024 needs ~1.3 GiB of RAM).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "redoxfs/filesystem.h"

using namespace redox::redoxfs;
using Clock = std::chrono::steady_clock;

static double secs(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

[[noreturn]] static void die(const std::string& what, const redox::Error& e) {
    std::fprintf(stderr, "bench-redoxfs: %s: %s (errno %d)\n", what.c_str(), e.context.c_str(), e.errnum);
    std::exit(1);
}
template <class T> T must(redox::Result<T> r, const char* what) {
    if (!r) die(what, r.error());
    if constexpr (!std::is_void_v<T>) return std::move(*r);
}

struct Figures {
    double write_mibs, read_mibs, small_per_s, comp_mibs, incomp_mibs;
};

static std::vector<uint8_t> data_of(size_t n, bool compressible) {
    std::vector<uint8_t> v(n);
    std::mt19937_64 rng(1);
    if (compressible)
        for (size_t i = 0; i < n; ++i) v[i] = uint8_t("redox-sim benchmark text "[i % 25]);
    else
        for (size_t i = 0; i + 8 <= n; i += 8) {
            uint64_t x = rng();
            std::memcpy(&v[i], &x, 8);
        }
    return v;
}

static Figures run_redoxfs(size_t mib, const std::vector<uint8_t>& chunk, const std::vector<uint8_t>& comp) {
    Figures f{};
    uint64_t disk_size = (uint64_t(mib) + 160) << 20;
    auto fs = must(FileSystem::create(std::make_unique<MemoryDisk>(disk_size), {}), "mkfs");
    uint32_t id = must(fs->mknod(kRootId, "big", kModeFile | 0644), "create");
    auto t = Clock::now();
    for (size_t i = 0; i < mib; ++i) must(fs->write(id, uint64_t(i) << 20, chunk), "write");
    must(fs->commit(), "commit");
    f.write_mibs = double(mib) / secs(t);
    std::vector<uint8_t> buf(1 << 20);
    t = Clock::now();
    for (size_t i = 0; i < mib; ++i) must(fs->read(id, uint64_t(i) << 20, buf), "read");
    f.read_mibs = double(mib) / secs(t);
    must(fs->unlink(kRootId, "big", false), "unlink");
    must(fs->commit(), "commit");

    uint32_t d = must(fs->mknod(kRootId, "small", kModeDir | 0755), "mkdir");
    std::vector<uint8_t> tiny(100, 'x');
    t = Clock::now();
    for (int i = 0; i < 10000; ++i) {
        uint32_t n = must(fs->mknod(d, "file" + std::to_string(i), kModeFile | 0644), "create");
        must(fs->write(n, 0, tiny), "write");
        must(fs->stat(must(fs->lookup(d, "file" + std::to_string(i)), "lookup")), "stat");
    }
    must(fs->commit(), "commit");
    f.small_per_s = 10000 / secs(t);

    const size_t kCompMib = 64;
    for (int pass = 0; pass < 2; ++pass) {
        const auto& src = pass == 0 ? comp : chunk;
        std::string name = pass == 0 ? "comp" : "incomp";
        uint32_t c = must(fs->mknod(kRootId, name, kModeFile | 0644), "create");
        t = Clock::now();
        for (size_t i = 0; i < kCompMib; ++i) must(fs->write(c, uint64_t(i) << 20, src), "write");
        must(fs->commit(), "commit");
        (pass == 0 ? f.comp_mibs : f.incomp_mibs) = double(kCompMib) / secs(t);
        must(fs->unlink(kRootId, name, false), "unlink");
        must(fs->commit(), "commit");
    }
    return f;
}

static void check(bool ok, const char* what) {
    if (!ok) {
        std::perror(what);
        std::exit(1);
    }
}

static Figures run_tmpfs(size_t mib, const std::vector<uint8_t>& chunk, const std::vector<uint8_t>& comp) {
    Figures f{};
    char tmpl[] = "/dev/shm/bench-redoxfs-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    std::string big = dir + "/big";
    int fd = ::open(big.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0, "open");
    auto t = Clock::now();
    for (size_t i = 0; i < mib; ++i) check(pwrite(fd, chunk.data(), chunk.size(), off_t(i) << 20) == ssize_t(chunk.size()), "pwrite");
    check(fsync(fd) == 0, "fsync");
    f.write_mibs = double(mib) / secs(t);
    std::vector<uint8_t> buf(1 << 20);
    t = Clock::now();
    for (size_t i = 0; i < mib; ++i) check(pread(fd, buf.data(), buf.size(), off_t(i) << 20) == ssize_t(buf.size()), "pread");
    f.read_mibs = double(mib) / secs(t);
    ::close(fd);
    ::unlink(big.c_str());

    std::string d = dir + "/small";
    mkdir(d.c_str(), 0755);
    std::vector<uint8_t> tiny(100, 'x');
    t = Clock::now();
    for (int i = 0; i < 10000; ++i) {
        std::string p = d + "/file" + std::to_string(i);
        int n = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
        check(n >= 0, "create");
        check(::write(n, tiny.data(), tiny.size()) == ssize_t(tiny.size()), "write");
        ::close(n);
        struct stat st;
        check(::stat(p.c_str(), &st) == 0, "stat");
    }
    sync();
    f.small_per_s = 10000 / secs(t);

    const size_t kCompMib = 64;
    for (int pass = 0; pass < 2; ++pass) {
        const auto& src = pass == 0 ? comp : chunk;
        std::string p = dir + (pass == 0 ? "/comp" : "/incomp");
        int c = ::open(p.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
        t = Clock::now();
        for (size_t i = 0; i < kCompMib; ++i) check(pwrite(c, src.data(), src.size(), off_t(i) << 20) == ssize_t(src.size()), "pwrite");
        check(fsync(c) == 0, "fsync");
        (pass == 0 ? f.comp_mibs : f.incomp_mibs) = double(kCompMib) / secs(t);
        ::close(c);
    }
    std::filesystem::remove_all(dir);
    return f;
}

int main(int argc, char** argv) {
    size_t mib = argc > 1 ? size_t(std::atoi(argv[1])) : 256;
    if (mib == 0) mib = 256;
    auto chunk = data_of(1 << 20, false);
    auto comp = data_of(1 << 20, true);
    std::printf("bench-redoxfs: %zu MiB sequential file, 10000 small files, 64 MiB (in)compressible\n", mib);
    Figures base = run_tmpfs(mib, chunk, comp);
    Figures r = run_redoxfs(mib, chunk, comp);
    auto row = [](const char* what, double a, double b, const char* unit) {
        std::printf("%-34s redoxfs %10.1f %-8s tmpfs %10.1f %-8s ratio %.2fx\n", what, a, unit, b, unit, a / b);
    };
    row("sequential write (1 MiB writes)", r.write_mibs, base.write_mibs, "MiB/s");
    row("sequential read (1 MiB reads)", r.read_mibs, base.read_mibs, "MiB/s");
    row("create+write+stat small files", r.small_per_s, base.small_per_s, "files/s");
    row("write compressible data", r.comp_mibs, base.comp_mibs, "MiB/s");
    row("write incompressible data", r.incomp_mibs, base.incomp_mibs, "MiB/s");
    return 0;
}
