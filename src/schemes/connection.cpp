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

Connection::TagRange Connection::new_tags_locked(uint32_t n) {
    for (;;) {
        TagRange r{m_next_tag, n};
        m_next_tag += n;
        if (m_next_tag < r.first) m_next_tag = 1;  // wrapped: start again at 1
        if (r.first == 0 || r.first + n < r.first) continue;
        bool used = false;
        for (const TagRange& w : m_waiting) used |= r.first < w.first + w.count && w.first < r.first + n;
        if (!used) {
            m_waiting.push_back(r);
            return r;
        }
    }
}

void Connection::finish_locked(TagRange r) {
    for (size_t i = 0; i < m_waiting.size(); ++i)
        if (m_waiting[i].first == r.first) {
            m_waiting[i] = m_waiting.back();
            m_waiting.pop_back();
            return;
        }
}

void Connection::reap_locked(TagRange mine) {
    bool theirs = false;
    while (auto c = m_proc->completions.pop()) {
        bool waited = false;
        for (const TagRange& w : m_waiting) waited |= w.has(c->tag);
        if (!waited) continue;  // a stale answer of a call that was abandoned
        m_done.push_back(*c);
        theirs |= !mine.has(c->tag);
    }
    // A sibling thread may sleep on the wake word waiting for what we took.
    if (theirs) m_proc->wake.wake();
}

namespace {
// This thread's Linux id, which the kernel-sim keeps with each call so that a
// signal interrupts only the calls of the thread that takes it.
uint64_t this_thread_id() {
    thread_local const uint64_t tid = uint64_t(::gettid());
    return tid;
}
} // namespace

Cqe Connection::call(Sqe sqe) {
    sqe.caller = this_thread_id();
    TagRange mine{};
    {
        std::lock_guard guard(m_lock);
        mine = new_tags_locked(1);
        sqe.tag = mine.first;
        auto& ring = m_proc->calls;
        while (!ring.push(sqe)) {
            notify_kernel();
            usleep(50);
        }
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    notify_kernel();
    const uint32_t budget = spin_budget();
    for (;;) {
        uint32_t seen = m_proc->wake.seq.load(std::memory_order_seq_cst);
        {
            std::lock_guard guard(m_lock);
            reap_locked(mine);
            for (size_t i = 0; i < m_done.size(); ++i) {
                if (m_done[i].tag != sqe.tag) continue;
                Cqe c = m_done[i];
                m_done[i] = m_done.back();
                m_done.pop_back();
                finish_locked(mine);
                return c;
            }
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
    const size_t n = calls.size();
    if (n == 0) return;
    TagRange mine{};
    {
        std::lock_guard guard(m_lock);
        mine = new_tags_locked(uint32_t(n));
    }
    for (size_t i = 0; i < n; ++i) {
        calls[i].tag = mine.first + uint32_t(i);
        calls[i].caller = this_thread_id();
    }
    auto& out = m_proc->calls;
    const uint32_t budget = spin_budget();
    size_t submitted = 0, completed = 0;
    while (completed < n) {
        uint32_t seen = m_proc->wake.seq.load(std::memory_order_seq_cst);
        bool pushed = false, got = false;
        {
            std::lock_guard guard(m_lock);
            while (submitted < n && submitted - completed < kRingSlots && out.push(calls[submitted])) {
                ++submitted;
                pushed = true;
            }
            reap_locked(mine);
            for (size_t i = 0; i < m_done.size();) {
                if (!mine.has(m_done[i].tag)) { ++i; continue; }
                done[m_done[i].tag - mine.first] = m_done[i];
                m_done[i] = m_done.back();
                m_done.pop_back();
                ++completed;
                got = true;
            }
            if (completed == n) finish_locked(mine);
        }
        if (pushed) {
            std::atomic_thread_fence(std::memory_order_seq_cst);
            notify_kernel();
        }
        if (got || pushed || completed == n) continue;
        for (uint32_t i = 0; i < budget && m_proc->completions.empty(); ++i) cpu_relax();
        if (m_proc->completions.empty()) wait_wake(seen);
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
