#include "kernel-sim/user_scheme.h"

#include "kernel-sim/direct.h"
#include "kernel-sim/kernel.h"
#include "kernel-sim/process.h"

#include <cstring>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

namespace redox::kernel {

UserScheme::UserScheme(std::string name, uint32_t owner, SchemeShared* region)
    : Scheme(std::move(name)), m_owner(owner), m_region(region) {
    m_slots.resize(1);  // tag 0 is never used
    m_free_spans[region->arena_offset] = region->arena_size;
}

UserScheme::~UserScheme() {
    if (m_region) munmap(m_region, kSchemeRegionSize);
    if (m_bell_fd >= 0) ::close(m_bell_fd);
}

int UserScheme::bell_fd() {
    if (m_bell_fd >= 0) return m_bell_fd;
    int fd = memfd_create("redox-direct-bell", MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (ftruncate(fd, sizeof(DirectBell)) != 0) {
        ::close(fd);
        return -1;
    }
    m_bell_fd = fd;  // zero-filled: a fresh WaitWord
    return fd;
}

uint64_t UserScheme::arena_alloc(uint64_t len) {
    len = (len + 63) & ~uint64_t(63);
    if (len == 0) len = 64;
    for (auto it = m_free_spans.begin(); it != m_free_spans.end(); ++it) {
        if (it->second >= len) {
            uint64_t off = it->first;
            uint64_t rest = it->second - len;
            m_free_spans.erase(it);
            if (rest) m_free_spans[off + len] = rest;
            return off;
        }
    }
    return 0;
}

void UserScheme::arena_free(uint64_t off, uint64_t len) {
    if (off == 0) return;
    len = (len + 63) & ~uint64_t(63);
    if (len == 0) len = 64;
    auto [it, _] = m_free_spans.emplace(off, len);
    auto next = std::next(it);
    if (next != m_free_spans.end() && it->first + it->second == next->first) {
        it->second += next->second;
        m_free_spans.erase(next);
    }
    if (it != m_free_spans.begin()) {
        auto prev = std::prev(it);
        if (prev->first + prev->second == it->first) {
            prev->second += it->second;
            m_free_spans.erase(it);
        }
    }
}

void UserScheme::push(Kernel& k, const Sqe& sqe) {
    if (!m_overflow.empty() || !m_region->requests.push(sqe)) m_overflow.push_back(sqe);
    if (Process* p = k.process(m_owner); p && p->shared) k.wake_later(*p);
}

void UserScheme::submit(Kernel& k, std::unique_ptr<KRequest> req) {
    if (!m_alive) return k.complete(std::move(req), err(EIO_));
    KRequest& r = *req;
    Sqe sqe{};
    sqe.opcode = uint8_t(r.op);
    sqe.caller = r.pid;
    sqe.args[5] = uint64_t(r.uid) | (uint64_t(r.gid) << 32);

    // How much arena the request needs, and what goes in before the daemon runs.
    uint64_t need = 0;
    bool copy_in_caller = false;   // caller buffer -> arena
    bool copy_in_path = false;     // r.path -> arena
    switch (r.op) {
    case Opcode::Open: case Opcode::UnlinkAt: case Opcode::Frename: case Opcode::Flink: case Opcode::Dup:
        need = r.path.size(); copy_in_path = true; break;
    case Opcode::Read: case Opcode::Getdents: case Opcode::Fpath:
        r.len = std::min<uint64_t>(r.len, kMaxTransfer); need = r.len; break;
    case Opcode::Write: case Opcode::Futimens:
        r.len = std::min<uint64_t>(r.len, kMaxTransfer); need = r.len; copy_in_caller = true; break;
    case Opcode::Call:
        r.len = std::min<uint64_t>(r.len, kMaxTransfer); need = r.len; copy_in_caller = true; break;
    case Opcode::Fstat: need = sizeof(Stat); r.len = need; break;
    case Opcode::Fstatvfs: need = sizeof(StatVfs); r.len = need; break;
    default: break;
    }
    uint64_t off = 0;
    if (need) {
        off = arena_alloc(need);
        if (!off) return k.complete(std::move(req), err(ENOMEM_, "scheme arena full"));
        uint8_t* dst = reinterpret_cast<uint8_t*>(m_region) + off;
        if (copy_in_path) std::memcpy(dst, r.path.data(), r.path.size());
        if (copy_in_caller && !k.copy_from(r.pid, r.buf, dst, r.len)) {
            arena_free(off, need);
            return k.complete(std::move(req), err(EFAULT_));
        }
    }

    switch (r.op) {
    case Opcode::Open:
        sqe.args[0] = off; sqe.args[1] = r.path.size(); sqe.args[2] = r.args[0]; sqe.args[3] = r.args[1];
        break;
    case Opcode::Dup: case Opcode::Frename: case Opcode::Flink:
        sqe.args[0] = r.number; sqe.args[1] = off; sqe.args[2] = r.path.size();
        break;
    case Opcode::UnlinkAt:
        sqe.args[0] = ~0ull; sqe.args[1] = off; sqe.args[2] = r.path.size(); sqe.args[3] = r.args[0];
        break;
    case Opcode::Read: case Opcode::Write:
        sqe.args[0] = r.number; sqe.args[1] = off; sqe.args[2] = r.len; sqe.args[3] = r.offset; sqe.args[4] = r.fd_flags;
        break;
    case Opcode::Getdents:
        sqe.args[0] = r.number; sqe.args[1] = off; sqe.args[2] = r.len; sqe.args[3] = sizeof(DirentHeader); sqe.args[4] = r.args[0];
        break;
    case Opcode::Fpath: case Opcode::Fstat: case Opcode::Fstatvfs: case Opcode::Futimens:
        sqe.args[0] = r.number; sqe.args[1] = off; sqe.args[2] = r.len;
        break;
    case Opcode::Call:
        sqe.args[0] = r.number; sqe.args[1] = off; sqe.args[2] = r.len; sqe.args[3] = r.args[0]; sqe.args[4] = r.args[1];
        break;
    case Opcode::MmapPrep:
        sqe.args[0] = r.number; sqe.args[1] = r.args[0]; sqe.args[2] = r.args[1]; sqe.args[3] = r.args[2];
        break;
    default:  // fd + scalars: Fsize Fchmod Fchown Fcntl Fevent Fsync Ftruncate Sendfd Recvfd Munmap
        sqe.args[0] = r.number; sqe.args[1] = r.args[0]; sqe.args[2] = r.args[1]; sqe.args[3] = r.args[2];
        break;
    }

    uint32_t tag;
    if (!m_free_tags.empty()) { tag = m_free_tags.back(); m_free_tags.pop_back(); }
    else { tag = uint32_t(m_slots.size()); m_slots.emplace_back(); }
    sqe.tag = tag;
    m_slots[tag] = Slot{std::move(req), off, need};
    push(k, sqe);
}

void UserScheme::close(Kernel& k, uint64_t number) {
    if (!m_alive) return;
    Sqe sqe{};
    sqe.opcode = uint8_t(Opcode::CloseMsg);
    sqe.sqe_flags = SQE_ONEWAY;
    sqe.args[0] = number;
    push(k, sqe);
}

void UserScheme::cancel(Kernel& k, uint64_t serial) {
    if (!m_alive) return;
    for (uint32_t tag = 1; tag < m_slots.size(); ++tag) {
        if (m_slots[tag].req && m_slots[tag].req->serial == serial) {
            Sqe sqe{};
            sqe.opcode = uint8_t(Opcode::Cancel);
            sqe.sqe_flags = SQE_ONEWAY;
            sqe.tag = tag;
            push(k, sqe);
            return;
        }
    }
}

bool UserScheme::pending() const {
    return m_alive && (!m_region->responses.empty() || !m_overflow.empty());
}

bool UserScheme::idle() const {
    return !m_alive || (m_region->requests.empty() && m_region->responses.empty() && m_overflow.empty());
}

void UserScheme::finish(Kernel& k, uint32_t tag, const Cqe& cqe) {
    Slot slot = std::move(m_slots[tag]);
    m_free_tags.push_back(tag);
    KRequest& r = *slot.req;
    Cqe out = cqe;
    const uint8_t* src = reinterpret_cast<const uint8_t*>(m_region) + slot.arena_off;
    if (!is_error(cqe.result) && slot.arena_len) {
        uint64_t n = 0;
        switch (r.op) {
        case Opcode::Read: case Opcode::Getdents: case Opcode::Fpath:
            n = std::min(cqe.result, r.len); break;
        case Opcode::Fstat: case Opcode::Fstatvfs: case Opcode::Call:
            n = r.len; break;
        default: break;
        }
        if (n && !k.copy_to(r.pid, r.buf, src, n)) out.result = mux_error(EFAULT_);
    }
    arena_free(slot.arena_off, slot.arena_len);
    k.complete(std::move(slot.req), out);
}

bool UserScheme::drain(Kernel& k) {
    if (!m_alive) return false;
    bool any = false;
    while (!m_overflow.empty() && m_region->requests.push(m_overflow.front())) {
        m_overflow.pop_front();
        any = true;
    }
    while (auto c = m_region->responses.pop()) {
        any = true;
        CqeOpcode op = c->op();
        if (op == CqeOpcode::SendFevent) {
            k.trigger(this, c->result, c->tag);
            continue;
        }
        if (c->tag == 0 || c->tag >= m_slots.size() || !m_slots[c->tag].req) {
            k.log(1, fmt::format("scheme {}: response with unknown tag {} ignored", name(), c->tag));
            continue;
        }
        if (op != CqeOpcode::RespondRegular && op != CqeOpcode::RespondWithFd) {
            k.log(1, fmt::format("scheme {}: bad CqeOpcode {} for tag {}", name(), int(op), c->tag));
            Cqe bad = *c;
            bad.flags = 0;
            bad.result = mux_error(EIO_);
            finish(k, c->tag, bad);
            continue;
        }
        Cqe res = *c;
        // EINTR without a cancel is a daemon error (EIO); ECANCELED becomes EINTR.
        if (is_error(res.result) && demux_error(res.result) == EINTR_) res.result = mux_error(EIO_);
        if (is_error(res.result) && demux_error(res.result) == ECANCELED_) res.result = mux_error(EINTR_);
        finish(k, c->tag, res);
    }
    return any;
}

void UserScheme::crash(Kernel& k, std::string_view why) {
    if (!m_alive) return;
    m_alive = false;
    k.log(k.running() ? 1 : 2, fmt::format("scheme {}: {}; failing its requests with EIO", name(), why));
    direct_scheme_died(k, this);
    m_overflow.clear();
    for (uint32_t tag = 1; tag < m_slots.size(); ++tag) {
        if (!m_slots[tag].req) continue;
        Cqe c{};
        c.tag = tag;
        c.result = mux_error(EIO_);
        Slot slot = std::move(m_slots[tag]);
        k.complete(std::move(slot.req), c);
    }
    m_slots.clear();
    m_slots.resize(1);
    m_free_tags.clear();
}

void UserScheme::abandon_requests() {
    m_overflow.clear();
    m_slots.clear();
    m_slots.resize(1);
    m_free_tags.clear();
}

UserScheme* as_user_scheme(Scheme* s) { return dynamic_cast<UserScheme*>(s); }

} // namespace redox::kernel
