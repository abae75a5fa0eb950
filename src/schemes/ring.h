// Single-producer single-consumer rings in shared memory, and the wait/wake
// primitive both sides use: an optional short spin, then a futex sleep.
//
// A ring never blocks its producer: push() fails when full and the producer
// retries after the consumer's next wake-up. Head and tail are free-running
// 32-bit counters on their own cache lines.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <optional>

namespace redox {

template <typename T, uint32_t N>
struct Ring {
    static_assert((N & (N - 1)) == 0, "ring size must be a power of two");
    alignas(64) std::atomic<uint32_t> head{0};  // consumer position
    alignas(64) std::atomic<uint32_t> tail{0};  // producer position
    alignas(64) T slots[N];

    bool push(const T& v) {
        uint32_t t = tail.load(std::memory_order_relaxed);
        if (t - head.load(std::memory_order_acquire) >= N) return false;
        slots[t & (N - 1)] = v;
        tail.store(t + 1, std::memory_order_release);
        return true;
    }
    // Pushes as many of n as fit and publishes them at once (the consumer sees
    // the whole batch or none of it). Returns how many went in.
    size_t push_many(const T* v, size_t n) {
        uint32_t t = tail.load(std::memory_order_relaxed);
        size_t room = N - (t - head.load(std::memory_order_acquire));
        if (n > room) n = room;
        for (size_t i = 0; i < n; ++i) slots[(t + uint32_t(i)) & (N - 1)] = v[i];
        tail.store(t + uint32_t(n), std::memory_order_release);
        return n;
    }
    std::optional<T> pop() {
        uint32_t h = head.load(std::memory_order_relaxed);
        if (h == tail.load(std::memory_order_acquire)) return std::nullopt;
        T v = slots[h & (N - 1)];
        head.store(h + 1, std::memory_order_release);
        return v;
    }
    bool empty() const {
        return head.load(std::memory_order_acquire) == tail.load(std::memory_order_acquire);
    }
    uint32_t free_slots() const {
        return N - (tail.load(std::memory_order_relaxed) - head.load(std::memory_order_acquire));
    }
};

// A futex word plus a "sleeping" flag, so that the waker only makes a syscall
// when the other side really sleeps.
struct WaitWord {
    alignas(64) std::atomic<uint32_t> seq{0};
    std::atomic<uint32_t> sleepers{0};

    // Wake whoever sleeps on this word. Cheap when nobody does.
    void wake();
    // Sleep until wake() is called after `seen` was read, or timeout_ns passes
    // (negative: forever). Returns false on timeout.
    bool wait(uint32_t seen, int64_t timeout_ns = -1);
};

// How long a sim process spins before it sleeps, in pause iterations:
// REDOX_SIM_SPIN, zero by default (see ring.cpp; the kernel-sim spins instead).
uint32_t spin_budget();

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

} // namespace redox
