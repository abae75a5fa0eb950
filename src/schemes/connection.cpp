#include "schemes/connection.h"

#include "schemes/direct.h"

#include <cstdio>
#include <cstdlib>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace redox::sys {

Connection& Connection::get() {
    static Connection* conn = new Connection();  // lives as long as the process
    return *conn;
}

Connection::Connection() {
    void* p = mmap(nullptr, sizeof(ProcShared), PROT_READ | PROT_WRITE, MAP_SHARED, kFdProcRegion, 0);
    void* g = mmap(nullptr, sizeof(GlobalShared), PROT_READ | PROT_WRITE, MAP_SHARED, kFdGlobalRegion, 0);
    if (p == MAP_FAILED || g == MAP_FAILED || static_cast<ProcShared*>(p)->magic != kProcMagic) {
        std::fprintf(stderr, "redox-sim: this program runs inside a sim (start it with redox-sim boot)\n");
        std::_Exit(127);
    }
    m_proc = static_cast<ProcShared*>(p);
    m_global = static_cast<GlobalShared*>(g);
}

void Connection::notify_kernel() {
    // The ring push before this is a release store; without a full fence the
    // load below may pass it (x86 store buffer) while the kernel-sim, having
    // just found every ring empty, goes to sleep: a lost wake-up.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (m_global->kernel_sleeping.load(std::memory_order_seq_cst)) {
        uint64_t one = 1;
        ssize_t r = ::write(kFdKernelBell, &one, sizeof one);
        (void)r;
    }
}

Cqe Connection::call(Sqe sqe) {
    std::lock_guard guard(m_lock);
    sqe.tag = m_next_tag++;
    if (m_next_tag == 0) m_next_tag = 1;
    auto& ring = m_proc->calls;
    while (!ring.push(sqe)) {
        notify_kernel();
        usleep(50);
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    notify_kernel();
    const uint32_t budget = spin_budget();
    for (;;) {
        uint32_t seen = m_proc->wake.seq.load(std::memory_order_seq_cst);
        if (auto c = m_proc->completions.pop()) {
            if (c->tag == sqe.tag) return *c;
            continue;  // a stale completion of a call that was abandoned
        }
        bool got = false;
        for (uint32_t i = 0; i < budget; ++i) {
            if (!m_proc->completions.empty()) { got = true; break; }
            cpu_relax();
        }
        if (got) continue;
        wait_wake(seen);
    }
}

void Connection::call_batch(std::span<Sqe> calls, std::span<Cqe> done) {
    std::lock_guard guard(m_lock);
    const size_t n = calls.size();
    if (n == 0) return;
    // No call of this process is outstanding while the lock is held, so the
    // batch may use tags 1..n; completions map back by tag - 1.
    for (size_t i = 0; i < n; ++i) calls[i].tag = uint32_t(i + 1);
    m_next_tag = uint32_t(n + 1);
    auto& out = m_proc->calls;
    auto& in = m_proc->completions;
    const uint32_t budget = spin_budget();
    size_t submitted = 0, completed = 0;
    while (completed < n) {
        bool pushed = false;
        while (submitted < n && submitted - completed < kRingSlots && out.push(calls[submitted])) {
            ++submitted;
            pushed = true;
        }
        if (pushed) {
            std::atomic_thread_fence(std::memory_order_seq_cst);
            notify_kernel();
        }
        uint32_t seen = m_proc->wake.seq.load(std::memory_order_seq_cst);
        bool got = false;
        while (auto c = in.pop()) {
            if (c->tag == 0 || c->tag > n) continue;  // stale: not a call of this batch
            done[c->tag - 1] = *c;
            ++completed;
            got = true;
        }
        if (got || completed == n) continue;
        for (uint32_t i = 0; i < budget && in.empty(); ++i) cpu_relax();
        if (in.empty()) wait_wake(seen);
    }
}

void Connection::wait_wake(uint32_t seen) {
    // The pidfd-free watchdog: PR_SET_PDEATHSIG kills us with the kernel-sim,
    // and a sleeper also checks its parent once a second.
    if (!m_proc->wake.wait(seen, 1'000'000'000) && getppid() != m_global->kernel_linux_pid) std::_Exit(137);
}

void Connection::wait_word(WaitWord& w, uint32_t seen) {
    if (!w.wait(seen, 1'000'000'000) && getppid() != m_global->kernel_linux_pid) std::_Exit(137);
}

void Connection::wait_wake_or(uint32_t seen, WaitWord& other, uint32_t other_seen) {
    if (!wait_either(m_proc->wake, seen, other, other_seen, 1'000'000'000) &&
        getppid() != m_global->kernel_linux_pid)
        std::_Exit(137);
}

Result<std::pair<int, uint64_t>> Connection::take_fd() {
    uint64_t value = 0;
    iovec iov{&value, sizeof value};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(kFdSideChannel, &msg, MSG_CMSG_CLOEXEC);
    if (n != sizeof value) return err(EIO_, "side channel");
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) return err(EIO_, "side channel: no fd");
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return std::pair{fd, value};
}

} // namespace redox::sys
