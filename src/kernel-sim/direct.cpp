#include "kernel-sim/direct.h"

#include "kernel-sim/kernel.h"
#include "kernel-sim/kschemes.h"
#include "kernel-sim/process.h"
#include "kernel-sim/routing.h"
#include "kernel-sim/user_scheme.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

namespace redox::kernel {

DirectChannel::~DirectChannel() {
    if (region) munmap(region, kDirectArenaOffset);
    if (memfd >= 0) ::close(memfd);
}

uint64_t FileDescription::position() const {
    return direct ? direct->region->offset.load(std::memory_order_relaxed) : offset;
}

void FileDescription::set_position(uint64_t v) {
    offset = v;
    if (direct) direct->region->offset.store(v, std::memory_order_relaxed);
}

namespace {

// Channels need every call of the fd to pass the kernel-sim when it records,
// injects faults or runs the clock.
bool allowed(Kernel& k) {
    return k.direct_enabled() && !k.virtual_time() && !k.tracer().enabled() && k.faults().empty();
}

// f is held by exactly one fd of one process, p.
bool held_alone(Kernel& k, Process& p, const FileDescription* f) {
    int refs = 0;
    for (Process* q : k.processes()) {
        if (q->state != ProcState::Running) continue;
        for (auto& [fd, g] : q->fds) {
            if (g.get() != f) continue;
            if (q != &p || ++refs > 1) return false;
        }
    }
    return refs == 1;
}

} // namespace

namespace {

// f qualifies for a channel to p: what an offer promises and an attach checks again.
UserScheme* eligible(Kernel& k, Process& p, const FileDescription& f, std::shared_ptr<Scheme>& scheme) {
    if (f.direct || f.routed < 2 || !allowed(k) || p.state != ProcState::Running) return nullptr;
    scheme = f.scheme.lock();
    auto* u = as_user_scheme(scheme.get());
    if (!u || !u->alive() || !u->direct_capable()) return nullptr;
    return held_alone(k, p, &f) ? u : nullptr;
}

// Make the channel and tell the daemon (DirectOp::Grant on its scheme ring).
std::shared_ptr<DirectChannel> grant(Kernel& k, Process& p, FileDescription& f, UserScheme& u,
                                     std::shared_ptr<Scheme> scheme) {
    if (u.bell_fd() < 0) return nullptr;
    int memfd = memfd_create("redox-direct", MFD_CLOEXEC);
    if (memfd < 0) return nullptr;
    if (ftruncate(memfd, off_t(kDirectRegionSize)) != 0) {
        ::close(memfd);
        return nullptr;
    }
    void* m = mmap(nullptr, kDirectArenaOffset, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (m == MAP_FAILED) {
        ::close(memfd);
        return nullptr;
    }
    auto ch = std::make_shared<DirectChannel>();
    ch->id = k.next_direct_id();
    ch->client = p.pid;
    ch->memfd = memfd;
    ch->region = new (m) DirectRegion{};
    ch->region->magic = kDirectMagic;
    ch->region->id = ch->id;
    ch->region->offset.store(f.offset);
    ch->scheme = scheme;
    f.direct = ch;
    k.direct_channels()[ch->id] = ch;

    Sqe g{};
    g.opcode = uint8_t(DirectOp::Grant);
    g.sqe_flags = SQE_ONEWAY;
    g.args[0] = ch->id;
    g.args[1] = f.number;
    g.args[2] = f.flags;
    g.args[3] = f.positioned ? 1 : 0;
    g.args[5] = uint64_t(p.euid) | (uint64_t(p.egid) << 32);
    g.caller = p.pid;
    u.send(k, g);
    k.log(2, fmt::format("direct channel {} granted: pid {} -> scheme {} file {}", ch->id, p.pid, u.name(), f.number));
    return ch;
}

} // namespace

bool direct_maybe_grant(Kernel& k, Process& p, const FdRef& f) {
    if (!f || f->direct) return false;
    ++f->routed;
    std::shared_ptr<Scheme> scheme;
    return eligible(k, p, *f, scheme) != nullptr;
}

void direct_revoke(Kernel& k, FileDescription& f) {
    if (!f.direct || f.direct->revoked) return;
    DirectChannel& ch = *f.direct;
    ch.revoked = true;
    ch.region->state.store(DIRECT_REVOKED, std::memory_order_seq_cst);
    auto* u = as_user_scheme(ch.scheme.lock().get());
    if (u && u->alive()) {
        Sqe revoke{};
        revoke.opcode = uint8_t(DirectOp::Revoke);
        revoke.sqe_flags = SQE_ONEWAY;
        revoke.args[0] = ch.id;
        u->send(k, revoke);
    } else {
        ch.region->daemon_closed.store(1, std::memory_order_seq_cst);
    }
    ch.region->client_wake.wake();
    // The description keeps the region: its position lives there from now on.
}

void direct_revoke_process(Kernel& k, Process& p) {
    for (auto& [fd, f] : p.fds)
        if (f->direct) direct_revoke(k, *f);
}

void direct_revoke_all(Kernel& k) {
    for (Process* p : k.processes()) direct_revoke_process(k, *p);
}

void direct_interrupt(Process& p) {
    for (auto& [fd, f] : p.fds) {
        if (!f->direct || f->direct->revoked) continue;
        f->direct->region->interrupts.fetch_add(1, std::memory_order_seq_cst);
        f->direct->region->client_wake.wake();
    }
}

void direct_scheme_died(Kernel& k, const Scheme* scheme) {
    for (auto it = k.direct_channels().begin(); it != k.direct_channels().end();) {
        auto ch = it->second.lock();
        if (!ch) {
            it = k.direct_channels().erase(it);
            continue;
        }
        if (ch->scheme.lock().get() == scheme) {
            ch->revoked = true;
            ch->region->state.store(DIRECT_DEAD, std::memory_order_seq_cst);
            ch->region->client_wake.wake();
        }
        ++it;
    }
}

void route_direct_attach(Kernel& k, Process& p, const Sqe& sqe) {
    FdRef f = p.fd(int(sqe.args[0]));
    if (!f) return reply_err(k, p.pid, sqe.tag, EBADF_);
    // The channel is made only now, when the client means to use it: an offer
    // to an fd that closes right after costs nothing.
    std::shared_ptr<Scheme> scheme;
    UserScheme* u = eligible(k, p, *f, scheme);
    if (!u) return reply_err(k, p.pid, sqe.tag, ENOENT_);
    auto ch = grant(k, p, *f, *u, scheme);
    if (!ch) return reply_err(k, p.pid, sqe.tag, ENOMEM_);
    if (!send_side_fd(p, ch->memfd, 0) || !send_side_fd(p, u->bell_fd(), 0)) {
        direct_revoke(k, *f);
        return reply_err(k, p.pid, sqe.tag, EIO_);
    }
    ch->attached = true;
    reply(k, p.pid, sqe.tag, f->positioned ? 1 : 0);
}

void route_direct_accept(Kernel& k, Process& p, const Sqe& sqe) {
    auto it = k.direct_channels().find(uint32_t(sqe.args[0]));
    auto ch = it == k.direct_channels().end() ? nullptr : it->second.lock();
    if (!ch) return reply_err(k, p.pid, sqe.tag, ENOENT_);
    auto* u = as_user_scheme(ch->scheme.lock().get());
    if (!u || u->owner() != p.pid) return reply_err(k, p.pid, sqe.tag, EPERM_);
    if (sqe.args[1] & 1) {
        // The daemon cannot serve it: whatever the client queued never runs.
        ch->revoked = true;
        ch->region->state.store(DIRECT_REVOKED, std::memory_order_seq_cst);
        ch->region->daemon_closed.store(1, std::memory_order_seq_cst);
        ch->region->client_wake.wake();
        return reply(k, p.pid, sqe.tag, 0);
    }
    if (!send_side_fd(p, ch->memfd, 0) || !send_side_fd(p, u->bell_fd(), 0))
        return reply_err(k, p.pid, sqe.tag, EIO_);
    reply(k, p.pid, sqe.tag, 0);
}

} // namespace redox::kernel
