// What the kernel-sim routes to: a Scheme (a kernel scheme served inline, or a
// daemon's scheme reached through its SchemeShared ring), the requests it
// gets, and the open file descriptions that fd tables point to.
#pragma once

#include "schemes/error.h"
#include "schemes/protocol.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace redox::kernel {

class Kernel;
class Scheme;
struct DirectChannel;

// Kernel schemes whose files can be mapped (memory, irq, initfs): a Linux fd
// and the offset in it where the file's `offset` lies (usually the same).
struct MapFd {
    int fd;
    uint64_t file_offset;
};
struct Mappable {
    virtual ~Mappable() = default;
    virtual Result<MapFd> mmap_fd(Kernel& k, uint64_t number, uint64_t offset, uint64_t size) = 0;
};

// An open file description: shared by every fd that dup'ed it (without a dup
// path) and by fork/spawn inheritance. The scheme sees its last close.
struct FileDescription {
    std::weak_ptr<Scheme> scheme;
    std::string scheme_name;
    uint64_t number = 0;      // scheme-local id
    std::string path;         // the path opened, relative to the scheme (for openat)
    uint64_t flags = 0;       // O_* access mode, NONBLOCK, APPEND
    uint64_t offset = 0;
    bool positioned = false;  // the kernel keeps `offset` (NewFdFlags::POSITIONED)
    Kernel* kernel = nullptr;
    // A direct channel granted for this description (kernel-sim/direct.h).
    // Once granted, the position lives in its region (client and kernel-sim
    // both move it), revoked or not, until the description goes away.
    std::shared_ptr<DirectChannel> direct;
    uint32_t routed = 0;      // reads and writes the kernel-sim routed
    uint64_t position() const;
    void set_position(uint64_t v);
    ~FileDescription();
};
using FdRef = std::shared_ptr<FileDescription>;

// One scheme operation in flight. The caller's buffer (buf, len) lives in the
// address space of process `pid`; schemes copy to and from it with
// Kernel::copy_to/copy_from so each transfer is copied once.
struct KRequest {
    Opcode op{};
    uint32_t pid = 0;          // caller (0: the kernel itself)
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint64_t number = 0;       // the target file's scheme-local id
    FdRef file;                // the target description, if any
    std::string path;          // path or dup bytes
    uint64_t buf = 0;          // caller address
    uint64_t len = 0;
    uint64_t offset = ~0ull;   // read/write position (u64::MAX: not positioned)
    uint64_t fd_flags = 0;     // the description's flags for read/write
    uint64_t args[4] = {};     // op-specific scalars
    uint64_t serial = 0;       // kernel-unique id, for cancellation
    std::string trace_scheme;  // the scheme's name, kept only while tracing
    // Called exactly once with the scheme's answer.
    std::function<void(Kernel&, KRequest&, const Cqe&)> done;
};

class Scheme : public std::enable_shared_from_this<Scheme> {
public:
    explicit Scheme(std::string name) : m_name(std::move(name)) {}
    virtual ~Scheme() = default;
    const std::string& name() const { return m_name; }

    // Start the request; the scheme calls Kernel::complete exactly once.
    virtual void submit(Kernel& k, std::unique_ptr<KRequest> req) = 0;
    // The last fd of a description closed.
    virtual void close(Kernel& k, uint64_t number) = 0;
    // The caller of request `serial` was signalled: answer it early if parked.
    virtual void cancel(Kernel& k, uint64_t serial) = 0;
    // The process `pid` died: drop anything parked for it.
    virtual void process_exited(Kernel&, uint32_t) {}
    // Is the server still there (false after a daemon crash)?
    virtual bool alive() const { return true; }
    // uid 0 only (debug, irq, serio ...).
    virtual bool root_only() const { return false; }

private:
    std::string m_name;
};

// Base for schemes served inside the kernel-sim: synchronous operations that
// may answer EWOULDBLOCK_, in which case the request is parked (unless the
// file is O_NONBLOCK) and retried by retry_parked() after a state change.
class KernelScheme : public Scheme {
public:
    using Scheme::Scheme;
    void submit(Kernel& k, std::unique_ptr<KRequest> req) final;
    void close(Kernel& k, uint64_t number) override { on_close(k, number); }
    void cancel(Kernel& k, uint64_t serial) override;
    void process_exited(Kernel& k, uint32_t pid) override;

protected:
    // Handle one request. Return the Cqe result (count, id) or an error;
    // EWOULDBLOCK_ parks it. `extra` may be set to NewFdFlags for open/dup.
    virtual Result<uint64_t> handle(Kernel& k, KRequest& req, uint8_t& extra) = 0;
    virtual void on_close(Kernel&, uint64_t) {}
    void retry_parked(Kernel& k);

private:
    std::deque<std::unique_ptr<KRequest>> m_parked;
    bool m_retrying = false;
};

} // namespace redox::kernel
