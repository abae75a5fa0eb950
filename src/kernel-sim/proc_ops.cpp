// Routing of the calls that are not scheme operations: processes, ids,
// namespaces, scheme registration, lseek, fmap, sleep, pipes.
#include "kernel-sim/direct.h"
#include "kernel-sim/kschemes.h"
#include "kernel-sim/namespaces.h"
#include "kernel-sim/routing.h"
#include "kernel-sim/user_scheme.h"

#include <csignal>
#include <cstring>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace redox::kernel {

void route_fmap(Kernel& k, Process& p, const Sqe& sqe);
Result<int> register_user_scheme(Kernel& k, Process& p, const std::string& name, std::shared_ptr<UserScheme> s);
Result<std::pair<int, int>> make_pipe(Kernel& k, Process& p);

namespace {

void route_lseek(Kernel& k, Process& p, const Sqe& sqe) {
    uint32_t tag = sqe.tag;
    FdRef f = p.fd(int(sqe.args[0]));
    if (!f) return reply_err(k, p.pid, tag, EBADF_);
    if (!f->positioned) return reply_err(k, p.pid, tag, ESPIPE_);
    int64_t off = int64_t(sqe.args[1]);
    auto set = [&k, f, tag, pid = p.pid](int64_t base, int64_t delta) {
        int64_t n = base + delta;
        if (n < 0) return reply_err(k, pid, tag, EINVAL_);
        f->set_position(uint64_t(n));
        reply(k, pid, tag, uint64_t(n));
    };
    switch (sqe.args[2]) {
    case 0: return set(0, off);
    case 1: return set(int64_t(f->position()), off);
    case 2: {
        auto scheme = f->scheme.lock();
        if (!scheme) return reply_err(k, p.pid, tag, EIO_);
        auto r = make_request(k, p, Opcode::Fsize, f);
        return forward(k, p, scheme, std::move(r), tag, [f, off, tag](Kernel& k, KRequest& req, const Cqe& c) {
            if (is_error(c.result)) return reply(k, req.pid, tag, c.result);
            int64_t n = int64_t(c.result) + off;
            if (n < 0) return reply_err(k, req.pid, tag, EINVAL_);
            f->set_position(uint64_t(n));
            // Size queries count as transfers for a channel (direct.h).
            bool offer = false;
            if (Process* p = k.process(req.pid)) offer = direct_maybe_grant(k, *p, f);
            reply(k, req.pid, tag, uint64_t(n), 0, offer ? CQE_DIRECT_OFFER : 0);
        });
    }
    default: return reply_err(k, p.pid, tag, EINVAL_);
    }
}

void route_spawn(Kernel& k, Process& p, const Sqe& sqe) {
    uint32_t tag = sqe.tag;
    auto blob = k.read_string(p.pid, sqe.args[0], sqe.args[1], 1 << 20);
    if (!blob || blob->size() < sizeof(SpawnHeader)) return reply_err(k, p.pid, tag, E2BIG_);
    SpawnHeader h;
    std::memcpy(&h, blob->data(), sizeof h);
    std::vector<std::string> strs;
    size_t pos = sizeof h;
    size_t want = size_t(h.argc) + h.envc + 1;
    if (h.argc == 0 || want > 100000) return reply_err(k, p.pid, tag, EINVAL_);
    while (strs.size() < want && pos < blob->size()) {
        size_t end = blob->find('\0', pos);
        if (end == std::string::npos) return reply_err(k, p.pid, tag, EINVAL_);
        strs.emplace_back(*blob, pos, end - pos);
        pos = end + 1;
    }
    if (strs.size() != want || blob->size() - pos != size_t(h.fd_count) * 8) return reply_err(k, p.pid, tag, EINVAL_);
    std::vector<std::string> argv(strs.begin(), strs.begin() + h.argc);
    std::vector<std::string> env(strs.begin() + h.argc, strs.begin() + h.argc + h.envc);
    std::vector<std::pair<int, int>> fds;
    for (uint32_t i = 0; i < h.fd_count; ++i) {
        uint32_t pair[2];
        std::memcpy(pair, blob->data() + pos + i * 8, 8);
        fds.emplace_back(int(pair[0]), int(pair[1]));
    }
    int exec_fd = int(syscall(SYS_pidfd_getfd, p.pidfd, int(h.memfd), 0));
    if (exec_fd < 0) return reply_err(k, p.pid, tag, EBADF_);
    auto pid = k.spawn(&p, exec_fd, argv, env, fds, h.pgid);
    close(exec_fd);
    if (!pid) return reply_err(k, p.pid, tag, pid.error().errnum);
    reply(k, p.pid, tag, *pid);
}

void route_kill(Kernel& k, Process& p, const Sqe& sqe) {
    int64_t target = int64_t(sqe.args[0]);
    int sig = int(sqe.args[1]);
    if (sig < 0 || sig > 64) return reply_err(k, p.pid, sqe.tag, EINVAL_);
    int hits = 0;
    bool denied = false;
    for (Process* t : k.processes()) {
        if (t->state != ProcState::Running) continue;
        bool match = target > 0 ? t->pid == uint32_t(target)
                   : target == 0 ? t->pgid == p.pgid
                   : target == -1 ? t->pid != 1 && t->pid != p.pid
                   : t->pgid == uint32_t(-target);
        if (!match) continue;
        if (p.euid != 0 && p.euid != t->ruid && p.ruid != t->ruid) { denied = true; continue; }
        ++hits;
        if (sig != 0) k.signal(*t, sig);
    }
    if (hits == 0) return reply_err(k, p.pid, sqe.tag, denied ? EPERM_ : ESRCH_);
    reply(k, p.pid, sqe.tag, 0);
}

} // namespace

void dispatch_kernel_op(Kernel& k, Process& p, const Sqe& sqe) {
    const uint64_t* a = sqe.args;
    const uint32_t tag = sqe.tag;
    if (sqe.opcode == uint8_t(DirectCall::Attach)) return route_direct_attach(k, p, sqe);
    if (sqe.opcode == uint8_t(DirectCall::Accept)) return route_direct_accept(k, p, sqe);
    switch (KernelOp(sqe.opcode)) {
    case KernelOp::Lseek: return route_lseek(k, p, sqe);
    case KernelOp::Fmap: return route_fmap(k, p, sqe);
    case KernelOp::Spawn: return route_spawn(k, p, sqe);
    case KernelOp::Kill: return route_kill(k, p, sqe);
    case KernelOp::Exit:
        p.status = int(a[0] & 0xff) << 8;
        p.exit_reported = true;
        return reply(k, p.pid, tag, 0);
    case KernelOp::Waitpid: {
        Kernel::Waiter w{p.pid, k.current_tid(), tag, int64_t(a[0]), a[1], k.next_serial(), !(a[2] & 1), a[2]};
        if (!k.try_wait(p, w)) return;  // answered already
        if (a[2] & 1) return reply(k, p.pid, tag, 0);  // WNOHANG, nothing yet
        return;  // parked: wake_waiters answers
    }
    case KernelOp::GetIds: {
        ProcIds ids{p.pid, p.ppid, p.ruid, p.euid, p.rgid, p.egid, p.pgid, uint32_t(p.rns)};
        if (!k.copy_to(p.pid, a[0], &ids, sizeof ids)) return reply_err(k, p.pid, tag, EFAULT_);
        return reply(k, p.pid, tag, 0);
    }
    case KernelOp::SetIds: {
        // args[4] = another process's pid (0: the caller): root raises or lowers a
        // process's ids, as Redox's sudo daemon does through the client's proc fd.
        if (a[4] != 0 && a[4] != p.pid) {
            if (p.euid != 0) return reply_err(k, p.pid, tag, EPERM_);
            Process* t = k.process(uint32_t(a[4]));
            if (!t || t->state != ProcState::Running) return reply_err(k, p.pid, tag, ESRCH_);
            auto set = [](uint64_t v, uint32_t& cur) { if (v != 0xffffffffull) cur = uint32_t(v); };
            direct_revoke_process(k, *t);  // daemons hold the ids the channels were granted with
            set(a[0], t->ruid); set(a[1], t->euid); set(a[2], t->rgid); set(a[3], t->egid);
            return reply(k, p.pid, tag, 0);
        }
        // Only root may change ids; anyone may drop to their own ids.
        auto keep = [](uint64_t v, uint32_t cur) { return v == 0xffffffffull ? cur : uint32_t(v); };
        uint32_t ruid = keep(a[0], p.ruid), euid = keep(a[1], p.euid), rgid = keep(a[2], p.rgid), egid = keep(a[3], p.egid);
        if (p.euid != 0) {
            auto allowed = [&](uint32_t v, uint32_t r, uint32_t e) { return v == r || v == e; };
            if (!allowed(ruid, p.ruid, p.euid) || !allowed(euid, p.ruid, p.euid) ||
                !allowed(rgid, p.rgid, p.egid) || !allowed(egid, p.rgid, p.egid))
                return reply_err(k, p.pid, tag, EPERM_);
        }
        p.ruid = ruid; p.euid = euid; p.rgid = rgid; p.egid = egid;
        direct_revoke_process(k, p);
        return reply(k, p.pid, tag, 0);
    }
    case KernelOp::Setrens: {
        auto pick = [](uint64_t v, uint64_t cur) { return v == ~0ull ? cur : v; };
        uint64_t rns = pick(a[0], p.rns), ens = pick(a[1], p.ens);
        if (!k.namespaces().exists(rns) || !k.namespaces().exists(ens)) return reply_err(k, p.pid, tag, EINVAL_);
        // Leaving the root namespace is allowed to anyone; entering it only to root.
        if (p.euid != 0 && ((rns == 1 && p.rns != 1) || (ens == 1 && p.ens != 1))) return reply_err(k, p.pid, tag, EPERM_);
        p.rns = rns;
        p.ens = ens;
        return reply(k, p.pid, tag, 0);
    }
    case KernelOp::Mkns: {
        auto blob = k.read_string(p.pid, a[0], a[1], 1 << 16);
        if (!blob) return reply_err(k, p.pid, tag, blob.error().errnum);
        std::vector<std::string> names;
        size_t pos = 0;
        while (pos < blob->size()) {
            size_t end = blob->find('\0', pos);
            if (end == std::string::npos) end = blob->size();
            if (end > pos) names.emplace_back(*blob, pos, end - pos);
            pos = end + 1;
        }
        auto id = k.namespaces().make(p.rns, names);
        if (!id) return reply_err(k, p.pid, tag, id.error().errnum);
        return reply(k, p.pid, tag, *id);
    }
    case KernelOp::Getns: return reply(k, p.pid, tag, p.rns);
    case KernelOp::RegisterScheme: {
        auto name = k.read_string(p.pid, a[0], a[1], 256);
        if (!name) return reply_err(k, p.pid, tag, name.error().errnum);
        if (p.euid != 0) return reply_err(k, p.pid, tag, EACCES_);
        int memfd = int(syscall(SYS_pidfd_getfd, p.pidfd, int(a[2]), 0));
        if (memfd < 0) return reply_err(k, p.pid, tag, EBADF_);
        void* m = mmap(nullptr, kSchemeRegionSize, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        close(memfd);
        if (m == MAP_FAILED) return reply_err(k, p.pid, tag, ENOMEM_);
        auto* region = static_cast<SchemeShared*>(m);
        if (region->magic != kSchemeMagic || region->arena_offset != kSchemeArenaOffset ||
            region->arena_size != kSchemeArenaSize) {
            munmap(m, kSchemeRegionSize);
            return reply_err(k, p.pid, tag, EINVAL_);
        }
        auto s = std::make_shared<UserScheme>(*name, p.pid, region);
        s->set_direct_capable((a[3] & REGISTER_DIRECT) != 0);
        auto fd = register_user_scheme(k, p, *name, s);
        if (!fd) return reply_err(k, p.pid, tag, fd.error().errnum);
        k.log(2, fmt::format("scheme {} registered by pid {}", *name, p.pid));
        return reply(k, p.pid, tag, uint64_t(*fd));
    }
    case KernelOp::Setpgid: {
        uint32_t target = a[0] == 0 ? p.pid : uint32_t(a[0]);
        Process* t = k.process(target);
        if (!t || (t->pid != p.pid && t->ppid != p.pid)) return reply_err(k, p.pid, tag, ESRCH_);
        uint32_t pgid = a[1] == 0 ? t->pid : uint32_t(a[1]);
        // As in POSIX: a process leads a new group (pgid = its pid) or joins
        // a group that exists; it cannot make up another one.
        if (pgid != t->pid && !k.group_exists(pgid)) return reply_err(k, p.pid, tag, EPERM_);
        t->pgid = pgid;
        return reply(k, p.pid, tag, 0);
    }
    case KernelOp::SetName: {
        auto name = k.read_string(p.pid, a[0], a[1], 64);
        if (name) p.name = *name;
        return reply(k, p.pid, tag, 0);
    }
    case KernelOp::Sleep: {
        uint64_t serial = k.next_serial();
        uint32_t pid = p.pid;
        p.inflight[serial] = {{}, k.current_tid()};
        uint64_t deadline = k.now_ns(CLOCK_MONOTONIC_) + a[0];
        k.add_timer(deadline, [&k, pid, tag, serial] {
            Process* q = k.process(pid);
            if (!q || !q->inflight.erase(serial)) return;  // cancelled by a signal
            reply(k, pid, tag, 0);
        });
        // A signal answers early: remember how to find this sleep.
        k.park_sleep(pid, tag, serial);
        return;
    }
    case KernelOp::Dup2: {
        FdRef f = p.fd(int(a[0]));
        int newfd = int(a[1]);
        if (!f || newfd < 0 || newfd > 65535) return reply_err(k, p.pid, tag, EBADF_);
        if (a[3] != 0) return reply_err(k, p.pid, tag, EINVAL_);
        if (int(a[0]) != newfd) {
            direct_revoke(k, *f);
            p.fds[newfd] = f;
        }
        return reply(k, p.pid, tag, uint64_t(newfd));
    }
    case KernelOp::Pipe: {
        auto fds = make_pipe(k, p);
        if (!fds) return reply_err(k, p.pid, tag, fds.error().errnum);
        return reply(k, p.pid, tag, uint64_t(fds->first) | (uint64_t(fds->second) << 32));
    }
    default:
        return reply_err(k, p.pid, tag, ENOSYS_);
    }
}

} // namespace redox::kernel
