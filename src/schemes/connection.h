// The process's connection to the kernel-sim: its ProcShared ring pair, the
// kernel doorbell and the side channel for memfds. Internal to libredox and
// the scheme server framework.
#pragma once

#include "schemes/error.h"
#include "schemes/shared.h"

#include <mutex>
#include <span>

namespace redox::sys {

class Connection {
public:
    // The process-wide connection, mapped on first use from the inherited fds.
    static Connection& get();

    // Submit one call and wait for its completion. Returns the Cqe.
    Cqe call(Sqe sqe);
    // Submit every call without waiting for the one before (at most a ring's
    // worth in flight) and collect the completions, which may arrive in any
    // order; done[i] is the completion of calls[i]. Tags are assigned here.
    void call_batch(std::span<Sqe> calls, std::span<Cqe> done);
    // Receive a Linux fd the kernel sent on the side channel for the call that
    // just completed, and the u64 that came with it.
    Result<std::pair<int, uint64_t>> take_fd();

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
    std::mutex m_lock;
    uint32_t m_next_tag = 1;
};

} // namespace redox::sys
