#include "schemes/server.h"

#include <array>

#include "schemes/direct_client.h"

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

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

    if (sqe.opcode == uint8_t(DirectOp::Grant)) {
        direct_grant(sqe);
        return true;
    }
    if (sqe.opcode == uint8_t(DirectOp::Revoke)) {
        direct_revoke(uint32_t(a[0]));
        return true;
    }
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
    bool direct = !m_direct.empty() && poll_direct();
    if ((any || direct || m_retry) && !m_parked.empty()) {
        m_retry = false;
        size_t n = m_parked.size();
        for (size_t i = 0; i < n && !m_parked.empty(); ++i) {
            Sqe sqe = m_parked.front();
            m_parked.pop_front();
            if (!handle(sqe, true)) m_parked.push_back(sqe);
        }
        any = true;  // answers went to the kernel-sim
    }
    if (any) sys::notify_kernel();
    return any || direct;
}

Result<void> SchemeServer::attach(std::string_view name, bool direct) {
    m_socket = TRY(sys::register_scheme(name, direct ? REGISTER_DIRECT : 0));
    return {};
}

namespace {

uint64_t mono_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

// After direct work a daemon spins this long before it sleeps, so a client's
// next request costs no wake-up (REDOX_SIM_DIRECT_SPIN_US, as the client).
uint64_t daemon_spin_ns() {
    static const uint64_t ns = [] {
        if (const char* s = std::getenv("REDOX_SIM_DIRECT_SPIN_US")) return uint64_t(std::strtoull(s, nullptr, 10) * 1000);
        return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? uint64_t(50'000) : uint64_t(0);
    }();
    return ns;
}

} // namespace

SchemeServer::DirectChannel::~DirectChannel() {
    if (region) munmap(region, kDirectRegionSize);
}

void SchemeServer::direct_grant(const Sqe& sqe) {
    const uint32_t id = uint32_t(sqe.args[0]);
    auto fds = sys::direct::accept(id, false);
    if (!fds) return;  // the kernel-sim dropped it already
    void* p = mmap(nullptr, kDirectRegionSize, PROT_READ | PROT_WRITE, MAP_SHARED, fds->first, 0);
    if (!m_bell) {
        void* b = mmap(nullptr, sizeof(DirectBell), PROT_READ | PROT_WRITE, MAP_SHARED, fds->second, 0);
        if (b != MAP_FAILED) m_bell = static_cast<DirectBell*>(b);
    }
    ::close(fds->first);
    ::close(fds->second);
    auto* region = p == MAP_FAILED ? nullptr : static_cast<DirectRegion*>(p);
    if (!region || !m_bell || region->magic != kDirectMagic || region->id != id) {
        if (region) munmap(region, kDirectRegionSize);
        (void)sys::direct::accept(id, true);  // the client goes back to the kernel path
        return;
    }
    auto ch = std::make_unique<DirectChannel>();
    ch->id = id;
    ch->region = region;
    ch->number = sqe.args[1];
    ch->fd_flags = sqe.args[2];
    ch->positioned = sqe.args[3] != 0;
    ch->ctx = CallerCtx{uint32_t(sqe.caller), uint32_t(sqe.args[5]), uint32_t(sqe.args[5] >> 32)};
    m_direct[id] = std::move(ch);
}

void SchemeServer::direct_revoke(uint32_t id) {
    auto it = m_direct.find(id);
    if (it == m_direct.end()) return;
    DirectChannel& ch = *it->second;
    // Answer what the client queued before it saw the revocation; then it
    // knows that whatever is still unanswered never ran.
    while (serve_direct(ch)) {}
    ch.region->daemon_closed.store(1, std::memory_order_seq_cst);
    ch.region->client_wake.wake();
    m_direct.erase(it);
}

bool SchemeServer::direct_queued() const {
    for (auto& [id, ch] : m_direct)
        if (!ch->region->sq.empty()) return true;
    return false;
}

bool SchemeServer::poll_direct() {
    bool any = false;
    for (auto& [id, ch] : m_direct)
        while (serve_direct(*ch)) any = true;
    if (any) {
        m_retry = true;  // a direct write or read may unblock parked requests
        m_direct_work = true;
    }
    return any;
}

void SchemeServer::read_many(std::span<ReadRequest> reads, const CallerCtx& ctx) {
    for (auto& r : reads) r.result = read(r.id, r.buf, r.offset, r.fd_flags, ctx);
}

int SchemeServer::direct_read_args(DirectChannel& ch, const Sqe& sqe, std::span<uint8_t>& buf, uint64_t& pos) const {
    const uint32_t cancel = ch.region->cancel_tag.load(std::memory_order_seq_cst);
    if (cancel != 0 && sqe.tag <= cancel) return EINTR_;
    const uint64_t off = sqe.args[1], len = sqe.args[2];
    if (len > kDirectArenaSize || off > kDirectArenaSize - len) return EFAULT_;
    if ((ch.fd_flags & O_ACCMODE_) == O_WRONLY_) return EBADF_;
    buf = std::span<uint8_t>(reinterpret_cast<uint8_t*>(ch.region) + kDirectArenaOffset + off, len);
    pos = ch.positioned ? sqe.args[3] : ~uint64_t(0);
    return 0;
}

// A run of reads that came in together: the scheme gets them at once, and the
// answers go back in the order the client queued them.
size_t SchemeServer::serve_direct_reads(DirectChannel& ch, std::span<const Sqe> sqes) {
    std::array<ReadRequest, 64> reqs;
    std::array<int, 64> refused{};  // errno, or 0: the next of reqs answers it
    size_t n = 0;
    for (size_t i = 0; i < sqes.size(); ++i) {
        std::span<uint8_t> buf;
        uint64_t pos = 0;
        refused[i] = direct_read_args(ch, sqes[i], buf, pos);
        if (!refused[i]) reqs[n++] = ReadRequest{ch.number, buf, pos, ch.fd_flags, size_t(0)};
    }
    read_many(std::span(reqs.data(), n), ch.ctx);
    for (size_t i = 0, k = 0; i < sqes.size(); ++i) {
        Cqe c{};
        c.tag = sqes[i].tag;
        if (refused[i]) {
            c.result = mux_error(refused[i]);
        } else {
            auto& r = reqs[k++].result;
            c.result = r ? uint64_t(*r) : mux_error(r.error().errnum == EINTR_ ? EIO_ : r.error().errnum);
        }
        (void)ch.region->cq.push(c);
    }
    return sqes.size();
}

bool SchemeServer::serve_direct(DirectChannel& ch) {
    bool any = false;
    if (overlaps_reads()) {
        // Take what the client queued, and hand each run of reads over at once.
        std::array<Sqe, 64> got;
        for (;;) {
            size_t n = 0;
            while (n < got.size()) {
                auto sqe = ch.region->sq.pop();
                if (!sqe) break;
                got[n++] = *sqe;
            }
            if (n == 0) break;
            any = true;
            for (size_t i = 0; i < n;) {
                size_t j = i;
                while (j < n && Opcode(got[j].opcode) == Opcode::Read) ++j;
                if (j - i >= 2) {
                    i += serve_direct_reads(ch, std::span<const Sqe>(got.data() + i, j - i));
                    continue;
                }
                (void)ch.region->cq.push(handle_direct(ch, got[i]));
                ++i;
            }
        }
    }
    while (auto sqe = ch.region->sq.pop()) {
        Cqe c = handle_direct(ch, *sqe);
        // A client that does not reap its answers loses them; the daemon never waits for it.
        (void)ch.region->cq.push(c);
        any = true;
    }
    // One wake for what was queued: a spinning client takes each answer as it lands.
    if (any) {
        ch.region->client_wake.wake();
        m_client_cpu = ch.region->client_cpu.load(std::memory_order_relaxed);
    }
    return any;
}

Cqe SchemeServer::handle_direct(DirectChannel& ch, const Sqe& sqe) {
    Cqe c{};
    c.tag = sqe.tag;
    auto answer = [&](auto&& r) {
        if (r) c.result = uint64_t(*r);
        else c.result = mux_error(r.error().errnum == EINTR_ ? EIO_ : r.error().errnum);
        return c;
    };
    auto fail = [&](int e) {
        c.result = mux_error(e);
        return c;
    };
    const uint32_t cancel = ch.region->cancel_tag.load(std::memory_order_seq_cst);
    if (cancel != 0 && sqe.tag <= cancel) return fail(EINTR_);
    if (Opcode(sqe.opcode) == Opcode::Read) {
        std::span<uint8_t> span;
        uint64_t pos = 0;
        if (int e = direct_read_args(ch, sqe, span, pos)) return fail(e);
        return answer(read(ch.number, span, pos, ch.fd_flags, ch.ctx));
    }
    const uint64_t off = sqe.args[1], len = sqe.args[2];
    if (len > kDirectArenaSize || off > kDirectArenaSize - len) return fail(EFAULT_);
    uint8_t* buf = reinterpret_cast<uint8_t*>(ch.region) + kDirectArenaOffset + off;
    const uint64_t pos = ch.positioned ? sqe.args[3] : ~uint64_t(0);
    const uint64_t mode = ch.fd_flags & O_ACCMODE_;
    switch (Opcode(sqe.opcode)) {
    case Opcode::Write:
        if (mode == O_RDONLY_) return fail(EBADF_);
        return answer(write(ch.number, std::span<const uint8_t>(buf, len), pos, ch.fd_flags, ch.ctx));
    case Opcode::Fsize:
        return answer(fsize(ch.number));
    case Opcode::Fstat: {
        if (len < sizeof(Stat)) return fail(EFAULT_);
        Stat st{};
        auto r = fstat(ch.number, st);
        if (!r) return fail(r.error().errnum);
        std::memcpy(buf, &st, sizeof st);
        c.result = 0;
        return c;
    }
    default:
        return fail(ENOSYS_);
    }
}

Result<void> SchemeServer::serve(std::string_view name, std::function<void()> ready) {
    const bool direct = direct_io() && sys::direct::enabled();
    TRY(attach(name, direct));
    if (ready) ready();
    auto& wake = sys::wake_word();
    auto& requests = m_socket.shared->requests;
    const uint32_t budget = spin_budget();
    const uint64_t direct_spin = direct ? daemon_spin_ns() : 0;
    uint64_t last_direct = 0;
    for (;;) {
        uint32_t seen = wake.seq.load(std::memory_order_seq_cst);
        uint32_t bell_seen = m_bell ? m_bell->word.seq.load(std::memory_order_seq_cst) : 0;
        bool any = poll_once();
        if (m_direct_work) {
            m_direct_work = false;
            last_direct = mono_ns();
        }
        if (any) continue;
        bool got = false;
        for (uint32_t i = 0; i < budget; ++i) {
            if (!requests.empty()) { got = true; break; }
            cpu_relax();
        }
        if (got) continue;
        if (last_direct && !m_direct.empty()) {
            // Spin for the client's next direct request; yield now and then
            // in case the client waits for this core.
            uint64_t idle = mono_ns() - last_direct;
            if (idle < direct_spin) {
                const int cpu = sched_getcpu();
                if (m_bell) publish_cpu(m_bell->daemon_cpu, cpu);
                if (peer_shares_cpu(cpu, m_client_cpu)) {
                    m_core.yield();  // the client that keeps this daemon busy waits for this CPU
                    continue;
                }
                // Another daemon spinning on this core for a client elsewhere
                // (a copy from one daemon to another, both on one core) needs
                // the core between this one's requests: while yields find
                // someone to run, yield on every pass.
                const int pauses = m_core.crowded() ? 8 : 64;
                for (int i = 0; i < pauses && requests.empty() && !direct_queued(); ++i) cpu_relax();
                if ((m_core.crowded() || idle / 4000 != (mono_ns() - last_direct) / 4000) && requests.empty() &&
                    !direct_queued())
                    m_core.yield();
                continue;
            }
        }
        if (detached()) return {};  // kernel tore the scheme down
        if (m_bell) sys::wait_wake_or(seen, m_bell->word, bell_seen);
        else sys::wait_wake(seen);
    }
}

} // namespace redox
