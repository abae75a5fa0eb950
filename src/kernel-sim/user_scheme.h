// A scheme served by a daemon process over its SchemeShared ring.
//
// Requests carry buffer arguments as offsets into the region's arena. The
// kernel-sim copies a caller's write data straight from the caller's address
// space into the arena (process_vm_readv) and a read's result straight from
// the arena into the caller (process_vm_writev): one copy per transfer, and
// the daemon sees only the bytes of requests addressed to it.
#pragma once

#include "kernel-sim/scheme.h"
#include "schemes/shared.h"

#include <deque>
#include <map>
#include <vector>

namespace redox::kernel {

class UserScheme : public Scheme {
public:
    UserScheme(std::string name, uint32_t owner, SchemeShared* region);
    ~UserScheme() override;

    void submit(Kernel& k, std::unique_ptr<KRequest> req) override;
    void close(Kernel& k, uint64_t number) override;
    void cancel(Kernel& k, uint64_t serial) override;
    bool alive() const override { return m_alive; }

    // Handle the daemon's responses. Returns true if there were any.
    bool drain(Kernel& k);
    bool pending() const;
    // Nothing queued for the daemon and nothing answered but not yet handled.
    bool idle() const;
    uint32_t owner() const { return m_owner; }
    // The daemon serves direct channels (registered with REGISTER_DIRECT).
    bool direct_capable() const { return m_direct_capable; }
    void set_direct_capable(bool v) { m_direct_capable = v; }
    // The memfd of the DirectBell clients of this scheme's channels wake the
    // daemon with; created on first use. -1 if it cannot be.
    int bell_fd();
    // A kernel-sim request of its own (DirectOp) on the scheme ring.
    void send(Kernel& k, const Sqe& sqe) { push(k, sqe); }
    // The daemon died or closed its socket: fail everything in flight with EIO.
    void crash(Kernel& k, std::string_view why);
    // Drops unanswered requests without answering them (the kernel-sim is going
    // away): a request's completion holds this scheme, so they would keep each other.
    void abandon_requests();

private:
    struct Slot {
        std::unique_ptr<KRequest> req;
        uint64_t arena_off = 0;
        uint64_t arena_len = 0;
    };
    uint64_t arena_alloc(uint64_t len);
    void arena_free(uint64_t off, uint64_t len);
    void push(Kernel& k, const Sqe& sqe);
    void finish(Kernel& k, uint32_t tag, const Cqe& cqe);

    uint32_t m_owner;
    SchemeShared* m_region;
    bool m_alive = true;
    std::vector<Slot> m_slots;         // indexed by tag
    std::vector<uint32_t> m_free_tags;
    std::deque<Sqe> m_overflow;        // requests waiting for ring space
    std::map<uint64_t, uint64_t> m_free_spans;  // arena offset -> length
    bool m_direct_capable = false;
    int m_bell_fd = -1;
};

} // namespace redox::kernel
