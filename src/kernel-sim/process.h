// A sim process: a Linux child of the kernel-sim with a sim pid, credentials,
// namespaces, a Redox fd table and its shared ring pair.
#pragma once

#include "kernel-sim/scheme.h"
#include "schemes/shared.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace redox::kernel {

enum class ProcState { Running, Zombie };

struct Process {
    uint32_t pid = 0;
    uint32_t ppid = 0;
    uint32_t pgid = 0;
    int linux_pid = -1;
    int pidfd = -1;
    int side_fd = -1;             // our end of the side channel
    int region_fd = -1;
    ProcShared* shared = nullptr;
    uint32_t ruid = 0, euid = 0, rgid = 0, egid = 0;
    uint64_t rns = 1, ens = 1;    // namespace ids (0 = null namespace)
    std::string name;
    std::vector<std::string> argv;
    ProcState state = ProcState::Running;
    int status = 0;               // raw wait status once a zombie
    bool exit_reported = false;   // an Exit call told us the status first
    // Job control: set when Linux reports the process stopped or continued,
    // cleared when a waitpid with WUNTRACED / WCONTINUED reports it.
    bool stopped = false;
    int stop_report = 0;          // raw status of an unreported stop (sig << 8 | 0x7f)
    bool continue_report = false;
    uint64_t start_ns = 0;
    uint64_t calls = 0;
    bool wake_pending = false;    // queued in Kernel::m_wakes

    std::map<int, FdRef> fds;
    // A request this process waits on, and the Linux thread that made it (0 when
    // the client did not say), so a signal interrupts only that thread's calls.
    struct InFlight {
        std::weak_ptr<Scheme> scheme;
        uint32_t tid = 0;
    };
    std::map<uint64_t, InFlight> inflight;  // by serial

    // Lowest free fd >= from.
    int alloc_fd(int from = 0) const {
        int fd = from;
        for (auto it = fds.lower_bound(from); it != fds.end() && it->first == fd; ++it) ++fd;
        return fd;
    }
    FdRef fd(int n) const {
        auto it = fds.find(n);
        return it == fds.end() ? nullptr : it->second;
    }
};

} // namespace redox::kernel
