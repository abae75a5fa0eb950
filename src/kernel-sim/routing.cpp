// Routing: how every call of a sim process reaches a scheme. A call arrives as
// an Sqe on the process's ring; the kernel-sim resolves the fd or path through
// the process's fd table and namespace, builds a KRequest, and answers the
// process with a Cqe carrying the same tag once the scheme completes it.
#include "kernel-sim/direct.h"
#include "kernel-sim/kernel.h"
#include "kernel-sim/kschemes.h"
#include "kernel-sim/namespaces.h"
#include "kernel-sim/process.h"
#include "kernel-sim/routing.h"
#include "kernel-sim/user_scheme.h"

#include "schemes/names.h"

#include <fmt/format.h>

namespace redox::kernel {

void reply(Kernel& k, uint32_t pid, uint32_t tag, uint64_t result, uint8_t extra, uint8_t extra1) {
    if (Process* p = k.process(pid)) {
        Cqe c{};
        c.tag = tag;
        c.result = result;
        c.extra_raw[0] = extra;
        c.extra_raw[1] = extra1;
        k.post(*p, c);
    }
}

void reply_err(Kernel& k, uint32_t pid, uint32_t tag, int errnum) {
    reply(k, pid, tag, mux_error(errnum));
}

// "/scheme/NAME/rest", "NAME:rest" or a file path -> (NAME, rest).
std::pair<std::string, std::string> split_path(std::string_view path) {
    if (path == "/scheme" || path == "/scheme/") return {"", ""};
    if (path.starts_with("/scheme/")) {
        std::string_view rest = path.substr(8);
        size_t slash = rest.find('/');
        if (slash == std::string_view::npos) return {std::string(rest), ""};
        return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
    }
    size_t colon = path.find(':');
    if (colon != std::string_view::npos && (path.find('/') == std::string_view::npos || path.find('/') > colon)) {
        std::string_view rest = path.substr(colon + 1);
        while (rest.starts_with('/')) rest.remove_prefix(1);
        return {std::string(path.substr(0, colon)), std::string(rest)};
    }
    while (path.starts_with('/')) path.remove_prefix(1);
    return {"file", std::string(path)};
}

Result<std::shared_ptr<Scheme>> resolve_scheme(Kernel& k, Process& p, const std::string& name) {
    auto s = k.namespaces().lookup(p.rns, name.empty() ? std::string("") : name);
    if (!s) return err(ENODEV_, "no scheme '" + name + "'");
    if (s->root_only() && p.euid != 0) return err(EACCES_, "scheme " + name);
    return s;
}

std::unique_ptr<KRequest> make_request(Kernel& k, Process& p, Opcode op, const FdRef& file) {
    auto r = std::make_unique<KRequest>();
    r->op = op;
    r->pid = p.pid;
    r->uid = p.euid;
    r->gid = p.egid;
    r->serial = k.next_serial();
    if (file) {
        r->file = file;
        r->number = file->number;
        r->fd_flags = file->flags;
    }
    return r;
}

// Send a request to a scheme on behalf of process p; `then` turns the
// scheme's Cqe into the process's answer.
void forward(Kernel& k, Process& p, std::shared_ptr<Scheme> s, std::unique_ptr<KRequest> r,
             uint32_t tag, std::function<void(Kernel&, KRequest&, const Cqe&)> then) {
    uint32_t pid = p.pid;
    uint64_t serial = r->serial;
    p.inflight[serial] = {s, k.current_tid()};
    bool traced = k.tracer().enabled();
    uint64_t t0 = traced ? Kernel::real_ns() : 0;
    r->done = [pid, tag, serial, traced, t0, then = std::move(then)](Kernel& k, KRequest& req, const Cqe& c) {
        if (traced) {
            k.tracer().record(t0 - k.boot_real_ns(), Kernel::real_ns() - t0, pid, req.trace_scheme, req, c.result);
        }
        Process* caller = k.process(pid);
        if (!caller || caller->state != ProcState::Running) return;
        caller->inflight.erase(serial);
        if (then) then(k, req, c);
        else reply(k, pid, tag, c.result);
    };
    if (traced) r->trace_scheme = s->name();
    if (!k.faults().empty()) {
        if (int e = k.faults().check(s->name(), *r)) {
            k.log(2, fmt::format("fault injected: pid {} {} {} -> {}", pid, s->name(), opcode_name(unsigned(r->op)),
                                 errno_name(e)));
            Cqe c{};
            c.result = mux_error(e);
            return k.complete(std::move(r), c);
        }
    }
    s->submit(k, std::move(r));
}

// Take fd `daemon_fd` out of the scheme owner's table (RespondWithFd).
FdRef take_daemon_fd(Kernel& k, Scheme& s, uint64_t daemon_fd) {
    auto* u = as_user_scheme(&s);
    Process* owner = u ? k.process(u->owner()) : nullptr;
    if (!owner) return nullptr;
    auto it = owner->fds.find(int(daemon_fd));
    if (it == owner->fds.end()) return nullptr;
    FdRef f = it->second;
    owner->fds.erase(it);
    return f;
}

int install_fd(Process& p, FdRef f, int at) {
    // A second holder: the description's channel (if any) ends first.
    if (f->direct && f->kernel) direct_revoke(*f->kernel, *f);
    int fd = at >= 0 ? at : p.alloc_fd(0);
    p.fds[fd] = std::move(f);
    return fd;
}

// The answer to an open or a dup: a new description in the caller's table.
void open_reply(Kernel& k, Process& p, uint32_t tag, std::shared_ptr<Scheme> s, const Cqe& c,
                uint64_t flags, std::string path, int at) {
    if (is_error(c.result)) return reply(k, p.pid, tag, c.result);
    FdRef f;
    if (c.op() == CqeOpcode::RespondWithFd) {
        f = take_daemon_fd(k, *s, c.result);
        if (!f) {
            k.log(1, fmt::format("scheme {}: RespondWithFd names no fd of the daemon", s->name()));
            return reply_err(k, p.pid, tag, EIO_);
        }
    } else {
        f = std::make_shared<FileDescription>();
        f->scheme = s;
        f->scheme_name = s->name();
        f->number = c.result;
        f->flags = flags & (O_ACCMODE_ | O_NONBLOCK_ | O_APPEND_);
        if ((f->flags & O_ACCMODE_) == 0) f->flags |= O_RDONLY_;
        f->positioned = c.extra_raw[0] & NEWFD_POSITIONED;
        f->path = std::move(path);
        f->kernel = &k;
    }
    if (at >= 0) p.fds.erase(at);
    reply(k, p.pid, tag, uint64_t(install_fd(p, f, at)));
}

void Kernel::dispatch(Process& p, const Sqe& sqe) {
    // The submitting thread (libredox puts its Linux tid in `caller`).
    m_current_tid = uint32_t(sqe.caller);
    if (sqe.opcode >= 100) dispatch_kernel_op(*this, p, sqe);
    else dispatch_file_op(*this, p, sqe);
    m_current_tid = 0;
}

} // namespace redox::kernel
