// Direct channels: a private path between one client fd and the daemon that
// serves it, set up and torn down by the kernel-sim.
//
// After a few transfers of a client fd on a daemon scheme that opted in
// (SchemeServer::direct_io), the kernel-sim grants that fd a DirectRegion: a
// memfd shared by the client and the daemon only, holding a small SQ/CQ ring
// pair and a data arena. Read, write, fstat and lseek on the fd then go from
// the client to the daemon and back without the kernel-sim: one copy (client
// buffer <-> arena), no hop through the router. Everything else on the fd
// still takes the kernel path, which knows the fd as before.
//
// The kernel-sim stays the authority:
//  - it grants only an fd that one process holds alone, and never while
//    virtual time, the scheme trace or fault injection is on;
//  - it revokes the channel first whenever the fd is dup'ed, passed, inherited
//    by a spawn, changes flags or closes, when its holder changes ids or dies,
//    and when tracing or fault injection is switched on;
//  - on a signal to the client it bumps `interrupts`: a client waiting for a
//    direct answer withdraws the request (answered EINTR if not started);
//  - when the daemon dies it marks the channel dead: a waiting client gets EIO.
// The daemon learns of a channel from a DirectGrant on its scheme ring, which
// carries the file number, the fd's flags and the client's identity: the
// client only writes its Sqe's opcode, arena span and offset, so it reaches no
// other file than the one it was granted. A direct request never blocks in
// the daemon: a read or write that would answers EWOULDBLOCK_ and the client
// repeats it on the kernel path, where parking and cancellation live.
#pragma once

#include "schemes/protocol.h"
#include "schemes/ring.h"
#include "schemes/shared.h"

#include <atomic>
#include <cstdint>

namespace redox {

inline constexpr uint32_t kDirectMagic = 0x52445844;  // "RDXD"
inline constexpr uint32_t kDirectSlots = 256;  // a libredox batch (256 calls) in one wave

enum DirectState : uint32_t {
    DIRECT_OPEN = 0,
    DIRECT_REVOKED = 1,  // take the kernel path; requests already queued still get answers
    DIRECT_DEAD = 2,     // the daemon is gone: requests in flight fail with EIO
};

// Scheme-ring requests from the kernel-sim to a daemon about channels (above
// the Redox opcodes, as KernelOp is on a process's ring).
enum class DirectOp : uint8_t {
    Grant = 120,   // args: channel id, file number, fd flags, positioned; caller + args[5] = client ids
    Revoke = 121,  // args: channel id. Answer what is queued, set daemon_closed, unmap.
};

// Calls a sim process makes to the kernel-sim about channels (beside KernelOp).
enum class DirectCall : uint8_t {
    Attach = 118,  // fd: the client side of the fd's channel; region and bell memfds via the side channel
    Accept = 119,  // channel id, refuse: the daemon side of a granted channel, the same memfds
};

// Cqe extra_raw[1] of a kernel-routed read or write: the kernel granted this
// fd a channel; attach with KernelOp::DirectAttach.
inline constexpr uint8_t CQE_DIRECT_OFFER = 1;
// RegisterScheme flags.
inline constexpr uint64_t REGISTER_DIRECT = 1;

struct DirectRegion {
    uint32_t magic;
    uint32_t id;
    alignas(64) std::atomic<uint32_t> state{DIRECT_OPEN};  // written by the kernel-sim
    std::atomic<uint32_t> daemon_closed{0};  // the daemon consumes sq no more
    std::atomic<uint32_t> interrupts{0};     // bumped by the kernel-sim on a signal to the client
    std::atomic<uint32_t> cancel_tag{0};     // written by the client: answer tags up to this EINTR unless started
    std::atomic<uint64_t> offset{0};         // the description's position while the channel exists
    std::atomic<int32_t> client_cpu{-1};     // where the client last waited (see peer_shares_cpu)
    WaitWord client_wake;                    // the client sleeps here for cq
    Ring<Sqe, kDirectSlots> sq;              // client -> daemon; args[1] arena offset, [2] len, [3] position
    Ring<Cqe, kDirectSlots> cq;              // daemon -> client
};
inline constexpr uint64_t kDirectArenaOffset = 64 << 10;
inline constexpr uint64_t kDirectArenaSize = kMaxTransfer;  // sparse: pages appear when touched
inline constexpr uint64_t kDirectRegionSize = kDirectArenaOffset + kDirectArenaSize;
static_assert(sizeof(DirectRegion) <= kDirectArenaOffset);
static_assert(std::atomic<uint64_t>::is_always_lock_free);

// One per daemon scheme: clients of its channels wake the daemon here; the
// daemon sleeps on it and on its process wake word at once (futex_waitv).
struct DirectBell {
    WaitWord word;
    std::atomic<int32_t> daemon_cpu{-1};  // where the daemon last waited
};

// Whether a waiter should give its CPU away at once rather than spin: the peer
// it waits for last waited on this same CPU, so it cannot be running while this
// thread holds the CPU. (Three parties on two cores, as a client copying from
// one daemon to another, always put two of them on one core.) A stale answer
// costs one sched_yield.
inline bool peer_shares_cpu(int self_cpu, int peer_cpu) {
    return self_cpu >= 0 && peer_cpu == self_cpu;
}

// Publish where this waiter runs; written only when it moved, so the cache
// line stays put while it spins.
inline void publish_cpu(std::atomic<int32_t>& where, int cpu) {
    if (where.load(std::memory_order_relaxed) != cpu) where.store(cpu, std::memory_order_relaxed);
}

// Whether a spinning waiter shares its core with other busy processes, as its
// own yields tell: a yield that ran someone else takes far longer than one that
// found the core free (measured against the fastest yield seen).
class CoreShare {
public:
    void yield();
    bool crowded() const { return m_crowded; }

private:
    uint64_t m_fastest_ns = ~uint64_t(0);
    bool m_crowded = false;
};

// Sleep until a moves past seen_a or b past seen_b (futex_waitv), or
// timeout_ns passes. Returns false on timeout.
bool wait_either(WaitWord& a, uint32_t seen_a, WaitWord& b, uint32_t seen_b, int64_t timeout_ns);

} // namespace redox
