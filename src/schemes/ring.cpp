#include "schemes/ring.h"

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <linux/futex.h>
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

} // namespace redox
