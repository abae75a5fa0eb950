// The client side of direct channels (direct.h), used by libredox: a table of
// this process's channels by fd. Every entry point returns nullopt when the fd
// has no usable channel or the channel went away before the request ran; the
// caller then takes the kernel path.
#pragma once

#include "schemes/error.h"
#include "schemes/libredox.h"
#include "schemes/protocol.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>
#include <utility>

namespace redox::sys {

// Direct channels of this process: how many fds got one, how many operations
// went through them, how many fell back to the kernel path.
struct DirectStats {
    uint64_t attached = 0;
    uint64_t ops = 0;
    uint64_t fallbacks = 0;
};
DirectStats direct_stats();

// register_scheme with RegisterScheme flags: REGISTER_DIRECT when the caller
// serves direct channels.
Result<SchemeSocket> register_scheme(std::string_view name, uint64_t flags);

// wait_wake, or until `other` moves past `other_seen` (a channel bell).
void wait_wake_or(uint32_t seen, WaitWord& other, uint32_t other_seen);

} // namespace redox::sys

namespace redox::sys::direct {

// REDOX_SIM_DIRECT=0 turns channels off in this process (and, read by the
// kernel-sim, in the whole sim).
bool enabled();

// Read or Write; offset u64::MAX = at the fd's position.
std::optional<Result<size_t>> transfer(Opcode op, int fd, void* buf, size_t len, uint64_t offset);
std::optional<Result<Stat>> fstat(int fd);
std::optional<Result<uint64_t>> lseek(int fd, int64_t offset, int whence);

// The calls of a batch (libredox call_batch) that can go through channels:
// reads and writes at an explicit offset or on unpositioned files, fstat and
// lseek SEEK_END, on fds whose every call in the batch qualifies. The first
// wave of every such fd's channel is queued before any is waited for, so
// their daemons serve them at the same time. Sets handled[i] for those it
// answered in done[i].
void batch(std::span<Sqe> calls, std::span<Cqe> done, std::vector<char>& handled);

// The kernel offered fd a channel (CQE_DIRECT_OFFER): map it.
void attach(int fd);
// fd is being closed or replaced by this process: drop its channel now.
void forget(int fd);

// Daemon side: the region and bell memfds of granted channel `id` (the caller
// maps them), or with refuse, tell the kernel-sim this daemon cannot serve it.
Result<std::pair<int, int>> accept(uint32_t id, bool refuse);

} // namespace redox::sys::direct
