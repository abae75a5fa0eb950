// bench-kernel-sim: the kernel-sim's figures against Linux baselines measured
// in the same run, as medians of several runs:
//   scheme round trip (8-byte read of zero)   vs  pipe ping-pong round trip
//   zero -> null copy, 4 KiB and 4 MiB blocks  vs  dd if=/dev/zero of=/dev/null
//     and the 4 KiB copy also vs its hand-off floor on this host (below)
//   the 4 KiB copy pipelined, 8/32/128 blocks in flight through call_batch,
//     and 32 interleaved (each batch writes 32 blocks and reads 32 more),
//     vs the same dd (a different loop from dd's: no goal of its own)
//   batched asynchronous submissions, ops/s    (goal >= 2 M)
//   boot of `minimal` to init done             vs  spawning dash -c true
// Usage: bench-kernel-sim [--runs N] [--redox-sim PATH]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <new>
#include <sched.h>
#include <spawn.h>
#include <sys/mman.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench-kernel-sim: %s\n", what.c_str());
    std::exit(1);
}

// Run argv, return its stdout; the exit status must be 0.
std::string run(const std::vector<std::string>& args) {
    int p[2];
    if (pipe(p) != 0) die("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) die("cannot run " + args[0]);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
    close(p[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die(args[0] + " failed: " + out);
    return out;
}

double pipe_pingpong_ns(int n) {
    int a[2], b[2];
    if (pipe(a) || pipe(b)) die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(a[1]);
        close(b[0]);
        uint64_t v;
        while (read(a[0], &v, 8) == 8)
            if (write(b[1], &v, 8) != 8) break;
        _exit(0);
    }
    close(a[0]);
    close(b[1]);
    uint64_t v = 0;
    auto once = [&] {
        if (write(a[1], &v, 8) != 8 || read(b[0], &v, 8) != 8) die("pipe ping-pong");
    };
    for (int i = 0; i < 1000; ++i) once();
    double t0 = now_s();
    for (int i = 0; i < n; ++i) once();
    double t = now_s() - t0;
    close(a[1]);  // the child reads end of file and exits
    waitpid(pid, nullptr, 0);
    close(b[0]);
    return t / n * 1e9;
}

// The hand-off floor of a synchronous copy through two daemons on this host:
// three plain Linux processes, a client, a "zero" and a "null", pass each
// 4 KiB block along through shared memory with no system call but
// sched_yield, pinned where they wait the least. With three cores or more each
// has its own and all spin. With two, two of them must share one: the client
// and "null" take turns there with sched_yield (two context switches a block,
// the least any placement needs) while "zero" spins on the other core. No sim
// code runs; this is the best the sim's copy could reach here.
struct Handoff {
    alignas(64) std::atomic<uint64_t> zero_req{0}, zero_done{0};
    alignas(64) std::atomic<uint64_t> null_req{0}, null_done{0};
    alignas(64) char block[4096];
};

void pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

// Wait until w reaches v: spin when the peer has its own core, else yield to it.
void await(const std::atomic<uint64_t>& w, uint64_t v, bool shared_core) {
    while (w.load(std::memory_order_acquire) != v) {
        if (shared_core) sched_yield();
        else __builtin_ia32_pause();
    }
}

double handoff_floor_mibs(uint64_t blocks) {
    const long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    // Cores of client, zero, null; and who shares a core with whom.
    const int c_cpu = 0, z_cpu = ncpu >= 2 ? 1 : 0, n_cpu = ncpu >= 3 ? 2 : 0;
    void* m = mmap(nullptr, sizeof(Handoff), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) die("mmap");
    auto* h = new (m) Handoff{};
    pid_t zero = fork();
    if (zero == 0) {
        pin_to(z_cpu);
        for (uint64_t i = 1; i <= blocks; ++i) {
            await(h->zero_req, i, z_cpu == c_cpu);
            std::memset(h->block, 0, sizeof h->block);
            h->zero_done.store(i, std::memory_order_release);
        }
        _exit(0);
    }
    pid_t null = fork();
    if (null == 0) {
        pin_to(n_cpu);
        for (uint64_t i = 1; i <= blocks; ++i) {
            await(h->null_req, i, n_cpu == c_cpu);
            h->null_done.store(i, std::memory_order_release);
        }
        _exit(0);
    }
    cpu_set_t before;
    sched_getaffinity(0, sizeof before, &before);
    pin_to(c_cpu);
    char buf[4096];
    double t0 = now_s();
    for (uint64_t i = 1; i <= blocks; ++i) {
        h->zero_req.store(i, std::memory_order_release);
        await(h->zero_done, i, z_cpu == c_cpu);
        std::memcpy(buf, h->block, sizeof buf);
        h->null_req.store(i, std::memory_order_release);
        await(h->null_done, i, n_cpu == c_cpu);
    }
    double t = now_s() - t0;
    sched_setaffinity(0, sizeof before, &before);
    waitpid(zero, nullptr, 0);
    waitpid(null, nullptr, 0);
    munmap(m, sizeof(Handoff));
    if (buf[0] != 0) die("hand-off floor: the block was not zeroed");
    return double(blocks) * 4096 / t / (1 << 20);
}

double dd_mibs(uint64_t block, uint64_t total) {
    double t0 = now_s();
    run({"dd", "if=/dev/zero", "of=/dev/null", fmt::format("bs={}", block), fmt::format("count={}", total / block),
         "status=none"});
    return double(total) / (now_s() - t0) / (1 << 20);
}

double boot_ms(const std::string& sim) {
    double t0 = now_s();
    run({sim, "boot", "--config", "minimal", "--exec", "true"});
    return (now_s() - t0) * 1e3;
}

double dash_ms() {
    double t0 = now_s();
    run({"dash", "-c", "true"});
    return (now_s() - t0) * 1e3;
}

// Blocks in flight in the pipelined 4 KiB copy.
constexpr int kPipeDepths[] = {8, 32, 128};
constexpr int kInterleavedDepth = 32;

// One boot running every in-sim measurement; returns NAME -> value.
std::map<std::string, double> sim_figures(const std::string& sim) {
    std::vector<std::string> args{sim, "boot", "--config", "minimal", "--timeout", "300"};
    for (auto line : {"simbench roundtrip 20000", "simbench copy 4096 134217728", "simbench copy 4194304 2147483648",
                      "simbench batch kernel 1000000", "simbench batch daemon 200000", "simbench batch read 200000"}) {
        args.push_back("--exec");
        args.push_back(line);
    }
    for (int d : kPipeDepths) {
        args.push_back("--exec");
        args.push_back(fmt::format("simbench pipecopy 4096 {} 268435456", d));
    }
    args.push_back("--exec");
    args.push_back(fmt::format("simbench pipecopy 4096 {} 268435456 interleaved", kInterleavedDepth));
    std::string out = run(args);
    std::map<std::string, double> m;
    size_t pos = 0;
    while (pos < out.size()) {
        size_t eol = out.find('\n', pos);
        std::string line = out.substr(pos, eol - pos);
        pos = eol == std::string::npos ? out.size() : eol + 1;
        char name[64];
        double v;
        if (std::sscanf(line.c_str(), "%63s %lf", name, &v) == 2) m[name] = v;
    }
    for (auto k : {"roundtrip_ns", "copy_4096", "copy_4194304", "batch_kernel", "batch_daemon", "batch_read"})
        if (!m.count(k)) die(std::string("the sim printed no ") + k + ": " + out);
    for (int d : kPipeDepths)
        if (!m.count(fmt::format("pipecopy_4096_{}", d))) die(fmt::format("the sim printed no pipecopy_4096_{}: {}", d, out));
    if (!m.count(fmt::format("pipecopy_4096_{}_interleaved", kInterleavedDepth)))
        die(fmt::format("the sim printed no pipecopy_4096_{}_interleaved: {}", kInterleavedDepth, out));
    return m;
}

} // namespace

int main(int argc, char** argv) {
    int runs = 5;
    std::string sim = REDOX_SIM_PATH;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
        else if (a == "--redox-sim" && i + 1 < argc) sim = argv[++i];
        else die("usage: bench-kernel-sim [--runs N] [--redox-sim PATH]");
    }
    std::map<std::string, std::vector<double>> f;
    for (int r = 0; r < runs; ++r) {
        f["pipe_ns"].push_back(pipe_pingpong_ns(20000));
        f["dd_4096"].push_back(dd_mibs(4096, 134217728));
        f["dd_4194304"].push_back(dd_mibs(4194304, 2147483648ull));
        f["floor_4096"].push_back(handoff_floor_mibs(100000));
        for (auto& [k, v] : sim_figures(sim)) f[k].push_back(v);
        f["boot_ms"].push_back(boot_ms(sim));
        f["dash_ms"].push_back(dash_ms());
    }
    auto m = [&](const char* k) { return median(f[k]); };
    fmt::print("kernel-sim benchmarks, medians of {} runs ({} CPUs)\n", runs, sysconf(_SC_NPROCESSORS_ONLN));
    fmt::print("{:<34} {:>14} {:>16} {:>8}  {}\n", "figure", "redox-sim", "baseline", "ratio", "goal");
    fmt::print("{:<34} {:>11.0f} ns {:>13.0f} ns {:>7.2f}x  {}\n", "round trip (zero 8 B / pipe)", m("roundtrip_ns"),
               m("pipe_ns"), m("roundtrip_ns") / m("pipe_ns"), "<= 1.0x time");
    fmt::print("{:<34} {:>8.0f} MiB/s {:>10.0f} MiB/s {:>7.2f}x  {}\n", "zero->null 4 KiB (vs dd)", m("copy_4096"),
               m("dd_4096"), m("copy_4096") / m("dd_4096"), ">= 0.5x");
    fmt::print("{:<34} {:>8.0f} MiB/s {:>10.0f} MiB/s {:>7.2f}x  {}\n", "  its hand-off floor here (vs dd)", m("floor_4096"),
               m("dd_4096"), m("floor_4096") / m("dd_4096"), "none (3 plain processes, pinned; see source)");
    fmt::print("{:<34} {:>8.0f} MiB/s {:>10.0f} MiB/s {:>7.2f}x  {}\n", "zero->null 4 KiB (vs that floor)", m("copy_4096"),
               m("floor_4096"), m("copy_4096") / m("floor_4096"), "none");
    for (int d : kPipeDepths) {
        double v = m(fmt::format("pipecopy_4096_{}", d).c_str());
        fmt::print("{:<34} {:>8.0f} MiB/s {:>10.0f} MiB/s {:>7.2f}x  {}\n",
                   fmt::format("pipelined 4 KiB, {} in flight", d), v, m("dd_4096"), v / m("dd_4096"),
                   "none (batched, not dd's loop)");
    }
    {
        double v = m(fmt::format("pipecopy_4096_{}_interleaved", kInterleavedDepth).c_str());
        fmt::print("{:<34} {:>8.0f} MiB/s {:>10.0f} MiB/s {:>7.2f}x  {}\n",
                   fmt::format("pipelined 4 KiB, {}+{} interleaved", kInterleavedDepth, kInterleavedDepth), v,
                   m("dd_4096"), v / m("dd_4096"), "none (batched, not dd's loop)");
    }
    fmt::print("{:<34} {:>8.0f} MiB/s {:>10.0f} MiB/s {:>7.2f}x  {}\n", "zero->null 4 MiB (vs dd)", m("copy_4194304"),
               m("dd_4194304"), m("copy_4194304") / m("dd_4194304"), ">= 0.25x");
    for (auto [k, what] : {std::pair{"batch_kernel", "batched lseek (kernel-sim only)"},
                           std::pair{"batch_daemon", "batched Fsize (file scheme trip)"},
                           std::pair{"batch_read", "batched 8 B reads of zero"}})
        fmt::print("{:<34} {:>7.2f} Mops/s {:>16} {:>8}  {}\n", what, m(k) / 1e6, "", "", ">= 2 Mops/s");
    fmt::print("{:<34} {:>11.1f} ms {:>13.1f} ms {:>7.2f}x  {}\n", "boot minimal + shutdown (vs dash)", m("boot_ms"),
               m("dash_ms"), m("boot_ms") / m("dash_ms"), "<= 50 ms");
    return 0;
}
