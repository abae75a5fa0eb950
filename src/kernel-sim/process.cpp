// Process lifecycle: spawn (fork + exec of a memfd), signals, exit, reaping,
// waitpid, and the containment of a crashed daemon.
#include "kernel-sim/direct.h"
#include "kernel-sim/kernel.h"
#include "kernel-sim/kschemes.h"
#include "kernel-sim/namespaces.h"
#include "kernel-sim/process.h"
#include "kernel-sim/routing.h"
#include "kernel-sim/user_scheme.h"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sched.h>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <utility>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace redox::kernel {

FileDescription::~FileDescription() {
    if (!kernel) return;
    if (direct) {
        direct_revoke(*kernel, *this);  // the daemon drops the channel before the file
        kernel->direct_channels().erase(direct->id);
    }
    if (auto s = scheme.lock()) s->close(*kernel, number);
}

namespace {

// What a new process needs between clone and exec, prepared by the kernel-sim.
struct ChildSetup {
    pid_t kernel_pid;
    int src[5];     // proc region, kernel bell, side channel, global region, executable
    int devnull;
    char** argv;
    char** envp;
};

// The new process until execveat. It is cloned with CLONE_VM | CLONE_VFORK, like
// posix_spawn: it shares the kernel-sim's memory (no page tables to copy, which
// made every spawn of a large kernel-sim costly) and runs on a stack of its own
// while the kernel-sim waits, so it only makes system calls.
int child_main(void* arg) {
    const auto* c = static_cast<const ChildSetup*>(arg);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != c->kernel_pid) _exit(127);
    // Out of the host terminal's process group: Ctrl-C reaches only the
    // kernel-sim, which decides whom it interrupts.
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, nullptr);
    // Move the inherited fds out of the way of their fixed slots first.
    int src[5];
    for (int i = 0; i < 5; ++i) src[i] = fcntl(c->src[i], F_DUPFD_CLOEXEC, 64);
    if (c->devnull >= 0) { dup2(c->devnull, 0); dup2(c->devnull, 1); }
    dup2(src[0], kFdProcRegion);
    dup2(src[1], kFdKernelBell);
    dup2(src[2], kFdSideChannel);
    dup2(src[3], kFdGlobalRegion);
    int exe = dup2(src[4], kFdFirstFree);
    syscall(SYS_close_range, kFdFirstFree + 1, ~0u, 0);
    fcntl(exe, F_SETFD, FD_CLOEXEC);
    syscall(SYS_execveat, exe, "", c->argv, c->envp, AT_EMPTY_PATH);
    _exit(127);
}

// One stack serves every spawn: CLONE_VFORK returns only after the child has
// exec'd or exited.
void* child_stack_top() {
    static constexpr size_t kSize = 256 * 1024;
    static void* stack = [] {
        void* p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        return p == MAP_FAILED ? nullptr : p;
    }();
    return stack ? static_cast<char*>(stack) + kSize : nullptr;
}

} // namespace

void Kernel::insert_process(std::unique_ptr<Process> p) {
    uint32_t pid = p->pid;
    m_procs[pid] = std::move(p);
    arm_pidfd(*m_procs[pid]);
}

Result<uint32_t> Kernel::spawn(Process* parent, int exec_fd, const std::vector<std::string>& argv,
                               const std::vector<std::string>& env,
                               const std::vector<std::pair<int, int>>& fds, int64_t pgid) {
    auto p = std::make_unique<Process>();
    p->pid = alloc_pid();
    p->ppid = parent ? parent->pid : 0;
    if (parent) {
        p->ruid = parent->ruid; p->euid = parent->euid; p->rgid = parent->rgid; p->egid = parent->egid;
        p->rns = parent->rns; p->ens = parent->ens;
        p->pgid = pgid == 0 ? p->pid : pgid > 0 ? uint32_t(pgid) : parent->pgid;
    } else {
        p->pgid = p->pid;
    }
    p->argv = argv;
    std::string base = argv.empty() ? "?" : argv[0];
    if (auto slash = base.rfind('/'); slash != std::string::npos) base = base.substr(slash + 1);
    p->name = base;
    p->start_ns = now_ns(CLOCK_MONOTONIC_);

    p->region_fd = memfd_create("redox-proc", MFD_CLOEXEC);
    if (p->region_fd < 0 || ftruncate(p->region_fd, sizeof(ProcShared)) != 0)
        return err(ENOMEM_, "process region");
    void* m = mmap(nullptr, sizeof(ProcShared), PROT_READ | PROT_WRITE, MAP_SHARED, p->region_fd, 0);
    if (m == MAP_FAILED) return err(ENOMEM_, "process region");
    p->shared = new (m) ProcShared{};
    p->shared->magic = kProcMagic;
    p->shared->sim_pid = p->pid;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return err(ENOMEM_, "side channel");
    p->side_fd = sv[0];

    // Everything the child needs is prepared before the clone (child_main).
    std::vector<std::string> envs = env;
    envs.push_back("REDOX_SIM=1");
    std::vector<char*> cargv, cenv;
    for (auto& s : argv) cargv.push_back(const_cast<char*>(s.c_str()));
    cargv.push_back(nullptr);
    for (auto& s : envs) cenv.push_back(const_cast<char*>(s.c_str()));
    cenv.push_back(nullptr);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t kernel_pid = getpid();

    ChildSetup setup{kernel_pid, {p->region_fd, m_bell_fd, sv[1], m_global_fd, exec_fd}, devnull, cargv.data(),
                     cenv.data()};
    void* stack = child_stack_top();
    pid_t child = stack ? ::clone(child_main, stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &setup) : -1;
    if (child < 0) {
        close(sv[1]);
        if (devnull >= 0) close(devnull);
        return err(EAGAIN_, "clone");
    }
    close(sv[1]);
    if (devnull >= 0) close(devnull);
    p->linux_pid = child;
    p->pidfd = int(syscall(SYS_pidfd_open, child, 0));
    if (p->pidfd < 0) {
        ::kill(child, SIGKILL);
        return err(ESRCH_, "pidfd_open");
    }
    if (parent) {
        for (auto [cfd, pfd] : fds) {
            if (FdRef f = parent->fd(pfd)) {
                direct_revoke(*this, *f);  // now shared with the child
                p->fds[cfd] = f;
            }
        }
    }
    uint32_t pid = p->pid;
    log(2, fmt::format("spawn pid {} ({}) by {}", pid, p->name, parent ? parent->pid : 0));
    insert_process(std::move(p));
    return pid;
}

void Kernel::signal(Process& t, int sig) {
    if (t.state != ProcState::Running) return;
    // Signals that interrupt: a blocked call is cancelled (ECANCELED -> EINTR).
    // Stop signals leave a blocked call blocked: it goes on after SIGCONT.
    bool interrupts = sig != SIGCHLD && sig != SIGCONT && sig != SIGWINCH && sig != 0 && sig != SIGSTOP &&
                      sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU;
    if (!interrupts) {
        ::kill(t.linux_pid, sig);
        return;
    }
    // A process-directed signal goes to one thread (POSIX): with several, the
    // kernel-sim picks one blocked in a call that does not block the signal,
    // interrupts that thread's calls only and sends the signal to it.
    uint32_t tid = signal_target(t, sig);
    if (tid == kNoThread) {
        ::kill(t.linux_pid, sig);
        return;
    }
    if (tid == 0) direct_interrupt(t);
    auto inflight = t.inflight;
    for (auto& [serial, f] : inflight) {
        if (tid && f.tid != tid) continue;
        if (auto s = f.scheme.lock()) s->cancel(*this, serial);
        auto sl = m_sleepers.find(serial);
        if (sl != m_sleepers.end()) {
            t.inflight.erase(serial);
            reply_err(*this, sl->second.first, sl->second.second, EINTR_);
            m_sleepers.erase(sl);
        }
    }
    cancel_waits(t.pid, EINTR_, tid);
    if (tid) syscall(SYS_tgkill, t.linux_pid, int(tid), sig);
    else ::kill(t.linux_pid, sig);
}

uint32_t Kernel::signal_target(const Process& t, int sig) const {
    // One thread: the process is the thread.
    std::error_code ec;
    size_t threads = 0;
    for (auto it = std::filesystem::directory_iterator(fmt::format("/proc/{}/task", t.linux_pid), ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++threads;
    if (threads <= 1) return 0;
    // Threads blocked in a call, in the order of their oldest call.
    std::vector<uint32_t> blocked;
    auto add = [&](uint32_t tid) {
        if (tid && std::find(blocked.begin(), blocked.end(), tid) == blocked.end()) blocked.push_back(tid);
    };
    for (auto& [serial, f] : t.inflight) add(f.tid);
    for (auto& w : m_waiters)
        if (w.pid == t.pid) add(w.tid);
    if (blocked.empty() && std::all_of(t.inflight.begin(), t.inflight.end(), [](auto& e) { return e.second.tid == 0; }) &&
        !t.inflight.empty())
        return 0;  // a client that does not say which thread: every call, as before
    for (uint32_t tid : blocked) {
        std::ifstream status(fmt::format("/proc/{}/task/{}/status", t.linux_pid, tid));
        std::string line;
        uint64_t mask = 0;
        while (std::getline(status, line))
            if (line.starts_with("SigBlk:")) mask = std::strtoull(line.c_str() + 7, nullptr, 16);
        if (!status.eof()) continue;  // the thread is gone
        if (!(mask & (1ull << (sig - 1)))) return tid;
    }
    return kNoThread;
}

void Kernel::collect_stops() {
    // Exits arrive through pidfds; stops and continues only through waitid.
    for (;;) {
        siginfo_t si{};
        if (waitid(P_ALL, 0, &si, WSTOPPED | WCONTINUED | WNOHANG) != 0 || si.si_pid == 0) break;
        Process* c = nullptr;
        for (auto& [pid, q] : m_procs)
            if (q->linux_pid == si.si_pid && q->state == ProcState::Running) c = q.get();
        if (!c) continue;
        if (si.si_code == CLD_STOPPED || si.si_code == CLD_TRAPPED) {
            c->stopped = true;
            c->stop_report = ((si.si_status & 0xff) << 8) | 0x7f;
            c->continue_report = false;
            log(2, fmt::format("pid {} ({}) stopped by signal {}", c->pid, c->name, si.si_status));
        } else if (si.si_code == CLD_CONTINUED) {
            c->stopped = false;
            c->stop_report = 0;
            c->continue_report = true;
            log(2, fmt::format("pid {} ({}) continued", c->pid, c->name));
        } else {
            continue;
        }
        if (Process* parent = process(c->ppid); parent && parent->state == ProcState::Running)
            ::kill(parent->linux_pid, SIGCHLD);
    }
    wake_waiters();
}

void Kernel::reap(Process& p, int status) {
    if (p.state == ProcState::Zombie) return;
    p.state = ProcState::Zombie;
    if (!p.exit_reported) p.status = status;
    log(2, fmt::format("pid {} ({}) exited, status {:#x}", p.pid, p.name, p.status));

    // A daemon's schemes die with it: callers get EIO, names are unregistered.
    for (auto& s : m_all_schemes) {
        auto* u = as_user_scheme(s.get());
        if (u && u->owner() == p.pid && u->alive()) {
            u->crash(*this, fmt::format("daemon pid {} ({}) exited", p.pid, p.name));
            m_namespaces->remove_scheme(u);
        }
    }
    std::erase_if(m_all_schemes, [](const std::shared_ptr<Scheme>& s) {
        auto* u = as_user_scheme(s.get());
        return u && !u->alive();
    });
    // Requests it was waiting on are cancelled; their answers are dropped.
    auto inflight = std::move(p.inflight);
    p.inflight.clear();
    for (auto& [serial, f] : inflight) {
        if (auto s = f.scheme.lock()) s->cancel(*this, serial);
        m_sleepers.erase(serial);
    }
    for (auto& s : m_all_schemes) s->process_exited(*this, p.pid);
    cancel_waits(p.pid, ECHILD_);
    direct_revoke_process(*this, p);  // even where a request in flight still holds the description
    p.fds.clear();  // last closes reach their schemes
    if (p.shared) {
        munmap(p.shared, sizeof(ProcShared));
        p.shared = nullptr;
    }
    if (p.side_fd >= 0) { close(p.side_fd); p.side_fd = -1; }
    if (p.region_fd >= 0) { close(p.region_fd); p.region_fd = -1; }
    if (p.pidfd >= 0) { close(p.pidfd); p.pidfd = -1; }

    // Orphans go to init.
    for (auto& [pid, c] : m_procs)
        if (c->ppid == p.pid) c->ppid = 1;
    if (Process* parent = process(p.ppid); parent && parent->state == ProcState::Running)
        ::kill(parent->linux_pid, SIGCHLD);
    if (p.pid == 1) {
        log(2, fmt::format("init exited with status {:#x}", p.status));
        shutdown(p.status);
    }
    // wake_waiters may reap p: read what we need first.
    uint32_t pid = p.pid, ppid = p.ppid;
    wake_waiters();
    // Zombies nobody will wait for are dropped at once.
    if (ppid == 0) m_procs.erase(pid);
}

static bool wait_match(const Kernel::Waiter& w, const Process& c) {
    if (w.target > 0) return c.pid == uint32_t(w.target);
    if (w.target == -1 || w.target == 0) return true;
    return c.pgid == uint32_t(-w.target);
}

// Answers w now if a child of p matches. Returns true if w must wait.
bool Kernel::try_wait(Process& p, const Waiter& w) {
    bool has_child = false;
    for (auto& [pid, c] : m_procs) {
        if (c->ppid != p.pid || !wait_match(w, *c)) continue;
        has_child = true;
        if (c->state == ProcState::Running) {
            // A stop or continue is reported once, to a waiter that asked for it.
            int status = 0;
            if ((w.options & WUNTRACED_) && c->stop_report) status = std::exchange(c->stop_report, 0);
            else if ((w.options & WCONTINUED_) && c->continue_report) { c->continue_report = false; status = 0xffff; }
            else continue;
            if (w.status_addr) copy_to(p.pid, w.status_addr, &status, sizeof status);
            reply(*this, p.pid, w.tag, c->pid);
            return false;
        }
        int status = c->status;
        uint32_t cpid = c->pid;
        m_procs.erase(pid);
        if (w.status_addr) copy_to(p.pid, w.status_addr, &status, sizeof status);
        reply(*this, p.pid, w.tag, cpid);
        return false;
    }
    if (!has_child) {
        reply_err(*this, p.pid, w.tag, ECHILD_);
        return false;
    }
    if (w.park) m_waiters.push_back(w);
    return true;
}

void Kernel::wake_waiters() {
    auto waiters = std::move(m_waiters);
    m_waiters.clear();
    for (auto& w : waiters) {
        Process* p = process(w.pid);
        if (!p || p->state != ProcState::Running) continue;
        try_wait(*p, w);
    }
}

void Kernel::cancel_waits(uint32_t pid, int errnum, uint32_t tid) {
    std::erase_if(m_waiters, [&](const Waiter& w) {
        if (w.pid != pid || (tid && w.tid != tid)) return false;
        if (errnum != ECHILD_) reply_err(*this, w.pid, w.tag, errnum);
        return true;
    });
}

// KernelScheme: synchronous handlers with readiness-based parking.
void KernelScheme::submit(Kernel& k, std::unique_ptr<KRequest> req) {
    uint8_t extra = 0;
    auto r = handle(k, *req, extra);
    if (!r && r.error().errnum == EWOULDBLOCK_ && !(req->fd_flags & O_NONBLOCK_)) {
        m_parked.push_back(std::move(req));
        return;
    }
    Cqe c{};
    c.result = r ? *r : mux_error(r.error().errnum);
    c.extra_raw[0] = extra;
    k.complete(std::move(req), c);
}

void KernelScheme::retry_parked(Kernel& k) {
    if (m_retrying) return;
    m_retrying = true;
    size_t n = m_parked.size();
    for (size_t i = 0; i < n && !m_parked.empty(); ++i) {
        auto req = std::move(m_parked.front());
        m_parked.pop_front();
        uint8_t extra = 0;
        auto r = handle(k, *req, extra);
        if (!r && r.error().errnum == EWOULDBLOCK_) {
            m_parked.push_back(std::move(req));
            continue;
        }
        Cqe c{};
        c.result = r ? *r : mux_error(r.error().errnum);
        c.extra_raw[0] = extra;
        k.complete(std::move(req), c);
    }
    m_retrying = false;
}

void KernelScheme::cancel(Kernel& k, uint64_t serial) {
    for (auto it = m_parked.begin(); it != m_parked.end(); ++it) {
        if ((*it)->serial == serial) {
            auto req = std::move(*it);
            m_parked.erase(it);
            k.complete(std::move(req), err(EINTR_));
            return;
        }
    }
}

void KernelScheme::process_exited(Kernel&, uint32_t pid) {
    std::erase_if(m_parked, [pid](const std::unique_ptr<KRequest>& r) { return r->pid == pid; });
}

} // namespace redox::kernel

namespace redox::kernel {

Result<void> Kernel::start_init() {
    auto it = m_opts.initfs.find("bin/init");
    if (it == m_opts.initfs.end() || it->second.host.empty()) return err(ENOENT_, "initfs has no bin/init");
    int exe = ::open(it->second.host.c_str(), O_RDONLY | O_CLOEXEC);
    if (exe < 0) return err(errno, it->second.host);
    std::vector<std::string> argv = {"init"};
    argv.insert(argv.end(), m_opts.init_args.begin(), m_opts.init_args.end());
    auto pid = spawn(nullptr, exe, argv, m_opts.init_env, {}, 0);
    ::close(exe);
    if (!pid) return std::unexpected(pid.error());
    Process* init = process(*pid);
    // The console: a debug handle on fds 0, 1 and 2.
    auto debug = m_namespaces->lookup(1, "debug");
    if (!debug) return err(EIO_, "no debug scheme");
    auto req = std::make_unique<KRequest>();
    req->op = Opcode::Open;
    req->pid = init->pid;
    req->args[0] = O_RDWR_;
    uint64_t number = ~0ull;
    req->done = [&number](Kernel&, KRequest&, const Cqe& c) { number = c.result; };
    debug->submit(*this, std::move(req));
    if (number == ~0ull || is_error(number)) return err(EIO_, "opening the console");
    auto f = std::make_shared<FileDescription>();
    f->scheme = debug;
    f->scheme_name = "debug";
    f->number = number;
    f->flags = O_RDWR_;
    f->kernel = this;
    for (int fd = 0; fd < 3; ++fd) init->fds[fd] = f;
    return {};
}

} // namespace redox::kernel
