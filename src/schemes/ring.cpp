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
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        return cpus > 1 ? uint32_t(2000) : uint32_t(0);
    }();
    return budget;
}

} // namespace redox
