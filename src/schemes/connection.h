// The process's connection to the kernel-sim: its ProcShared ring pair, the
// kernel doorbell and the side channel for memfds. Internal to libredox and
// the scheme server framework.
#pragma once

#include "schemes/error.h"
#include "schemes/shared.h"

#include <mutex>
#include <span>
#include <vector>

namespace redox::sys {

class Connection {
public:
    // The process-wide connection, mapped on first use from the inherited fds.
    static Connection& get();

    // Submit one call and wait for its completion. Returns the Cqe. Threads
    // may call at once: each waits for its own tag, and whoever reaps a
    // sibling's completion keeps it for that sibling and wakes it.
    Cqe call(Sqe sqe);
    // Submit every call without waiting for the one before (at most a ring's
    // worth in flight) and collect the completions, which may arrive in any
    // order; done[i] is the completion of calls[i]. Tags are assigned here.
    void call_batch(std::span<Sqe> calls, std::span<Cqe> done);
    // Receive a Linux fd the kernel sent on the side channel for the call that
    // just completed, and the u64 that came with it. Hold side_channel() from
    // before that call until the fds are taken, so threads do not swap them.
    Result<std::pair<int, uint64_t>> take_fd();
    std::unique_lock<std::mutex> side_channel() { return std::unique_lock(m_side); }

    void notify_kernel();
    // Sleep on the wake word; exits the process if the kernel-sim is gone.
    void wait_wake(uint32_t seen);
    // Sleep on another wait word (a direct channel's), with the same watchdog.
    void wait_word(WaitWord& w, uint32_t seen);
    // Sleep until the wake word moves past `seen` or `other` past `other_seen`.
    void wait_wake_or(uint32_t seen, WaitWord& other, uint32_t other_seen);
    ProcShared* shared() const { return m_proc; }
    uint32_t sim_pid() const { return m_proc->sim_pid; }

private:
    Connection();
    ProcShared* m_proc = nullptr;
    GlobalShared* m_global = nullptr;
    // Tags [first, first + count): a call's one, or a batch's.
    struct TagRange {
        uint32_t first, count;
        bool has(uint32_t tag) const { return tag - first < count; }
    };
    // A fresh range of n tags that no call in flight uses (never tag 0).
    TagRange new_tags_locked(uint32_t n);
    // Move every completion on the ring into m_done (dropping stale ones) and
    // wake siblings whose answers came; m_lock held.
    void reap_locked(TagRange mine);
    void finish_locked(TagRange r);

    std::mutex m_lock;  // the call ring, tags and the answers below
    std::mutex m_side;  // one fd-returning call at a time
    uint32_t m_next_tag = 1;
    std::vector<TagRange> m_waiting;  // calls in flight (few: one per waiting thread)
    std::vector<Cqe> m_done;          // answers reaped, not yet taken by their caller
};

} // namespace redox::sys
