// The scheme server framework: a daemon subclasses SchemeServer, overrides the
// operations its scheme supports (like redox-scheme's SchemeSync), and calls
// serve(). Unimplemented operations answer ENOSYS (EBADF for fd-less ones).
//
// Blocking is readiness based: an operation that cannot complete yet returns
// EWOULDBLOCK_; unless the caller's handle is O_NONBLOCK the framework parks
// the request and runs it again after later requests or notify_ready(), so a
// read on an empty pipe waits without blocking the daemon. A Cancel for a
// parked request answers it with ECANCELED (the kernel turns that into EINTR).
#pragma once

#include "schemes/direct.h"
#include "schemes/error.h"
#include "schemes/libredox.h"
#include "schemes/protocol.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string_view>

namespace redox {

struct CallerCtx {
    uint32_t pid = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
};

// One of several positioned reads that arrived together on a direct channel.
struct ReadRequest {
    uint64_t id = 0;
    std::span<uint8_t> buf;
    uint64_t offset = 0;
    uint64_t fd_flags = 0;
    Result<size_t> result = size_t(0);
};

struct OpenResult {
    uint64_t number = 0;      // the scheme-local file id
    uint8_t flags = 0;        // NewFdFlags (NEWFD_POSITIONED)
    int other_fd = -1;        // >= 0: answer with this fd of the daemon (OtherScheme)
};

class SchemeServer {
public:
    virtual ~SchemeServer() = default;

    // path is what follows /scheme/NAME/ (no leading slash).
    virtual Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx);
    virtual Result<OpenResult> dup(uint64_t id, std::string_view buf, const CallerCtx& ctx);
    virtual Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx);
    virtual Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx);
    virtual Result<uint64_t> fsize(uint64_t id);
    virtual Result<void> fchmod(uint64_t id, uint16_t mode, const CallerCtx& ctx);
    virtual Result<void> fchown(uint64_t id, uint32_t uid, uint32_t gid, const CallerCtx& ctx);
    virtual Result<uint64_t> fcntl(uint64_t id, uint64_t cmd, uint64_t arg);
    virtual Result<uint32_t> fevent(uint64_t id, uint32_t flags);
    virtual Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf);
    virtual Result<void> frename(uint64_t id, std::string_view path, const CallerCtx& ctx);
    virtual Result<void> flink(uint64_t id, std::string_view path, const CallerCtx& ctx);
    virtual Result<void> fstat(uint64_t id, Stat& st);
    virtual Result<void> fstatvfs(uint64_t id, StatVfs& st);
    virtual Result<void> fsync(uint64_t id);
    virtual Result<void> ftruncate(uint64_t id, uint64_t len, const CallerCtx& ctx);
    virtual Result<void> futimens(uint64_t id, std::span<const TimeSpec> times, const CallerCtx& ctx);
    // Fill buf with DirentHeader records starting after `opaque`; return bytes used.
    virtual Result<size_t> getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque);
    virtual Result<void> unlink(std::string_view path, uint64_t flags, const CallerCtx& ctx);
    // Return a Linux memfd of this daemon whose offsets equal the file's offsets.
    virtual Result<int> mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t flags, const CallerCtx& ctx);
    virtual Result<size_t> call(uint64_t id, std::span<uint8_t> payload, std::span<const uint64_t> meta, const CallerCtx& ctx);
    // fd is already installed in this daemon's fd table.
    virtual Result<size_t> on_sendfd(uint64_t id, int fd, const CallerCtx& ctx);
    // Return an fd of this daemon to move to the caller.
    virtual Result<int> on_recvfd(uint64_t id, const CallerCtx& ctx);
    virtual void on_close(uint64_t id);

    // Opt in to direct channels (direct.h): the kernel-sim may then hand
    // clients of this scheme a private ring per fd for read, write, fstat and
    // fsize, served by serve() beside the scheme ring. A scheme may opt in when
    // those operations never depend on who else holds the fd (the kernel-sim
    // grants only unshared fds) and it can answer them without blocking
    // (EWOULDBLOCK_ sends the client back to the kernel path).
    virtual bool direct_io() const { return false; }
    // Opt in to getting the positioned reads a client batched on a direct
    // channel together (read_many), for a scheme that can run them at once (a
    // disk with a deep queue). Their answers then land together.
    virtual bool overlaps_reads() const { return false; }
    // The default answers each with read() in turn.
    virtual void read_many(std::span<ReadRequest> reads, const CallerCtx& ctx);

    // Raise events on a file (SendFevent), e.g. after data arrives.
    void post_fevent(uint64_t id, uint32_t flags);
    // Re-run parked requests (call after a state change made outside a request).
    void notify_ready() { m_retry = true; }

    // Register `name` in the caller's namespace and serve until the kernel
    // closes the socket. `ready` runs once the scheme is registered.
    Result<void> serve(std::string_view name, std::function<void()> ready = {});
    // For daemons with their own loop: register `name`, then call poll_once()
    // and sleep on sys::wake_word() themselves.
    Result<void> attach(std::string_view name) { return attach(name, false); }
    // True once the kernel has torn the scheme down (the loop should end).
    bool detached() const { return m_socket.shared && m_socket.shared->magic != kSchemeMagic; }
    // Handle everything queued, then return (for daemons with their own loop).
    bool poll_once();
    int socket_fd() const { return m_socket.fd; }

    // Writes a path into a fpath buffer, returns bytes written.
    static size_t put_path(std::span<uint8_t> buf, std::string_view path);

private:
    struct DirectChannel {
        uint32_t id = 0;
        DirectRegion* region = nullptr;
        uint64_t number = 0;
        uint64_t fd_flags = 0;
        bool positioned = false;
        CallerCtx ctx;
        ~DirectChannel();
    };
    Result<void> attach(std::string_view name, bool direct);
    bool handle(const Sqe& sqe, bool parked);
    void direct_grant(const Sqe& sqe);
    void direct_revoke(uint32_t id);
    bool poll_direct();
    // Answers what the channel has queued; false when it had nothing.
    bool serve_direct(DirectChannel& ch);
    Cqe handle_direct(DirectChannel& ch, const Sqe& sqe);
    // A direct Read's buffer in the arena and its position, or the errno to answer.
    int direct_read_args(DirectChannel& ch, const Sqe& sqe, std::span<uint8_t>& buf, uint64_t& pos) const;
    size_t serve_direct_reads(DirectChannel& ch, std::span<const Sqe> sqes);
    bool direct_queued() const;
    void respond(const Cqe& cqe);
    uint8_t* arena(uint64_t offset, uint64_t len);

    sys::SchemeSocket m_socket{-1, nullptr};
    std::deque<Sqe> m_parked;
    bool m_retry = false;
    std::map<uint32_t, std::unique_ptr<DirectChannel>> m_direct;
    DirectBell* m_bell = nullptr;
    int m_client_cpu = -1;  // where the client of the last direct work waits
    CoreShare m_core;       // whether this daemon's yields find others on its core
    bool m_direct_work = false;  // poll_direct answered something since the loop last looked
};

// Helper for getdents implementations: appends records while they fit.
class DirentWriter {
public:
    explicit DirentWriter(std::span<uint8_t> buf) : m_buf(buf) {}
    // Returns false when the record does not fit (stop and return used()).
    bool add(uint64_t inode, uint64_t next_opaque, uint8_t kind, std::string_view name);
    size_t used() const { return m_used; }
private:
    std::span<uint8_t> m_buf;
    size_t m_used = 0;
};

} // namespace redox
