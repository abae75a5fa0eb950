#include "schemes/server.h"

#include <cstring>

namespace redox {

// Default operations: the scheme does not support them.
Result<OpenResult> SchemeServer::open(std::string_view, uint64_t, uint16_t, const CallerCtx&) { return err(ENOENT_); }
Result<OpenResult> SchemeServer::dup(uint64_t, std::string_view, const CallerCtx&) { return err(EINVAL_); }
Result<size_t> SchemeServer::read(uint64_t, std::span<uint8_t>, uint64_t, uint64_t, const CallerCtx&) { return err(EBADF_); }
Result<size_t> SchemeServer::write(uint64_t, std::span<const uint8_t>, uint64_t, uint64_t, const CallerCtx&) { return err(EBADF_); }
Result<uint64_t> SchemeServer::fsize(uint64_t) { return err(ESPIPE_); }
Result<void> SchemeServer::fchmod(uint64_t, uint16_t, const CallerCtx&) { return err(ENOSYS_); }
Result<void> SchemeServer::fchown(uint64_t, uint32_t, uint32_t, const CallerCtx&) { return err(ENOSYS_); }
Result<uint64_t> SchemeServer::fcntl(uint64_t, uint64_t, uint64_t) { return 0; }
Result<uint32_t> SchemeServer::fevent(uint64_t, uint32_t) { return 0; }
Result<size_t> SchemeServer::fpath(uint64_t, std::span<uint8_t>) { return err(ENOSYS_); }
Result<void> SchemeServer::frename(uint64_t, std::string_view, const CallerCtx&) { return err(ENOSYS_); }
Result<void> SchemeServer::flink(uint64_t, std::string_view, const CallerCtx&) { return err(ENOSYS_); }
Result<void> SchemeServer::fstat(uint64_t, Stat&) { return err(ENOSYS_); }
Result<void> SchemeServer::fstatvfs(uint64_t, StatVfs&) { return err(ENOSYS_); }
Result<void> SchemeServer::fsync(uint64_t) { return {}; }
Result<void> SchemeServer::ftruncate(uint64_t, uint64_t, const CallerCtx&) { return err(ENOSYS_); }
Result<void> SchemeServer::futimens(uint64_t, std::span<const TimeSpec>, const CallerCtx&) { return err(ENOSYS_); }
Result<size_t> SchemeServer::getdents(uint64_t, std::span<uint8_t>, uint64_t) { return err(ENOTDIR_); }
Result<void> SchemeServer::unlink(std::string_view, uint64_t, const CallerCtx&) { return err(ENOSYS_); }
Result<int> SchemeServer::mmap_prep(uint64_t, uint64_t, uint64_t, uint64_t, const CallerCtx&) { return err(ENODEV_); }
Result<size_t> SchemeServer::call(uint64_t, std::span<uint8_t>, std::span<const uint64_t>, const CallerCtx&) { return err(ENOSYS_); }
Result<size_t> SchemeServer::on_sendfd(uint64_t, int, const CallerCtx&) { return err(EOPNOTSUPP_); }
Result<int> SchemeServer::on_recvfd(uint64_t, const CallerCtx&) { return err(EOPNOTSUPP_); }
void SchemeServer::on_close(uint64_t) {}

size_t SchemeServer::put_path(std::span<uint8_t> buf, std::string_view path) {
    size_t n = std::min(buf.size(), path.size());
    std::memcpy(buf.data(), path.data(), n);
    return n;
}

bool DirentWriter::add(uint64_t inode, uint64_t next_opaque, uint8_t kind, std::string_view name) {
    size_t len = (sizeof(DirentHeader) + name.size() + 1 + 7) & ~size_t(7);
    if (m_used + len > m_buf.size() || len > 0xffff) return false;
    DirentHeader h{inode, next_opaque, uint16_t(len), kind};
    uint8_t* p = m_buf.data() + m_used;
    std::memset(p, 0, len);
    std::memcpy(p, &h, sizeof h);
    std::memcpy(p + sizeof h, name.data(), name.size());
    m_used += len;
    return true;
}

uint8_t* SchemeServer::arena(uint64_t offset, uint64_t len) {
    auto* sh = m_socket.shared;
    if (offset < sh->arena_offset || len > sh->arena_size ||
        offset - sh->arena_offset > sh->arena_size - len)
        return nullptr;
    return reinterpret_cast<uint8_t*>(sh) + offset;
}

void SchemeServer::respond(const Cqe& cqe) {
    while (!m_socket.shared->responses.push(cqe)) {
        sys::notify_kernel();
        sys::wake_word().wait(sys::wake_word().seq.load(), 1'000'000);
    }
}

void SchemeServer::post_fevent(uint64_t id, uint32_t flags) {
    Cqe c{};
    c.flags = uint8_t(CqeOpcode::SendFevent);
    c.tag = flags;
    c.result = id;
    respond(c);
    sys::notify_kernel();
}

// Runs one request. Returns false if it was parked (no response yet).
bool SchemeServer::handle(const Sqe& sqe, bool parked) {
    const uint64_t* a = sqe.args;
    CallerCtx ctx{uint32_t(sqe.caller), uint32_t(a[5]), uint32_t(a[5] >> 32)};
    Cqe c{};
    c.tag = sqe.tag;
    auto fail = [&](int e) { c.result = mux_error(e); };
    auto buf = [&](uint64_t off, uint64_t len) -> std::span<uint8_t> {
        uint8_t* p = arena(off, len);
        return p ? std::span<uint8_t>(p, len) : std::span<uint8_t>();
    };
    auto str = [&](uint64_t off, uint64_t len) -> std::string_view {
        auto b = buf(off, len);
        return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
    };
    auto set = [&](auto&& r, auto&& on_ok) {
        if (r) on_ok(*r); else fail(r.error().errnum);
    };
    auto set_void = [&](auto&& r) { if (r) c.result = 0; else fail(r.error().errnum); };
    auto set_open = [&](Result<OpenResult>&& r) {
        if (!r) return fail(r.error().errnum);
        if (r->other_fd >= 0) {
            c.flags = uint8_t(CqeOpcode::RespondWithFd);
            c.result = uint64_t(r->other_fd);
        } else {
            c.result = r->number;
            c.extra_raw[0] = r->flags;
        }
    };

    switch (Opcode(sqe.opcode)) {
    case Opcode::Open:
        set_open(open(str(a[0], a[1]), a[2], uint16_t(a[3]), ctx));
        break;
    case Opcode::Dup:
        set_open(dup(a[0], str(a[1], a[2]), ctx));
        break;
    case Opcode::Read: {
        auto r = read(a[0], buf(a[1], a[2]), a[3], a[4], ctx);
        if (!r && r.error().errnum == EWOULDBLOCK_ && !(a[4] & O_NONBLOCK_)) {
            if (!parked) m_parked.push_back(sqe);
            return false;
        }
        set(r, [&](size_t n) { c.result = n; });
        break;
    }
    case Opcode::Write: {
        auto b = buf(a[1], a[2]);
        auto r = write(a[0], std::span<const uint8_t>(b.data(), b.size()), a[3], a[4], ctx);
        if (!r && r.error().errnum == EWOULDBLOCK_ && !(a[4] & O_NONBLOCK_)) {
            if (!parked) m_parked.push_back(sqe);
            return false;
        }
        set(r, [&](size_t n) { c.result = n; });
        break;
    }
    case Opcode::Fsize: set(fsize(a[0]), [&](uint64_t n) { c.result = n; }); break;
    case Opcode::Fchmod: set_void(fchmod(a[0], uint16_t(a[1]), ctx)); break;
    case Opcode::Fchown: set_void(fchown(a[0], uint32_t(a[1]), uint32_t(a[2]), ctx)); break;
    case Opcode::Fcntl: set(fcntl(a[0], a[1], a[2]), [&](uint64_t n) { c.result = n; }); break;
    case Opcode::Fevent: set(fevent(a[0], uint32_t(a[1])), [&](uint32_t f) { c.result = f; }); break;
    case Opcode::Fpath: set(fpath(a[0], buf(a[1], a[2])), [&](size_t n) { c.result = n; }); break;
    case Opcode::Frename: set_void(frename(a[0], str(a[1], a[2]), ctx)); break;
    case Opcode::Flink: set_void(flink(a[0], str(a[1], a[2]), ctx)); break;
    case Opcode::Fstat: {
        Stat st{};
        auto b = buf(a[1], sizeof st);
        auto r = fstat(a[0], st);
        if (r && b.size() == sizeof st) { std::memcpy(b.data(), &st, sizeof st); c.result = 0; }
        else fail(r ? EFAULT_ : r.error().errnum);
        break;
    }
    case Opcode::Fstatvfs: {
        StatVfs st{};
        auto b = buf(a[1], sizeof st);
        auto r = fstatvfs(a[0], st);
        if (r && b.size() == sizeof st) { std::memcpy(b.data(), &st, sizeof st); c.result = 0; }
        else fail(r ? EFAULT_ : r.error().errnum);
        break;
    }
    case Opcode::Fsync: set_void(fsync(a[0])); break;
    case Opcode::Ftruncate: set_void(ftruncate(a[0], a[1], ctx)); break;
    case Opcode::Futimens: {
        auto b = buf(a[1], a[2]);
        std::span<const TimeSpec> ts(reinterpret_cast<const TimeSpec*>(b.data()), b.size() / sizeof(TimeSpec));
        set_void(futimens(a[0], ts, ctx));
        break;
    }
    case Opcode::Getdents: set(getdents(a[0], buf(a[1], a[2]), a[4]), [&](size_t n) { c.result = n; }); break;
    case Opcode::UnlinkAt: set_void(unlink(str(a[1], a[2]), a[3], ctx)); break;
    case Opcode::MmapPrep: set(mmap_prep(a[0], a[3], a[1], a[2], ctx), [&](int fd) { c.result = uint64_t(fd); }); break;
    case Opcode::Munmap: c.result = 0; break;
    case Opcode::Call: {
        uint64_t meta[2] = {a[3], a[4]};
        auto r = call(a[0], buf(a[1], a[2]), meta, ctx);
        if (!r && r.error().errnum == EWOULDBLOCK_) {
            if (!parked) m_parked.push_back(sqe);
            return false;
        }
        set(r, [&](size_t n) { c.result = n; });
        break;
    }
    case Opcode::Sendfd: set(on_sendfd(a[0], int(a[1]), ctx), [&](size_t n) { c.result = n; }); break;
    case Opcode::Recvfd: {
        auto r = on_recvfd(a[0], ctx);
        if (!r && r.error().errnum == EWOULDBLOCK_) {
            if (!parked) m_parked.push_back(sqe);
            return false;
        }
        if (r) { c.flags = uint8_t(CqeOpcode::RespondWithFd); c.result = uint64_t(*r); }
        else fail(r.error().errnum);
        break;
    }
    case Opcode::CloseMsg:
    case Opcode::Close:
        on_close(a[0]);
        return true;  // no reply
    case Opcode::Cancel:
        for (auto it = m_parked.begin(); it != m_parked.end(); ++it) {
            if (it->tag == sqe.tag) {
                Cqe cc{};
                cc.tag = it->tag;
                cc.result = mux_error(ECANCELED_);
                m_parked.erase(it);
                respond(cc);
                break;
            }
        }
        return true;
    default:
        fail(ENOSYS_);
        break;
    }
    respond(c);
    return true;
}

bool SchemeServer::poll_once() {
    bool any = false;
    auto& ring = m_socket.shared->requests;
    while (auto sqe = ring.pop()) {
        any = true;
        handle(*sqe, false);
    }
    if ((any || m_retry) && !m_parked.empty()) {
        m_retry = false;
        size_t n = m_parked.size();
        for (size_t i = 0; i < n && !m_parked.empty(); ++i) {
            Sqe sqe = m_parked.front();
            m_parked.pop_front();
            if (!handle(sqe, true)) m_parked.push_back(sqe);
        }
    }
    if (any) sys::notify_kernel();
    return any;
}

Result<void> SchemeServer::attach(std::string_view name) {
    m_socket = TRY(sys::register_scheme(name));
    return {};
}

Result<void> SchemeServer::serve(std::string_view name, std::function<void()> ready) {
    TRY(attach(name));
    if (ready) ready();
    auto& wake = sys::wake_word();
    const uint32_t budget = spin_budget();
    for (;;) {
        uint32_t seen = wake.seq.load(std::memory_order_seq_cst);
        if (poll_once()) continue;
        bool got = false;
        for (uint32_t i = 0; i < budget; ++i) {
            if (!m_socket.shared->requests.empty()) { got = true; break; }
            cpu_relax();
        }
        if (got) continue;
        if (detached()) return {};  // kernel tore the scheme down
        sys::wait_wake(seen);
    }
}

} // namespace redox
