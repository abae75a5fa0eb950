// Routing of the file operations: open, dup, read, write and the f* calls.
#include "kernel-sim/direct.h"
#include "kernel-sim/routing.h"
#include "kernel-sim/kschemes.h"
#include "kernel-sim/user_scheme.h"
#include <fcntl.h>
#include <sys/mman.h>

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace redox::kernel {

namespace {

int pidfd_getfd_(int pidfd, int fd) { return int(syscall(SYS_pidfd_getfd, pidfd, fd, 0)); }

bool can_read(const FdRef& f) { return (f->flags & O_ACCMODE_) != O_WRONLY_; }
bool can_write(const FdRef& f) { return (f->flags & O_ACCMODE_) != O_RDONLY_; }

void do_open(Kernel& k, Process& p, uint32_t tag, std::string path, uint64_t flags, uint16_t mode, int at) {
    auto [name, rest] = split_path(path);
    auto s = resolve_scheme(k, p, name);
    if (!s) return reply_err(k, p.pid, tag, s.error().errnum);
    auto r = make_request(k, p, Opcode::Open, nullptr);
    r->path = rest;
    r->args[0] = flags;
    r->args[1] = mode;
    auto scheme = *s;
    forward(k, p, scheme, std::move(r), tag,
            [scheme, flags, rest, at, tag](Kernel& k, KRequest& req, const Cqe& c) {
                if (Process* p = k.process(req.pid)) open_reply(k, *p, tag, scheme, c, flags, rest, at);
            });
}

} // namespace

bool send_side_fd(Process& p, int fd, uint64_t value) {
    iovec iov{&value, sizeof value};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return sendmsg(p.side_fd, &msg, MSG_NOSIGNAL) == ssize_t(sizeof value);
}

void dispatch_file_op(Kernel& k, Process& p, const Sqe& sqe) {
    const uint64_t* a = sqe.args;
    const uint32_t tag = sqe.tag;
    const Opcode op = Opcode(sqe.opcode);

    if (op == Opcode::Open) {
        auto path = k.read_string(p.pid, a[0], a[1]);
        if (!path) return reply_err(k, p.pid, tag, path.error().errnum);
        return do_open(k, p, tag, *path, a[2], uint16_t(a[3]), -1);
    }
    if (op == Opcode::UnlinkAt) {
        auto path = k.read_string(p.pid, a[1], a[2]);
        if (!path) return reply_err(k, p.pid, tag, path.error().errnum);
        auto [name, rest] = split_path(*path);
        auto s = resolve_scheme(k, p, name);
        if (!s) return reply_err(k, p.pid, tag, s.error().errnum);
        auto r = make_request(k, p, Opcode::UnlinkAt, nullptr);
        r->path = rest;
        r->args[0] = a[3];
        return forward(k, p, *s, std::move(r), tag);
    }

    // Everything else names an fd.
    FdRef f = p.fd(int(a[0]));
    if (!f) return reply_err(k, p.pid, tag, EBADF_);
    auto scheme = f->scheme.lock();
    if (!scheme || !scheme->alive()) {
        if (op == Opcode::Close) { p.fds.erase(int(a[0])); return reply(k, p.pid, tag, 0); }
        return reply_err(k, p.pid, tag, EIO_);
    }

    switch (op) {
    case Opcode::Close:
        direct_revoke(k, *f);
        p.fds.erase(int(a[0]));
        return reply(k, p.pid, tag, 0);
    case Opcode::OpenAt: {
        auto rel = k.read_string(p.pid, a[1], a[2]);
        if (!rel) return reply_err(k, p.pid, tag, rel.error().errnum);
        std::string path = rel->starts_with('/') ? *rel : (f->path.empty() ? *rel : f->path + "/" + *rel);
        if (rel->starts_with('/')) return do_open(k, p, tag, path, a[3], uint16_t(a[4]), -1);
        auto r = make_request(k, p, Opcode::Open, nullptr);
        r->path = path;
        r->args[0] = a[3];
        r->args[1] = a[4];
        uint64_t flags = a[3];
        return forward(k, p, scheme, std::move(r), tag,
                       [scheme, flags, path, tag](Kernel& k, KRequest& req, const Cqe& c) {
                           if (Process* p = k.process(req.pid)) open_reply(k, *p, tag, scheme, c, flags, path, -1);
                       });
    }
    case Opcode::Dup: {
        auto buf = k.read_string(p.pid, a[1], a[2]);
        if (!buf) return reply_err(k, p.pid, tag, buf.error().errnum);
        if (buf->empty()) return reply(k, p.pid, tag, uint64_t(install_fd(p, f)));
        auto r = make_request(k, p, Opcode::Dup, f);
        r->path = *buf;
        // A dup with a path is a sub-open: the scheme decides what the handle allows.
        uint64_t flags = (f->flags & ~uint64_t(O_ACCMODE_)) | O_RDWR_;
        std::string path = f->path;
        return forward(k, p, scheme, std::move(r), tag,
                       [scheme, flags, path, tag](Kernel& k, KRequest& req, const Cqe& c) {
                           if (Process* p = k.process(req.pid)) open_reply(k, *p, tag, scheme, c, flags, path, -1);
                       });
    }
    case Opcode::Read:
    case Opcode::Write: {
        bool is_read = op == Opcode::Read;
        if (is_read ? !can_read(f) : !can_write(f)) return reply_err(k, p.pid, tag, EBADF_);
        auto r = make_request(k, p, op, f);
        r->buf = a[1];
        r->len = a[2];
        bool implicit = a[3] == ~0ull;
        if (!f->positioned) r->offset = ~0ull;
        else r->offset = implicit ? f->position() : a[3];
        if (!implicit && !f->positioned) return reply_err(k, p.pid, tag, ESPIPE_);
        return forward(k, p, scheme, std::move(r), tag,
                       [f, implicit, tag](Kernel& k, KRequest& req, const Cqe& c) {
                           if (f->positioned && implicit && !is_error(c.result)) {
                               // An append write lands at the end: the scheme tells us where via fsize later;
                               // keep the offset moving forward by the count.
                               f->set_position(req.offset + c.result);
                           }
                           // A few transfers on an fd of a daemon that serves direct
                           // channels: offer one with the answer.
                           bool offer = false;
                           if (!is_error(c.result))
                               if (Process* p = k.process(req.pid)) offer = direct_maybe_grant(k, *p, f);
                           reply(k, req.pid, tag, c.result, 0, offer ? CQE_DIRECT_OFFER : 0);
                       });
    }
    case Opcode::Fsize: case Opcode::Fsync: case Opcode::Fevent: case Opcode::Fchmod:
    case Opcode::Ftruncate: {
        auto r = make_request(k, p, op, f);
        r->args[0] = a[1];
        return forward(k, p, scheme, std::move(r), tag);
    }
    case Opcode::Fchown: {
        uint32_t uid = uint32_t(a[1]), gid = uint32_t(a[2]);
        auto r = make_request(k, p, op, f);
        r->args[0] = uid;
        r->args[1] = gid;
        return forward(k, p, scheme, std::move(r), tag);
    }
    case Opcode::Fcntl: {
        uint64_t cmd = a[1], arg = a[2];
        if (cmd == F_GETFD_ || cmd == F_SETFD_) return reply(k, p.pid, tag, 0);
        if (cmd == F_GETFL_) return reply(k, p.pid, tag, f->flags);
        direct_revoke(k, *f);  // the daemon's copy of the flags would go stale
        auto r = make_request(k, p, op, f);
        r->args[0] = cmd;
        r->args[1] = arg;
        return forward(k, p, scheme, std::move(r), tag, [f, cmd, arg, tag](Kernel& k, KRequest& req, const Cqe& c) {
            if (cmd == F_SETFL_ && !is_error(c.result))
                f->flags = (f->flags & O_ACCMODE_) | (arg & (O_NONBLOCK_ | O_APPEND_));
            reply(k, req.pid, tag, c.result);
        });
    }
    case Opcode::Fpath: case Opcode::Fstat: case Opcode::Fstatvfs: case Opcode::Futimens: {
        auto r = make_request(k, p, op, f);
        r->buf = a[1];
        r->len = a[2];
        return forward(k, p, scheme, std::move(r), tag);
    }
    case Opcode::Getdents: {
        auto r = make_request(k, p, op, f);
        r->buf = a[1];
        r->len = std::min<uint64_t>(a[2], 1 << 16);
        r->args[0] = a[4];
        return forward(k, p, scheme, std::move(r), tag);
    }
    case Opcode::Frename: case Opcode::Flink: {
        auto path = k.read_string(p.pid, a[1], a[2]);
        if (!path) return reply_err(k, p.pid, tag, path.error().errnum);
        auto [name, rest] = split_path(*path);
        if (name != f->scheme_name) return reply_err(k, p.pid, tag, EXDEV_);
        auto r = make_request(k, p, op, f);
        r->path = rest;
        return forward(k, p, scheme, std::move(r), tag);
    }
    case Opcode::Call: {
        uint64_t meta[3] = {};
        size_t count = std::min<uint64_t>(a[5], 3);
        if (count && !k.copy_from(p.pid, a[4], meta, count * 8)) return reply_err(k, p.pid, tag, EFAULT_);
        auto r = make_request(k, p, op, f);
        r->buf = a[1];
        r->len = a[2];
        r->args[0] = meta[0];
        r->args[1] = meta[1];
        return forward(k, p, scheme, std::move(r), tag);
    }
    case Opcode::Sendfd: {
        auto* u = as_user_scheme(scheme.get());
        if (!u) return reply_err(k, p.pid, tag, EOPNOTSUPP_);
        FdRef sent = p.fd(int(a[1]));
        if (!sent) return reply_err(k, p.pid, tag, EBADF_);
        Process* owner = k.process(u->owner());
        if (!owner) return reply_err(k, p.pid, tag, EIO_);
        p.fds.erase(int(a[1]));
        int dfd = install_fd(*owner, sent);
        auto r = make_request(k, p, op, f);
        r->args[0] = uint64_t(dfd);
        return forward(k, p, scheme, std::move(r), tag);
    }
    case Opcode::Recvfd: {
        auto r = make_request(k, p, op, f);
        return forward(k, p, scheme, std::move(r), tag, [scheme, tag](Kernel& k, KRequest& req, const Cqe& c) {
            if (is_error(c.result)) return reply(k, req.pid, tag, c.result);
            FdRef got = c.op() == CqeOpcode::RespondWithFd ? take_daemon_fd(k, *scheme, c.result) : nullptr;
            Process* p = k.process(req.pid);
            if (!got || !p) return reply_err(k, req.pid, tag, EIO_);
            reply(k, req.pid, tag, uint64_t(install_fd(*p, got)));
        });
    }
    default:
        return reply_err(k, p.pid, tag, ENOSYS_);
    }
}

namespace {

// A map that cannot write through to the file (read-only, or private) gets a
// read-only description of the file's memfd, so the pages it shares with the
// server and other mappers cannot be made writable through it (mprotect
// fails). Not a wall: a process with the host user's rights can still reopen
// the memfd by its /proc/self/fd path; only sealed memfds (exec images) refuse
// writes to everyone. The flags are read as libredox's fmap reads them: no
// PROT bits means read and write.
int for_map(int fd, uint64_t flags) {
    bool prot_given = flags & (PROT_READ_ | PROT_WRITE_ | PROT_EXEC_);
    bool shared_write = !(flags & MAP_PRIVATE_) && (!prot_given || (flags & PROT_WRITE_));
    if (shared_write) return fd;
    int ro = open(fmt::format("/proc/self/fd/{}", fd).c_str(), O_RDONLY | O_CLOEXEC);
    if (ro < 0) return fd;  // not reopenable (not a file): as before
    close(fd);
    return ro;
}

// Sends the fd (then closes it) and answers the fmap with its size.
void hand_over_map(Kernel& k, Process& p, uint32_t tag, int fd, uint64_t file_offset, uint64_t size) {
    bool ok = send_side_fd(p, fd, file_offset);
    close(fd);
    reply(k, p.pid, tag, ok ? size : mux_error(EIO_));
}

} // namespace

// Fmap: hand the caller a Linux memfd for the file's pages over its side channel.
void route_fmap(Kernel& k, Process& p, const Sqe& sqe) {
    const uint64_t* a = sqe.args;
    uint32_t tag = sqe.tag;
    uint64_t offset = a[1], size = a[2], flags = a[3];
    if (size == 0) return reply_err(k, p.pid, tag, EINVAL_);
    if (a[0] == ~0ull) {
        int fd = memfd_create("redox-anon", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, off_t(size)) != 0) { if (fd >= 0) close(fd); return reply_err(k, p.pid, tag, ENOMEM_); }
        return hand_over_map(k, p, tag, fd, 0, size);
    }
    FdRef f = p.fd(int(a[0]));
    if (!f) return reply_err(k, p.pid, tag, EBADF_);
    auto scheme = f->scheme.lock();
    if (!scheme || !scheme->alive()) return reply_err(k, p.pid, tag, EIO_);
    if (auto* m = dynamic_cast<Mappable*>(scheme.get())) {
        auto got = m->mmap_fd(k, f->number, offset, size);
        if (!got) return reply_err(k, p.pid, tag, got.error().errnum);
        return hand_over_map(k, p, tag, for_map(got->fd, flags), got->file_offset, size);
    }
    auto* u = as_user_scheme(scheme.get());
    if (!u) return reply_err(k, p.pid, tag, ENODEV_);
    auto r = make_request(k, p, Opcode::MmapPrep, f);
    r->args[0] = size;
    r->args[1] = flags;
    r->args[2] = offset;
    uint32_t owner = u->owner();
    forward(k, p, scheme, std::move(r), tag, [owner, offset, size, flags, tag](Kernel& k, KRequest& req, const Cqe& c) {
        if (is_error(c.result)) return reply(k, req.pid, tag, c.result);
        Process* d = k.process(owner);
        Process* p = k.process(req.pid);
        if (!d || !p) return reply_err(k, req.pid, tag, EIO_);
        int fd = pidfd_getfd_(d->pidfd, int(c.result));
        if (fd < 0) {
            k.log(1, fmt::format("mmap_prep: daemon pid {} answered fd {} that it does not have", owner, c.result));
            return reply_err(k, req.pid, tag, EIO_);
        }
        hand_over_map(k, *p, tag, for_map(fd, flags), offset, size);
    });
}

} // namespace redox::kernel
