// The kernel-sim's side of direct channels (schemes/direct.h): when a channel
// is granted, what revokes it, and the two calls that hand its memfds to the
// client (DirectAttach) and to the daemon (DirectAccept).
#pragma once

#include "kernel-sim/scheme.h"
#include "schemes/direct.h"

#include <memory>

namespace redox::kernel {

struct Process;

// One channel, owned by the FileDescription it was granted for. The kernel-sim
// maps only the region's header (state, offset, the client's wait word).
struct DirectChannel {
    uint32_t id = 0;
    uint32_t client = 0;               // the pid it was granted to
    int memfd = -1;
    DirectRegion* region = nullptr;
    std::weak_ptr<Scheme> scheme;
    bool revoked = false;
    bool attached = false;
    ~DirectChannel();
};

// After a kernel-routed read, write or size query of f by p: true when f
// qualifies for a channel (see direct.h), so the answer carries an offer. The
// channel itself is made when the client attaches.
bool direct_maybe_grant(Kernel& k, Process& p, const FdRef& f);
// Revoke f's channel, if it has one that is still open.
void direct_revoke(Kernel& k, FileDescription& f);
// Every channel of p's fds (p changes ids or dies).
void direct_revoke_process(Kernel& k, Process& p);
// Every channel (tracing or fault injection was switched on).
void direct_revoke_all(Kernel& k);
// A signal interrupts p: a client waiting for a direct answer withdraws it.
void direct_interrupt(Process& p);
// The daemon serving `scheme` died: its channels are dead.
void direct_scheme_died(Kernel& k, const Scheme* scheme);

void route_direct_attach(Kernel& k, Process& p, const Sqe& sqe);
void route_direct_accept(Kernel& k, Process& p, const Sqe& sqe);

} // namespace redox::kernel
