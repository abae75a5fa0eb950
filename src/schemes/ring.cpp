#include "schemes/ring.h"

#include "schemes/direct.h"

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace redox {

static long futex(std::atomic<uint32_t>* addr, int op, uint32_t val, const timespec* ts) {
    return syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), op, val, ts, nullptr, 0);
}

void WaitWord::wake() {
    seq.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers.load(std::memory_order_seq_cst) != 0) futex(&seq, FUTEX_WAKE, INT32_MAX, nullptr);
}

bool WaitWord::wait(uint32_t seen, int64_t timeout_ns) {
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    timespec ts{};
    const timespec* tsp = nullptr;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1'000'000'000;
        ts.tv_nsec = timeout_ns % 1'000'000'000;
        tsp = &ts;
    }
    bool ok = true;
    if (seq.load(std::memory_order_seq_cst) == seen) {
        long r = futex(&seq, FUTEX_WAIT, seen, tsp);
        if (r != 0 && errno == ETIMEDOUT) ok = false;
    }
    sleepers.fetch_sub(1, std::memory_order_seq_cst);
    return ok;
}

bool wait_either(WaitWord& a, uint32_t seen_a, WaitWord& b, uint32_t seen_b, int64_t timeout_ns) {
    a.sleepers.fetch_add(1, std::memory_order_seq_cst);
    b.sleepers.fetch_add(1, std::memory_order_seq_cst);
    bool ok = true;
    if (a.seq.load(std::memory_order_seq_cst) == seen_a && b.seq.load(std::memory_order_seq_cst) == seen_b) {
        // Shared (not private) 32-bit futexes: the words live in memfd regions.
        futex_waitv w[2] = {};
        w[0].val = seen_a;
        w[0].uaddr = reinterpret_cast<uint64_t>(&a.seq);
        w[0].flags = FUTEX_32;
        w[1].val = seen_b;
        w[1].uaddr = reinterpret_cast<uint64_t>(&b.seq);
        w[1].flags = FUTEX_32;
        timespec ts{};
        const timespec* tsp = nullptr;
        if (timeout_ns >= 0) {
            // futex_waitv takes an absolute CLOCK_MONOTONIC deadline.
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t ns = ts.tv_nsec + timeout_ns % 1'000'000'000;
            ts.tv_sec += timeout_ns / 1'000'000'000 + ns / 1'000'000'000;
            ts.tv_nsec = ns % 1'000'000'000;
            tsp = &ts;
        }
        long r = syscall(SYS_futex_waitv, w, 2, 0, tsp, CLOCK_MONOTONIC);
        if (r < 0 && errno == ETIMEDOUT) ok = false;
    }
    b.sleepers.fetch_sub(1, std::memory_order_seq_cst);
    a.sleepers.fetch_sub(1, std::memory_order_seq_cst);
    return ok;
}

uint32_t spin_budget() {
    static const uint32_t budget = [] {
        if (const char* s = std::getenv("REDOX_SIM_SPIN")) return uint32_t(std::strtoul(s, nullptr, 10));
        // Sim processes block at once by default: a client, the kernel-sim and
        // a daemon take part in every call, more parties than this machine kind
        // has cores, and a spinning waiter holds the core its peer needs. The
        // kernel-sim spins instead (REDOX_SIM_KERNEL_SPIN_US).
        return uint32_t(0);
    }();
    return budget;
}

void CoreShare::yield() {
    timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    sched_yield();
    clock_gettime(CLOCK_MONOTONIC, &b);
    const uint64_t ns = uint64_t(b.tv_sec - a.tv_sec) * 1'000'000'000ull + uint64_t(b.tv_nsec) - uint64_t(a.tv_nsec);
    if (ns < m_fastest_ns) m_fastest_ns = ns;
    // Someone else ran: well over the fastest yield (which ran nobody), and
    // over a microsecond, so a slow clock read alone does not count.
    m_crowded = ns > 2 * m_fastest_ns && ns > 1000;
}

} // namespace redox
