#include "schemes/libredox.h"

#include "schemes/connection.h"
#include "schemes/direct.h"
#include "schemes/direct_client.h"

#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

extern char** environ;

namespace redox::sys {

namespace {

Result<uint64_t> syscall6(uint8_t op, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                          uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
    Sqe sqe{};
    sqe.opcode = op;
    sqe.args[0] = a0; sqe.args[1] = a1; sqe.args[2] = a2;
    sqe.args[3] = a3; sqe.args[4] = a4; sqe.args[5] = a5;
    Cqe cqe = Connection::get().call(sqe);
    if (is_error(cqe.result)) return err(demux_error(cqe.result));
    return cqe.result;
}
Result<uint64_t> op(Opcode o, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                    uint64_t a4 = 0, uint64_t a5 = 0) {
    return syscall6(uint8_t(o), a0, a1, a2, a3, a4, a5);
}
Result<uint64_t> kop(KernelOp o, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                     uint64_t a4 = 0, uint64_t a5 = 0) {
    return syscall6(uint8_t(o), a0, a1, a2, a3, a4, a5);
}
uint64_t ptr(const void* p) { return reinterpret_cast<uint64_t>(p); }

std::string& cwd_storage() {
    static std::string cwd = [] {
        const char* p = std::getenv("PWD");
        return std::string(p && *p == '/' ? p : "/");
    }();
    return cwd;
}

} // namespace

bool in_sim() { return std::getenv("REDOX_SIM") != nullptr; }

const std::string& cwd() { return cwd_storage(); }

std::string canonicalize(std::string_view path) {
    // Scheme-qualified paths pass through untouched.
    if (path.find(':') != std::string_view::npos && path.find('/') > path.find(':')) return std::string(path);
    std::string full = path.starts_with('/') ? std::string(path) : cwd_storage() + "/" + std::string(path);
    std::vector<std::string_view> parts;
    std::string_view rest = full;
    bool scheme_root = full.starts_with("/scheme/");
    while (!rest.empty()) {
        size_t slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            // Never climb out of /scheme/NAME.
            if (!parts.empty() && !(scheme_root && parts.size() <= 2)) parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (auto p : parts) { out += '/'; out += p; }
    if (out.empty()) out = "/";
    if (path.ends_with('/') && out.size() > 1) out += '/';
    return out;
}

Result<void> chdir(std::string_view path) {
    std::string p = canonicalize(path);
    int fd = TRY(open(p, O_RDONLY_ | O_DIRECTORY_ | O_STAT_));
    (void)close(fd);
    cwd_storage() = p;
    setenv("PWD", p.c_str(), 1);
    return {};
}

Result<int> open(std::string_view path, uint64_t flags, uint16_t mode) {
    std::string p = canonicalize(path);
    // A file system answers EXDEV_ for a symlink whose target is another
    // scheme (/dev/null -> /scheme/null): read the link and open its target.
    for (int hops = 0;; ++hops) {
        auto r = op(Opcode::Open, ptr(p.data()), p.size(), flags, mode);
        if (r || r.error().errnum != EXDEV_ || hops >= 8 || (flags & O_NOFOLLOW_)) {
            if (!r) return std::unexpected(r.error());
            return int(*r);
        }
        auto link = op(Opcode::Open, ptr(p.data()), p.size(), O_RDONLY_ | O_SYMLINK_ | O_NOFOLLOW_, 0);
        if (!link) return std::unexpected(r.error());
        char buf[4096];
        auto n = read(int(*link), buf, sizeof buf);
        (void)close(int(*link));
        if (!n) return std::unexpected(n.error());
        std::string target(buf, *n);
        if (target.starts_with("libc:")) {
            // relibc's own paths: the standard streams and the terminal.
            std::string_view what = std::string_view(target).substr(5);
            int fd = what == "stdin" ? 0 : what == "stdout" ? 1 : what == "stderr" ? 2 : what == "tty" ? 0 : -1;
            if (fd < 0) return err(ENOENT_, target);
            return dup(fd);
        }
        if (!target.starts_with('/') && target.find(':') == std::string::npos)
            target = p.substr(0, p.rfind('/') + 1) + target;
        p = canonicalize(target);
    }
}

Result<int> openat(int dirfd, std::string_view path, uint64_t flags, uint16_t mode) {
    return TRY(op(Opcode::OpenAt, dirfd, ptr(path.data()), path.size(), flags, mode));
}

void call_batch(std::span<Sqe> calls, std::span<Cqe> done) {
    if (!direct::enabled()) return Connection::get().call_batch(calls, done);
    // What channels can take goes direct; the rest through the kernel-sim,
    // whose answers may offer channels for later batches.
    std::vector<char> handled(calls.size(), 0);
    direct::batch(calls, done, handled);
    std::vector<Sqe> rest;
    std::vector<size_t> where;
    for (size_t i = 0; i < calls.size(); ++i) {
        if (handled[i]) continue;
        rest.push_back(calls[i]);
        where.push_back(i);
    }
    if (rest.empty()) return;
    std::vector<Cqe> rest_done(rest.size());
    Connection::get().call_batch(rest, rest_done);
    std::vector<int> offered;
    for (size_t k = 0; k < rest.size(); ++k) {
        Cqe c = rest_done[k];
        c.tag = calls[where[k]].tag;
        done[where[k]] = c;
        if (c.extra_raw[1] & CQE_DIRECT_OFFER) offered.push_back(int(rest[k].args[0]));
    }
    for (int fd : offered) direct::attach(fd);
}

Result<void> close(int fd) {
    direct::forget(fd);
    TRY(op(Opcode::Close, fd));
    return {};
}

namespace {
// Read or write: through the fd's direct channel when it has one, else
// through the kernel-sim, which may offer a channel in its answer.
Result<size_t> transfer(Opcode o, int fd, const void* buf, size_t len, uint64_t offset) {
    void* b = const_cast<void*>(buf);
    if (direct::enabled())
        if (auto r = direct::transfer(o, fd, b, len, offset)) return *r;
    Sqe sqe{};
    sqe.opcode = uint8_t(o);
    sqe.args[0] = uint64_t(fd);
    sqe.args[1] = ptr(buf);
    sqe.args[2] = len;
    sqe.args[3] = offset;
    Cqe cqe = Connection::get().call(sqe);
    if (is_error(cqe.result)) return err(demux_error(cqe.result));
    if ((cqe.extra_raw[1] & CQE_DIRECT_OFFER) && direct::enabled()) direct::attach(fd);
    return size_t(cqe.result);
}
} // namespace

Result<size_t> read(int fd, void* buf, size_t len) { return transfer(Opcode::Read, fd, buf, len, ~uint64_t(0)); }
Result<size_t> write(int fd, const void* buf, size_t len) { return transfer(Opcode::Write, fd, buf, len, ~uint64_t(0)); }
Result<size_t> pread(int fd, void* buf, size_t len, uint64_t offset) { return transfer(Opcode::Read, fd, buf, len, offset); }
Result<size_t> pwrite(int fd, const void* buf, size_t len, uint64_t offset) {
    return transfer(Opcode::Write, fd, buf, len, offset);
}

Result<void> write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        size_t n = TRY(write(fd, data.data(), data.size()));
        if (n == 0) return err(EIO_, "short write");
        data.remove_prefix(n);
    }
    return {};
}

Result<std::string> read_all(int fd) {
    std::string out;
    char buf[65536];
    for (;;) {
        size_t n = TRY(read(fd, buf, sizeof buf));
        if (n == 0) return out;
        out.append(buf, n);
    }
}

Result<uint64_t> lseek(int fd, int64_t offset, int whence) {
    if (direct::enabled())
        if (auto r = direct::lseek(fd, offset, whence)) return *r;
    Sqe sqe{};
    sqe.opcode = uint8_t(KernelOp::Lseek);
    sqe.args[0] = uint64_t(fd);
    sqe.args[1] = uint64_t(offset);
    sqe.args[2] = uint64_t(whence);
    Cqe cqe = Connection::get().call(sqe);
    if (is_error(cqe.result)) return err(demux_error(cqe.result));
    if ((cqe.extra_raw[1] & CQE_DIRECT_OFFER) && direct::enabled()) direct::attach(fd);
    return cqe.result;
}

Result<int> dup(int fd, std::string_view buf) {
    return TRY(op(Opcode::Dup, fd, ptr(buf.data()), buf.size()));
}
Result<int> dup2(int fd, int newfd, std::string_view buf) {
    if (fd != newfd) direct::forget(newfd);
    return TRY(kop(KernelOp::Dup2, fd, newfd, ptr(buf.data()), buf.size()));
}

Result<std::string> fpath(int fd) {
    char buf[4096];
    size_t n = TRY(op(Opcode::Fpath, fd, ptr(buf), sizeof buf));
    return std::string(buf, std::min(n, sizeof buf));
}

Result<Stat> fstat(int fd) {
    if (direct::enabled())
        if (auto r = direct::fstat(fd)) return *r;
    Stat st{};
    TRY(op(Opcode::Fstat, fd, ptr(&st), sizeof st));
    return st;
}
Result<StatVfs> fstatvfs(int fd) {
    StatVfs st{};
    TRY(op(Opcode::Fstatvfs, fd, ptr(&st), sizeof st));
    return st;
}
Result<void> frename(int fd, std::string_view path) {
    std::string p = canonicalize(path);
    TRY(op(Opcode::Frename, fd, ptr(p.data()), p.size()));
    return {};
}
Result<void> flink(int fd, std::string_view path) {
    std::string p = canonicalize(path);
    TRY(op(Opcode::Flink, fd, ptr(p.data()), p.size()));
    return {};
}
Result<void> fsync(int fd) { TRY(op(Opcode::Fsync, fd)); return {}; }
Result<void> ftruncate(int fd, uint64_t len) { TRY(op(Opcode::Ftruncate, fd, len)); return {}; }
Result<void> futimens(int fd, const TimeSpec times[2]) {
    TRY(op(Opcode::Futimens, fd, ptr(times), 2 * sizeof(TimeSpec)));
    return {};
}
Result<void> fchmod(int fd, uint16_t mode) { TRY(op(Opcode::Fchmod, fd, mode)); return {}; }
Result<void> fchown(int fd, uint32_t uid, uint32_t gid) { TRY(op(Opcode::Fchown, fd, uid, gid)); return {}; }
Result<uint64_t> fcntl(int fd, uint64_t cmd, uint64_t arg) { return op(Opcode::Fcntl, fd, cmd, arg); }
Result<uint32_t> fevent(int fd, uint32_t flags) { return TRY(op(Opcode::Fevent, fd, flags)); }
Result<size_t> getdents(int fd, void* buf, size_t len, uint64_t opaque) {
    return TRY(op(Opcode::Getdents, fd, ptr(buf), len, sizeof(DirentHeader), opaque));
}
Result<void> unlink(std::string_view path, uint64_t flags) {
    std::string p = canonicalize(path);
    TRY(op(Opcode::UnlinkAt, ~uint64_t(0), ptr(p.data()), p.size(), flags));
    return {};
}
Result<size_t> call(int fd, void* payload, size_t len, uint64_t flags, std::span<const uint64_t> meta) {
    uint64_t m[3] = {};
    for (size_t i = 0; i < meta.size() && i < 3; ++i) m[i] = meta[i];
    return TRY(op(Opcode::Call, fd, ptr(payload), len, flags, ptr(m), std::min<size_t>(meta.size(), 3)));
}
Result<void> sendfd(int socket, int fd) {
    direct::forget(fd);
    TRY(op(Opcode::Sendfd, socket, fd)); return {}; }
Result<int> recvfd(int socket) { return TRY(op(Opcode::Recvfd, socket)); }

Result<Stat> stat(std::string_view path) {
    int fd = TRY(open(path, O_RDONLY_ | O_STAT_));
    auto st = fstat(fd);
    (void)close(fd);
    return st;
}

Result<std::vector<Dirent>> read_dir(std::string_view path) {
    int fd = TRY(open(path, O_RDONLY_ | O_DIRECTORY_));
    std::vector<Dirent> out;
    alignas(8) char buf[8192];
    uint64_t opaque = 0;
    for (;;) {
        auto n = getdents(fd, buf, sizeof buf, opaque);
        if (!n) { (void)close(fd); return std::unexpected(n.error()); }
        if (*n == 0) break;
        size_t off = 0;
        while (off + sizeof(DirentHeader) <= *n) {
            DirentHeader h;
            std::memcpy(&h, buf + off, sizeof h);
            if (h.record_len < sizeof h || off + h.record_len > *n) break;
            out.push_back(Dirent{std::string(buf + off + sizeof h), h.inode, h.kind});
            opaque = h.next_opaque_id;
            off += h.record_len;
        }
    }
    (void)close(fd);
    return out;
}

MappedRegion& MappedRegion::operator=(MappedRegion&& o) noexcept {
    if (this != &o) {
        if (m_addr) munmap(m_addr, m_len);
        m_addr = std::exchange(o.m_addr, nullptr);
        m_len = o.m_len;
    }
    return *this;
}
MappedRegion::~MappedRegion() { if (m_addr) munmap(m_addr, m_len); }

Result<MappedRegion> fmap(int fd, uint64_t offset, size_t size, uint64_t map_flags) {
    auto side = Connection::get().side_channel();
    TRY(kop(KernelOp::Fmap, fd < 0 ? ~uint64_t(0) : uint64_t(fd), offset, size, map_flags));
    auto [memfd, file_offset] = TRY(Connection::get().take_fd());
    side.unlock();
    int prot = 0;
    if (map_flags & PROT_READ_) prot |= PROT_READ;
    if (map_flags & PROT_WRITE_) prot |= PROT_WRITE;
    if (map_flags & PROT_EXEC_) prot |= PROT_EXEC;
    if (prot == 0) prot = PROT_READ | PROT_WRITE;
    int kind = (map_flags & MAP_PRIVATE_) ? MAP_PRIVATE : MAP_SHARED;
    void* p = mmap(nullptr, size, prot, kind, memfd, off_t(file_offset));
    ::close(memfd);
    if (p == MAP_FAILED) return err(ENOMEM_, "fmap");
    return MappedRegion(p, size);
}

Result<void> setrens(uint64_t rns, uint64_t ens) { TRY(kop(KernelOp::Setrens, rns, ens)); return {}; }
Result<uint64_t> mkns(std::span<const std::string> schemes) {
    std::string blob;
    for (auto& s : schemes) { blob += s; blob += '\0'; }
    return kop(KernelOp::Mkns, ptr(blob.data()), blob.size());
}
Result<uint64_t> getns() { return kop(KernelOp::Getns); }

Result<std::pair<int, int>> waitpid(int pid, int options) {
    int status = 0;
    uint64_t r = TRY(kop(KernelOp::Waitpid, uint64_t(int64_t(pid)), ptr(&status), options));
    return std::pair{int(r), status};
}
Result<void> kill(int pid, int sig) { TRY(kop(KernelOp::Kill, uint64_t(int64_t(pid)), sig)); return {}; }
void exit(int status) {
    (void)kop(KernelOp::Exit, status);
    std::_Exit(status);
}
Result<ProcIds> ids() {
    ProcIds p{};
    TRY(kop(KernelOp::GetIds, ptr(&p)));
    return p;
}
Result<void> setids(uint32_t ruid, uint32_t euid, uint32_t rgid, uint32_t egid) {
    TRY(kop(KernelOp::SetIds, ruid, euid, rgid, egid));
    return {};
}
// Root only: another process's ids (args[4] of SetIds); the sudo daemon raises its
// clients with it. Declared by its users (userutils) to keep libredox.h unchanged.
Result<void> setids_of(int pid, uint32_t ruid, uint32_t euid, uint32_t rgid, uint32_t egid) {
    TRY(kop(KernelOp::SetIds, ruid, euid, rgid, egid, uint64_t(pid)));
    return {};
}
Result<void> setpgid(int pid, int pgid) { TRY(kop(KernelOp::Setpgid, pid, pgid)); return {}; }
Result<int> getpgid(int pid) {
    if (pid == 0) return int(TRY(ids()).pgid);
    int fd = TRY(open("/scheme/proc/" + std::to_string(pid) + "/status", O_RDONLY_));
    auto text = read_all(fd);
    (void)close(fd);
    if (!text) return std::unexpected(text.error());
    size_t at = text->find("\nPgid: ");
    if (at == std::string::npos) return err(EIO_, "proc status without Pgid");
    return int(std::strtol(text->c_str() + at + 7, nullptr, 10));
}
Result<void> set_name(std::string_view name) { TRY(kop(KernelOp::SetName, ptr(name.data()), name.size())); return {}; }
Result<void> sleep_ns(uint64_t ns) { TRY(kop(KernelOp::Sleep, ns)); return {}; }
Result<std::pair<int, int>> pipe() {
    uint64_t r = TRY(kop(KernelOp::Pipe));
    return std::pair{int(r & 0xffffffff), int(r >> 32)};
}

WaitWord& wake_word() { return Connection::get().shared()->wake; }
void notify_kernel() { Connection::get().notify_kernel(); }
void wait_wake(uint32_t seen) { Connection::get().wait_wake(seen); }
void wait_wake_or(uint32_t seen, WaitWord& other, uint32_t other_seen) {
    Connection::get().wait_wake_or(seen, other, other_seen);
}

Result<SchemeSocket> register_scheme(std::string_view name) { return register_scheme(name, 0); }

Result<SchemeSocket> register_scheme(std::string_view name, uint64_t flags) {
    int memfd = memfd_create("redox-scheme", MFD_CLOEXEC);
    if (memfd < 0) return err(ENOMEM_, "memfd_create");
    if (::ftruncate(memfd, kSchemeRegionSize) != 0) { ::close(memfd); return err(ENOMEM_, "ftruncate"); }
    void* p = mmap(nullptr, kSchemeRegionSize, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (p == MAP_FAILED) { ::close(memfd); return err(ENOMEM_, "mmap"); }
    auto* sh = new (p) SchemeShared{};
    sh->magic = kSchemeMagic;
    sh->arena_offset = kSchemeArenaOffset;
    sh->arena_size = kSchemeArenaSize;
    auto fd = kop(KernelOp::RegisterScheme, ptr(name.data()), name.size(), uint64_t(memfd), flags);
    ::close(memfd);
    if (!fd) {
        munmap(p, kSchemeRegionSize);
        return std::unexpected(Error(fd.error().errnum, "register scheme " + std::string(name)));
    }
    return SchemeSocket{int(*fd), sh};
}

} // namespace redox::sys
