// diskbench DISK DEPTH: 4 KiB random reads of a disk scheme file (disk.*/N) from
// inside the sim, through the kernel-sim, the driver daemon and its device, at
// queue depth 1 (one positioned read at a time) or DEPTH (DEPTH reads submitted
// as one batch). Prints "disk_qdDEPTH IOPS" and how many calls took the fd's
// direct channel; any failed or short read ends the program with one line.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "schemes/direct_client.h"
#include "schemes/libredox.h"

using namespace redox;

namespace {

[[noreturn]] void die(const std::string& what) {
    (void)sys::write_all(2, "diskbench: " + what + "\n");
    sys::exit(1);
}

constexpr double kSeconds = 0.7;
constexpr uint64_t kBlock = 4096;

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) die("usage: diskbench DISK DEPTH");
    std::string path = argv[1];
    uint64_t depth = std::strtoull(argv[2], nullptr, 10);
    if (depth == 0 || depth > 256) die("DEPTH must be 1..256");
    auto fd = sys::open(path, O_RDONLY_);
    if (!fd) die(path + ": " + fd.error().message());
    auto st = sys::fstat(*fd);
    if (!st) die(path + ": fstat: " + st.error().message());
    uint64_t blocks = st->st_size / kBlock;
    if (blocks < depth) die(path + ": too small");

    std::vector<char> bufs(depth * kBlock);
    std::vector<Sqe> reads(depth);
    std::vector<Cqe> done(depth);
    std::mt19937_64 rng(7);
    auto batch = [&] {
        if (depth == 1) {
            auto n = sys::pread(*fd, bufs.data(), kBlock, (rng() % blocks) * kBlock);
            if (!n || *n != kBlock) die("read: " + (n ? fmt::format("{} bytes", *n) : n.error().message()));
            return uint64_t(1);
        }
        for (uint64_t i = 0; i < depth; ++i) {
            reads[i] = Sqe{};
            reads[i].opcode = uint8_t(Opcode::Read);
            reads[i].args[0] = uint64_t(*fd);
            reads[i].args[1] = reinterpret_cast<uint64_t>(bufs.data() + i * kBlock);
            reads[i].args[2] = kBlock;
            reads[i].args[3] = (rng() % blocks) * kBlock;
        }
        sys::call_batch(reads, done);
        for (auto& c : done)
            if (is_error(c.result) || c.result != kBlock)
                die(is_error(c.result) ? fmt::format("read: errno {}", demux_error(c.result))
                                       : fmt::format("read: {} bytes", c.result));
        return depth;
    };
    for (int i = 0; i < 16; ++i) batch();  // warm up
    using Clock = std::chrono::steady_clock;
    uint64_t ops = 0;
    auto start = Clock::now();
    double elapsed = 0;
    while (elapsed < kSeconds) {
        ops += batch();
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    auto ds = sys::direct_stats();
    (void)sys::write_all(1, fmt::format("disk_qd{} {:.0f}\ndisk_qd{}_direct_ops {} (fallbacks {})\n", depth,
                                        double(ops) / elapsed, depth, ds.ops, ds.fallbacks));
    return 0;
}
