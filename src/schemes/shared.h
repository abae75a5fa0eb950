// Shared-memory regions between the kernel-sim and a sim process. Each lives
// in a memfd (never a named /dev/shm object), so nothing outlives the last
// process that maps it.
//
//  - ProcShared: one per process. `calls` carries the process's Sqes to the
//    kernel, `completions` the kernel's Cqes back. The process sleeps on
//    `wake`; the kernel bumps it for a completion or a request to one of the
//    process's schemes.
//  - SchemeShared: one per registered scheme, created by the daemon. The
//    kernel pushes requests, the daemon pushes responses. Request buffers live
//    in the region's arena: the daemon sees only the bytes of requests
//    addressed to it, and buffer arguments are arena offsets.
//  - GlobalShared: one per sim, tells processes whether the kernel-sim sleeps
//    (then they ring its eventfd doorbell).
#pragma once

#include "schemes/protocol.h"
#include "schemes/ring.h"

namespace redox {

inline constexpr uint32_t kRingSlots = 256;
inline constexpr uint32_t kProcMagic = 0x52445850;   // "RDXP"
inline constexpr uint32_t kSchemeMagic = 0x52445853; // "RDXS"

struct ProcShared {
    uint32_t magic;
    uint32_t sim_pid;
    WaitWord wake;
    Ring<Sqe, kRingSlots> calls;
    Ring<Cqe, kRingSlots> completions;
};

struct SchemeShared {
    uint32_t magic;
    uint32_t pad;
    uint64_t arena_offset;  // from the start of the region
    uint64_t arena_size;
    Ring<Sqe, kRingSlots> requests;
    Ring<Cqe, kRingSlots> responses;
};
inline constexpr uint64_t kSchemeArenaOffset = 1 << 20;
inline constexpr uint64_t kSchemeArenaSize = 64ull << 20;  // sparse: pages appear when touched
inline constexpr uint64_t kSchemeRegionSize = kSchemeArenaOffset + kSchemeArenaSize;
static_assert(sizeof(SchemeShared) <= kSchemeArenaOffset);
// Largest buffer one request may carry; larger reads and writes are short.
inline constexpr uint64_t kMaxTransfer = 8ull << 20;

struct GlobalShared {
    alignas(64) std::atomic<uint32_t> kernel_sleeping{0};
    alignas(64) std::atomic<uint64_t> virtual_now_ns{0};
    int32_t kernel_linux_pid = 0;  // a process whose parent is not this has lost its kernel
};

// Linux fds every sim process inherits (set up by the kernel-sim's spawn).
inline constexpr int kFdProcRegion = 3;   // memfd of this process's ProcShared
inline constexpr int kFdKernelBell = 4;   // eventfd: wakes the kernel-sim
inline constexpr int kFdSideChannel = 5;  // unix socket: the kernel passes memfds here
inline constexpr int kFdGlobalRegion = 6; // memfd of GlobalShared
inline constexpr int kFdFirstFree = 7;

// Kernel-specific arguments of a Spawn call, serialised by libredox.
// Layout of the blob: SpawnHeader, then argv strings, env strings, cwd, name
// (each NUL-terminated), then fd_count pairs of u32 (child fd, parent fd).
struct SpawnHeader {
    uint32_t argc;
    uint32_t envc;
    uint32_t fd_count;
    uint32_t flags;      // SPAWN_* below
    int64_t pgid;        // -1 inherit, 0 new group led by the child
    uint64_t memfd;      // linux fd (in the caller) holding the executable image
};
enum SpawnFlags : uint32_t { SPAWN_NEW_SESSION = 1 };

struct ProcIds {
    uint32_t pid, ppid, ruid, euid, rgid, egid, pgid, ns;
};

} // namespace redox
