// simbench: the kernel-sim's figures measured from inside a sim. Each mode
// prints one line "NAME VALUE UNIT" that bench-kernel-sim reads.
//   simbench roundtrip N        8-byte reads of /scheme/zero, one at a time
//   simbench copy BLOCK TOTAL   /scheme/zero -> /scheme/null in BLOCK-byte reads and writes
//                               (and how many of them went through direct channels)
//   simbench pipecopy BLOCK DEPTH TOTAL [interleaved]
//                               the same copy pipelined: DEPTH reads of zero into DEPTH
//                               buffers as one call_batch, then their DEPTH writes to null
//                               as the next one; interleaved, each call_batch writes the
//                               blocks the previous one read and reads DEPTH more into a
//                               second set of buffers; every result must be the whole block
//   simbench batch KIND N       N calls submitted in batches of 256 (KIND: kernel, daemon, read)
#include "schemes/libredox.h"
#include "schemes/direct_client.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fmt/format.h>
#include <string>
#include <vector>

using namespace redox;

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void die(const std::string& what) {
    (void)sys::write_all(2, "simbench: " + what + "\n");
    sys::exit(1);
}

template <typename T>
T must(Result<T> r, const std::string& what) {
    if (!r) die(what + ": " + r.error().message());
    return std::move(*r);
}

uint64_t number(const char* s) {
    char* end = nullptr;
    uint64_t v = std::strtoull(s, &end, 10);
    if (!end || *end || v == 0) die(std::string("not a positive number: ") + s);
    return v;
}

void print(const std::string& line) { (void)sys::write_all(1, line + "\n"); }

int roundtrip(uint64_t n) {
    int fd = must(sys::open("/scheme/zero", O_RDONLY_), "open /scheme/zero");
    uint64_t v = 1;
    for (int i = 0; i < 1000; ++i) must(sys::read(fd, &v, sizeof v), "read");
    double t0 = now_s();
    for (uint64_t i = 0; i < n; ++i) must(sys::read(fd, &v, sizeof v), "read");
    double t = now_s() - t0;
    if (v != 0) die("zero read a non-zero byte");
    print(fmt::format("roundtrip_ns {:.0f} ns", t / double(n) * 1e9));
    return 0;
}

int copy(uint64_t block, uint64_t total) {
    int in = must(sys::open("/scheme/zero", O_RDONLY_), "open /scheme/zero");
    int out = must(sys::open("/scheme/null", O_WRONLY_), "open /scheme/null");
    std::vector<char> buf(block, 1);
    uint64_t moved = 0;
    double t0 = now_s();
    while (moved < total) {
        size_t got = must(sys::read(in, buf.data(), block), "read");
        if (got == 0) die("zero reached end of file");
        size_t put = must(sys::write(out, buf.data(), got), "write");
        if (put != got) die("short write to null");
        moved += got;
    }
    double t = now_s() - t0;
    if (std::any_of(buf.begin(), buf.end(), [](char c) { return c != 0; })) die("zero read non-zero bytes");
    print(fmt::format("copy_{} {:.1f} MiB/s", block, double(moved) / t / (1 << 20)));
    // Whether both fds had channels: a block that took the kernel path shows here.
    auto ds = sys::direct_stats();
    print(fmt::format("copy_{}_direct_ops {} (channels {}, fallbacks {})", block, ds.ops, ds.attached, ds.fallbacks));
    return 0;
}

// The copy with DEPTH blocks in flight through the asynchronous batch API:
// one call_batch reads zero into DEPTH distinct buffers, the next writes
// those buffers to null, so no write is submitted before its read completed.
// Interleaved, with two sets of DEPTH buffers: each call_batch writes the set
// the previous one read and reads the other set.
int pipecopy(uint64_t block, uint64_t depth, uint64_t total, bool interleaved) {
    if (block > kMaxTransfer) die(fmt::format("block {} is larger than a transfer ({})", block, kMaxTransfer));
    if (depth > 4096) die(fmt::format("depth {} is larger than 4096", depth));
    if (total < block) die(fmt::format("total {} is less than one block of {}", total, block));
    int in = must(sys::open("/scheme/zero", O_RDONLY_), "open /scheme/zero");
    int out = must(sys::open("/scheme/null", O_WRONLY_), "open /scheme/null");
    const size_t sets = interleaved ? 2 : 1;
    if (block * depth * sets > (1ull << 30))
        die(fmt::format("{} buffers of {} bytes are more than 1 GiB", depth * sets, block));
    std::vector<char> bufs(block * depth * sets, 1);
    std::vector<Sqe> calls;
    calls.reserve(2 * depth);
    std::vector<Cqe> done(2 * depth);
    auto call = [&](int fd, Opcode op, size_t set, size_t i) {
        Sqe s{};
        s.opcode = uint8_t(op);
        s.args[0] = uint64_t(fd);
        s.args[1] = reinterpret_cast<uint64_t>(bufs.data() + (set * depth + i) * block);
        s.args[2] = block;
        s.args[3] = ~uint64_t(0);  // at the fd's position
        calls.push_back(s);
    };
    uint64_t moved = 0;
    auto run = [&](uint64_t bytes) {
        uint64_t left = bytes / block;  // blocks still to read
        size_t pending = 0, set = 0;    // blocks read into `set`, not yet written
        while (left > 0 || pending > 0) {
            calls.clear();
            for (size_t i = 0; i < pending; ++i) call(out, Opcode::Write, set, i);
            // Split: a batch either writes or reads.
            size_t reads = interleaved || pending == 0 ? size_t(std::min<uint64_t>(left, depth)) : 0;
            size_t next = interleaved ? 1 - set : set;
            for (size_t i = 0; i < reads; ++i) call(in, Opcode::Read, next, i);
            sys::call_batch(calls, std::span(done.data(), calls.size()));
            for (size_t i = 0; i < calls.size(); ++i) {
                const char* what = i < pending ? "write to null" : "read of zero";
                if (is_error(done[i].result))
                    die(fmt::format("pipelined {} failed: errno {}", what, demux_error(done[i].result)));
                if (done[i].result != block)
                    die(fmt::format("pipelined {} moved {} of {} bytes", what, done[i].result, block));
            }
            moved += pending * block;
            left -= reads;
            pending = reads;
            set = next;
        }
    };
    // The first calls take the kernel path until both fds get their channels.
    run(std::max<uint64_t>(depth, 4) * sets * block * 4);
    moved = 0;
    auto before = sys::direct_stats();
    double t0 = now_s();
    run(total);
    double t = now_s() - t0;
    if (std::any_of(bufs.begin(), bufs.end(), [](char c) { return c != 0; })) die("zero read non-zero bytes");
    std::string name = fmt::format("pipecopy_{}_{}{}", block, depth, interleaved ? "_interleaved" : "");
    print(fmt::format("{} {:.1f} MiB/s", name, double(moved) / t / (1 << 20)));
    auto ds = sys::direct_stats();
    print(fmt::format("{}_direct_ops {} of {} (fallbacks {})", name, ds.ops - before.ops, 2 * moved / block,
                      ds.fallbacks - before.fallbacks));
    return 0;
}

int batch(const std::string& kind, uint64_t n) {
    // kernel: lseek SEEK_CUR, answered by the kernel-sim alone;
    // daemon: lseek SEEK_END, a round trip to the file scheme (Fsize) without data;
    // read: 8-byte reads of zero, a daemon round trip plus a copy.
    bool read = kind == "read";
    if (!read && kind != "kernel" && kind != "daemon") die("batch KIND must be kernel, daemon or read");
    int fd = read ? must(sys::open("/scheme/zero", O_RDONLY_), "open /scheme/zero")
                  : must(sys::open("/etc/init.rc.bench", O_RDWR_ | O_CREAT_), "create /etc/init.rc.bench");
    constexpr size_t kBatch = 256;
    std::vector<Sqe> calls(kBatch);
    std::vector<Cqe> done(kBatch);
    std::vector<uint64_t> sink(kBatch);
    for (size_t i = 0; i < kBatch; ++i) {
        Sqe& s = calls[i];
        s = Sqe{};
        if (read) {
            s.opcode = uint8_t(Opcode::Read);
            s.args[0] = uint64_t(fd); s.args[1] = reinterpret_cast<uint64_t>(&sink[i]);
            s.args[2] = 8; s.args[3] = ~uint64_t(0);
        } else {
            s.opcode = uint8_t(KernelOp::Lseek);
            s.args[0] = uint64_t(fd); s.args[1] = 0; s.args[2] = kind == "kernel" ? 1 : 2;
        }
    }
    auto run = [&](uint64_t count) {
        for (uint64_t left = count; left > 0;) {
            size_t m = size_t(std::min<uint64_t>(left, kBatch));
            sys::call_batch(std::span(calls.data(), m), std::span(done.data(), m));
            for (size_t i = 0; i < m; ++i)
                if (is_error(done[i].result)) die(fmt::format("batched call failed: errno {}", demux_error(done[i].result)));
            left -= m;
        }
    };
    run(kBatch * 4);
    double t0 = now_s();
    run(n);
    double t = now_s() - t0;
    if (!read) (void)sys::unlink("/etc/init.rc.bench");
    print(fmt::format("batch_{} {:.0f} ops/s", kind, double(n) / t));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "roundtrip" && argc == 3) return roundtrip(number(argv[2]));
    if (mode == "copy" && argc == 4) return copy(number(argv[2]), number(argv[3]));
    if (mode == "pipecopy" && (argc == 5 || (argc == 6 && std::string(argv[5]) == "interleaved")))
        return pipecopy(number(argv[2]), number(argv[3]), number(argv[4]), argc == 6);
    if (mode == "batch" && argc == 4) return batch(argv[2], number(argv[3]));
    die("usage: simbench roundtrip N | copy BLOCK TOTAL | pipecopy BLOCK DEPTH TOTAL [interleaved] | batch kernel|daemon|read N");
}
