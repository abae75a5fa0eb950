#include "kernel-sim/kernel.h"

#include "kernel-sim/namespaces.h"
#include "kernel-sim/process.h"
#include "kernel-sim/kschemes.h"

#include <cerrno>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <poll.h>
#include "kernel-sim/user_scheme.h"
#ifndef P_PIDFD
#define P_PIDFD idtype_t(3)
#endif
#include <unistd.h>

namespace redox::kernel {

namespace {
enum UringKind : uint64_t { U_BELL = 1, U_PIDFD = 2, U_SIGNAL = 3, U_HOSTPOLL = 4 };
uint64_t ud(UringKind k, uint64_t v) { return (uint64_t(k) << 56) | v; }

uint64_t mono_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}
} // namespace

Kernel::Kernel(BootOptions opts) : m_opts(std::move(opts)), m_namespaces(std::make_unique<Namespaces>()) {
    m_boot_real_ns = mono_ns();
    m_boot_ns = now_ns(CLOCK_MONOTONIC_);
}

Kernel::~Kernel() {
    for (auto& [pid, p] : m_procs) {
        if (p->state == ProcState::Running && p->linux_pid > 0) ::kill(p->linux_pid, SIGKILL);
        p->state = ProcState::Zombie;
    }
    for (auto& s : m_all_schemes)
        if (auto* u = as_user_scheme(s.get())) u->abandon_requests();
    // Descriptions must not call back into schemes while everything goes away.
    for (auto& [pid, p] : m_procs) {
        for (auto& [fd, f] : p->fds) f->kernel = nullptr;
        p->fds.clear();
    }
    for (auto& [pid, p] : m_procs) {
        if (p->pidfd >= 0) ::close(p->pidfd);
        if (p->side_fd >= 0) ::close(p->side_fd);
        if (p->shared) munmap(p->shared, sizeof(ProcShared));
        if (p->region_fd >= 0) ::close(p->region_fd);
    }
    m_procs.clear();
    if (m_ring.ring_fd > 0) io_uring_queue_exit(&m_ring);
    if (m_global) munmap(m_global, sizeof(GlobalShared));
    for (int fd : {m_global_fd, m_bell_fd, m_signal_fd})
        if (fd >= 0) ::close(fd);
}

Result<std::unique_ptr<Kernel>> Kernel::create(BootOptions opts) {
    std::unique_ptr<Kernel> k(new Kernel(std::move(opts)));
    TRY(k->init_io());
    if (!k->m_opts.trace_file.empty()) TRY(k->m_tracer.open(k->m_opts.trace_file));
    register_kernel_schemes(*k);
    return k;
}

Result<void> Kernel::init_io() {
    m_global_fd = memfd_create("redox-global", MFD_CLOEXEC);
    if (m_global_fd < 0 || ftruncate(m_global_fd, sizeof(GlobalShared)) != 0)
        return err(errno, "memfd for the global region");
    void* g = mmap(nullptr, sizeof(GlobalShared), PROT_READ | PROT_WRITE, MAP_SHARED, m_global_fd, 0);
    if (g == MAP_FAILED) return err(errno, "mmap global region");
    m_global = new (g) GlobalShared{};
    m_global->kernel_linux_pid = getpid();
    if (m_opts.virtual_time) m_global->virtual_now_ns.store(m_virtual_ns);
    m_bell_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_bell_fd < 0) return err(errno, "eventfd");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGWINCH);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    m_signal_fd = signalfd(-1, &set, SFD_CLOEXEC);
    if (m_signal_fd < 0) return err(errno, "signalfd");
    ::signal(SIGPIPE, SIG_IGN);
    int r = io_uring_queue_init(256, &m_ring, 0);
    if (r < 0) return err(-r, "io_uring_queue_init");
    arm_bell();
    arm_signals();
    return {};
}

void Kernel::arm_bell() {
    io_uring_sqe* s = io_uring_get_sqe(&m_ring);
    io_uring_prep_read(s, m_bell_fd, &m_bell_buf, sizeof m_bell_buf, 0);
    io_uring_sqe_set_data64(s, ud(U_BELL, 0));
}

void Kernel::arm_signals() {
    io_uring_sqe* s = io_uring_get_sqe(&m_ring);
    io_uring_prep_read(s, m_signal_fd, &m_sig_buf, sizeof m_sig_buf, 0);
    io_uring_sqe_set_data64(s, ud(U_SIGNAL, 0));
}

void Kernel::arm_pidfd(Process& p) {
    io_uring_sqe* s = io_uring_get_sqe(&m_ring);
    if (!s) { io_uring_submit(&m_ring); s = io_uring_get_sqe(&m_ring); }
    io_uring_prep_poll_add(s, p.pidfd, POLLIN);
    io_uring_sqe_set_data64(s, ud(U_PIDFD, p.pid));
}

uint64_t Kernel::poll_host_fd(int fd, std::function<void()> fn) {
    uint64_t id = m_next_poll++;
    m_host_polls[id] = HostPoll{fd, std::move(fn)};
    io_uring_sqe* s = io_uring_get_sqe(&m_ring);
    if (!s) { io_uring_submit(&m_ring); s = io_uring_get_sqe(&m_ring); }
    io_uring_prep_poll_add(s, fd, POLLIN);
    io_uring_sqe_set_data64(s, ud(U_HOSTPOLL, id));
    return id;
}

void Kernel::cancel_host_poll(uint64_t id) {
    if (!m_host_polls.erase(id)) return;
    io_uring_sqe* s = io_uring_get_sqe(&m_ring);
    if (!s) { io_uring_submit(&m_ring); s = io_uring_get_sqe(&m_ring); }
    // The removal and the cancelled poll both complete with ids no longer in
    // m_host_polls (0 is never one), which handle_uring ignores.
    io_uring_prep_poll_remove(s, ud(U_HOSTPOLL, id));
    io_uring_sqe_set_data64(s, ud(U_HOSTPOLL, 0));
}

Process* Kernel::process(uint32_t pid) {
    auto it = m_procs.find(pid);
    return it == m_procs.end() ? nullptr : it->second.get();
}

std::vector<Process*> Kernel::processes() {
    std::vector<Process*> out;
    for (auto& [pid, p] : m_procs) out.push_back(p.get());
    return out;
}

void Kernel::add_scheme(std::shared_ptr<Scheme> s) { m_all_schemes.push_back(std::move(s)); }

// Virtual CLOCK_REALTIME starts at 2026-01-01 00:00:00 UTC, so runs repeat.
static constexpr uint64_t kVirtualEpochNs = 1'767'225'600ull * 1'000'000'000ull;

uint64_t Kernel::real_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

Result<void> Kernel::advance_time(uint64_t ns) {
    if (!m_opts.virtual_time) return err(EINVAL_, "the clock is real (boot with --virtual-time)");
    m_virtual_ns += ns;
    m_global->virtual_now_ns.store(m_virtual_ns, std::memory_order_relaxed);
    return {};
}

// Direct channels are on unless REDOX_SIM_DIRECT=0 keeps them off (to compare
// or to see every request on the kernel path).
static constexpr bool kDirectByDefault = true;

bool Kernel::direct_enabled() const {
    static const bool on = [] {
        const char* s = std::getenv("REDOX_SIM_DIRECT");
        if (!s || !*s) return kDirectByDefault;
        return std::strcmp(s, "0") != 0;
    }();
    return on;
}

bool Kernel::quiescent() {
    if (rings_pending()) return false;
    for (auto& [pid, p] : m_procs) {
        if (p->state != ProcState::Running || p->stopped) continue;
        if (!p->shared || !p->shared->completions.empty() || !p->shared->calls.empty()) return false;
        if (p->shared->wake.sleepers.load(std::memory_order_seq_cst) == 0) return false;
    }
    for (auto& s : m_all_schemes)
        if (auto* u = as_user_scheme(s.get()); u && !u->idle()) return false;
    return true;
}

uint64_t Kernel::now_ns(int clock) const {
    if (m_opts.virtual_time) return clock == CLOCK_REALTIME_ ? kVirtualEpochNs + m_virtual_ns : m_virtual_ns;
    timespec ts;
    clock_gettime(clock == CLOCK_REALTIME_ ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

bool Kernel::copy_from(uint32_t pid, uint64_t addr, void* dst, size_t len) {
    if (len == 0) return true;
    Process* p = process(pid);
    if (!p || p->state != ProcState::Running) return false;
    iovec local{dst, len};
    iovec remote{reinterpret_cast<void*>(addr), len};
    return process_vm_readv(p->linux_pid, &local, 1, &remote, 1, 0) == ssize_t(len);
}

bool Kernel::copy_to(uint32_t pid, uint64_t addr, const void* src, size_t len) {
    if (len == 0) return true;
    Process* p = process(pid);
    if (!p || p->state != ProcState::Running) return false;
    iovec local{const_cast<void*>(src), len};
    iovec remote{reinterpret_cast<void*>(addr), len};
    return process_vm_writev(p->linux_pid, &local, 1, &remote, 1, 0) == ssize_t(len);
}

Result<std::string> Kernel::read_string(uint32_t pid, uint64_t addr, size_t len, size_t max) {
    if (len > max) return err(ENAMETOOLONG_);
    std::string s(len, '\0');
    if (!copy_from(pid, addr, s.data(), len)) return err(EFAULT_);
    return s;
}

void Kernel::post(Process& p, const Cqe& cqe) {
    if (p.state != ProcState::Running || !p.shared) return;
    while (!p.shared->completions.push(cqe)) {
        // The process is not reaping; it can only be stuck or dead. Give it a moment.
        p.shared->wake.wake();
        usleep(100);
        if (p.state != ProcState::Running) return;
    }
    wake_later(p);
}

void Kernel::wake_later(Process& p) {
    if (p.wake_pending) return;
    p.wake_pending = true;
    m_wakes.push_back(p.pid);
}

void Kernel::flush_wakes() {
    // One wake per process per pass of the loop, however many completions or
    // requests it got: a futex wake is a syscall, a ring push is not.
    for (uint32_t pid : m_wakes) {
        Process* p = process(pid);
        if (!p) continue;
        p->wake_pending = false;
        if (p->state == ProcState::Running && p->shared) p->shared->wake.wake();
    }
    m_wakes.clear();
}

void Kernel::complete(std::unique_ptr<KRequest> req, const Cqe& cqe) {
    if (req->done) {
        auto done = std::move(req->done);
        done(*this, *req, cqe);
    }
}

void Kernel::complete(std::unique_ptr<KRequest> req, Result<uint64_t> r) {
    Cqe c{};
    c.result = r ? *r : mux_error(r.error().errnum);
    complete(std::move(req), c);
}

void Kernel::subscribe(const Scheme* scheme, uint64_t number, std::weak_ptr<EventSink> sink, uint64_t token) {
    m_subs[{scheme, number}].push_back(Subscription{std::move(sink), token});
}

void Kernel::unsubscribe(const Scheme* scheme, uint64_t number, const EventSink* sink, uint64_t token) {
    auto it = m_subs.find({scheme, number});
    if (it == m_subs.end()) return;
    std::erase_if(it->second, [&](const Subscription& s) {
        auto l = s.sink.lock();
        return !l || (l.get() == sink && s.token == token);
    });
    if (it->second.empty()) m_subs.erase(it);
}

void Kernel::trigger(const Scheme* scheme, uint64_t number, uint32_t flags) {
    auto it = m_subs.find({scheme, number});
    if (it == m_subs.end()) return;
    auto subs = it->second;  // sinks may unsubscribe while we iterate
    for (auto& s : subs)
        if (auto l = s.sink.lock()) l->on_event(*this, s.token, flags);
}

uint64_t Kernel::add_timer(uint64_t deadline_ns, std::function<void()> fn) {
    uint64_t id = m_next_timer++;
    m_timers[id] = std::move(fn);
    m_timer_heap.push(Timer{deadline_ns, id});
    return id;
}

void Kernel::cancel_timer(uint64_t id) { m_timers.erase(id); }

void Kernel::set_host_deadline(uint64_t real_deadline_ns, std::function<void()> fn) {
    m_host_deadline = real_deadline_ns;
    m_host_deadline_fn = std::move(fn);
}

void Kernel::run_timers() {
    uint64_t now = now_ns(CLOCK_MONOTONIC_);
    while (!m_timer_heap.empty() && m_timer_heap.top().deadline <= now) {
        uint64_t id = m_timer_heap.top().id;
        m_timer_heap.pop();
        auto it = m_timers.find(id);
        if (it == m_timers.end()) continue;
        auto fn = std::move(it->second);
        m_timers.erase(it);
        fn();
    }
}

void Kernel::log(int level, std::string_view line) {
    std::string l = "kernel: ";
    l += line;
    if (l.back() != '\n') l += '\n';
    m_log += l;
    if (m_log.size() > (1 << 20)) m_log.erase(0, m_log.size() - (1 << 19));
    if (level <= m_opts.log_level) {
        ssize_t r = ::write(2, l.data(), l.size());
        (void)r;
    }
}

void Kernel::console_write(std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(m_opts.console_out, data.data(), data.size());
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return;
        }
        data.remove_prefix(size_t(n));
    }
}

bool Kernel::group_exists(uint32_t pgid) const {
    for (auto& [pid, p] : m_procs)
        if (p->pgid == pgid && p->state == ProcState::Running) return true;
    return false;
}

void Kernel::note_console_reader(uint32_t pid) {
    if (Process* p = process(pid)) m_console_pgid = p->pgid;
}

bool Kernel::interrupt_console() {
    if (m_console_pgid == 0 || !::isatty(m_opts.console_in)) return false;
    std::vector<Process*> group;
    for (auto& [pid, p] : m_procs)
        if (p->pgid == m_console_pgid && p->state == ProcState::Running && pid != 1) group.push_back(p.get());
    if (group.empty()) return false;
    log(2, "interrupt to console process group " + std::to_string(m_console_pgid));
    for (Process* p : group) signal(*p, SIGINT);
    return true;
}

// The host terminal changed size: the console's reader (getty) reads the new
// size from debug:winsize and passes it to the console's pty.
void Kernel::console_resized() {
    if (m_console_pgid == 0 || !::isatty(m_opts.console_in)) return;
    log(2, "host terminal resized; SIGWINCH to console process group " + std::to_string(m_console_pgid));
    for (auto& [pid, p] : m_procs)
        if (p->pgid == m_console_pgid && p->state == ProcState::Running && pid != 1) signal(*p, SIGWINCH);
}

void Kernel::shutdown(int status) {
    m_exit_status = status;
    m_running = false;
}

bool Kernel::rings_pending() {
    for (auto& [pid, p] : m_procs)
        if (p->state == ProcState::Running && !p->shared->calls.empty()) return true;
    for (auto& s : m_all_schemes)
        if (auto* u = as_user_scheme(s.get()); u && u->pending()) return true;
    return false;
}

bool Kernel::drain_rings() {
    bool any = false;
    // Collect first: dispatch may spawn or reap and change m_procs.
    std::vector<uint32_t> pids;
    pids.reserve(m_procs.size());
    for (auto& [pid, p] : m_procs)
        if (p->state == ProcState::Running) pids.push_back(pid);
    for (uint32_t pid : pids) {
        for (int budget = 64; budget > 0; --budget) {
            Process* p = process(pid);
            if (!p || p->state != ProcState::Running) break;
            auto sqe = p->shared->calls.pop();
            if (!sqe) break;
            any = true;
            ++m_calls;
            ++p->calls;
            dispatch(*p, *sqe);
        }
    }
    auto schemes = m_all_schemes;
    for (auto& s : schemes)
        if (auto* u = as_user_scheme(s.get())) any |= u->drain(*this);
    return any;
}

void Kernel::handle_uring(io_uring_cqe* cqe) {
    uint64_t data = io_uring_cqe_get_data64(cqe);
    auto kind = UringKind(data >> 56);
    uint64_t v = data & ((1ull << 56) - 1);
    switch (kind) {
    case U_BELL:
        arm_bell();
        break;
    case U_SIGNAL: {
        int signo = int(m_sig_buf.ssi_signo);
        arm_signals();
        if (cqe->res > 0 && signo == SIGCHLD) collect_stops();
        if (cqe->res > 0 && signo == SIGWINCH) console_resized();
        if (cqe->res > 0 && signo == SIGINT && interrupt_console()) break;
        if (cqe->res > 0 && (signo == SIGINT || signo == SIGTERM || signo == SIGHUP)) {
            log(1, "shutdown requested by host signal");
            shutdown(128 + signo);
        }
        break;
    }
    case U_PIDFD: {
        Process* p = process(uint32_t(v));
        if (p && p->state == ProcState::Running) {
            siginfo_t si{};
            if (waitid(P_PIDFD, p->pidfd, &si, WEXITED) == 0) {
                int status = si.si_code == CLD_EXITED ? (si.si_status & 0xff) << 8 : (si.si_status & 0x7f);
                reap(*p, status);
            }
        }
        break;
    }
    case U_HOSTPOLL: {
        auto it = m_host_polls.find(v);
        if (it != m_host_polls.end()) {
            auto fn = std::move(it->second.fn);
            m_host_polls.erase(it);
            fn();
        }
        break;
    }
    }
}

int Kernel::run() {
    // After work the kernel-sim spins for a while before it sleeps, so a busy
    // sim's next call costs no wake-up of the router; sim processes block.
    static const uint64_t spin_ns = [] {
        if (const char* s = std::getenv("REDOX_SIM_KERNEL_SPIN_US")) return uint64_t(std::strtoull(s, nullptr, 10) * 1000);
        return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? uint64_t(50'000) : uint64_t(0);
    }();
    uint64_t last_work = real_ns();
    while (m_running) {
        if (io_uring_sq_ready(&m_ring) > 0) io_uring_submit(&m_ring);
        bool work = drain_rings();
        run_timers();
        if (m_host_deadline && real_ns() >= m_host_deadline) {
            m_host_deadline = 0;
            auto fn = std::move(m_host_deadline_fn);
            fn();
        }
        // Reap what io_uring already has, without sleeping.
        io_uring_cqe* cqe;
        while (io_uring_peek_cqe(&m_ring, &cqe) == 0) {
            handle_uring(cqe);
            io_uring_cqe_seen(&m_ring, cqe);
            work = true;
        }
        flush_wakes();
        if (!m_running) break;
        if (work) {
            last_work = real_ns();
            continue;
        }
        bool spun = false;
        while (!spun && real_ns() - last_work < spin_ns) {
            for (int i = 0; i < 32; ++i) cpu_relax();
            spun = rings_pending();
        }
        if (spun) continue;
        m_global->kernel_sleeping.store(1, std::memory_order_seq_cst);
        if (rings_pending()) {
            m_global->kernel_sleeping.store(0, std::memory_order_seq_cst);
            continue;
        }
        __kernel_timespec ts{};
        __kernel_timespec* tsp = nullptr;
        while (!m_timer_heap.empty() && !m_timers.count(m_timer_heap.top().id)) m_timer_heap.pop();
        if (!m_timer_heap.empty()) {
            uint64_t now = now_ns(CLOCK_MONOTONIC_);
            uint64_t d = m_timer_heap.top().deadline;
            uint64_t wait = d > now ? d - now : 0;
            ts.tv_sec = int64_t(wait / 1'000'000'000);
            ts.tv_nsec = int64_t(wait % 1'000'000'000);
            tsp = &ts;
        }
        if (m_host_deadline) {
            uint64_t now = real_ns();
            uint64_t wait = m_host_deadline > now ? m_host_deadline - now : 0;
            if (!tsp || wait < uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec)) {
                ts.tv_sec = int64_t(wait / 1'000'000'000);
                ts.tv_nsec = int64_t(wait % 1'000'000'000);
                tsp = &ts;
            }
        }
        if (m_opts.virtual_time && !m_timer_heap.empty()) {
            // Virtual time: when nothing can happen but a timer, jump to it;
            // otherwise look again soon, as sleepers settle.
            if (quiescent()) {
                m_global->kernel_sleeping.store(0, std::memory_order_seq_cst);
                m_virtual_ns = std::max(m_virtual_ns, m_timer_heap.top().deadline);
                m_global->virtual_now_ns.store(m_virtual_ns, std::memory_order_relaxed);
                continue;
            }
            ts.tv_sec = 0;
            ts.tv_nsec = 200'000;
        }
        int r = io_uring_submit_and_wait_timeout(&m_ring, &cqe, 1, tsp, nullptr);
        m_global->kernel_sleeping.store(0, std::memory_order_seq_cst);
        (void)r;
    }
    return m_exit_status;
}

} // namespace redox::kernel
