#include "schemes/direct_client.h"

#include "schemes/connection.h"
#include "schemes/direct.h"
#include "schemes/libredox.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <vector>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

namespace redox::sys {

namespace {

uint64_t mono_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

struct Channel {
    DirectRegion* region = nullptr;
    DirectBell* bell = nullptr;
    bool positioned = false;
    // One wave at a time per channel: its holder owns the arena and the tags.
    // Taken without the table lock, so a thread waiting on one daemon does not
    // hold up the process's other threads and their fds.
    std::mutex busy;
    uint32_t next_tag = 1;
    ~Channel() {
        if (region) munmap(region, kDirectRegionSize);
        if (bell) munmap(bell, sizeof(DirectBell));
    }
    uint8_t* arena() const { return reinterpret_cast<uint8_t*>(region) + kDirectArenaOffset; }
    bool usable() const { return region->state.load(std::memory_order_acquire) == DIRECT_OPEN; }
    std::optional<Cqe> run(Sqe sqe);
    // A wave of requests: start_wave queues them and rings the daemon,
    // finish_wave waits for their answers.
    struct Wave {
        uint32_t first = 0;
        size_t pushed = 0;
        uint32_t irq = 0;
    };
    Wave start_wave(std::span<Sqe> sqes);
    void finish_wave(const Wave& w, std::span<std::optional<Cqe>> out);
    void run_wave(std::span<Sqe> sqes, std::span<std::optional<Cqe>> out) { finish_wave(start_wave(sqes), out); }
};

struct Table {
    std::mutex lock;
    std::map<int, std::shared_ptr<Channel>> by_fd;  // a wave in flight keeps its channel
    std::set<int> offered;  // fds the kernel offered a channel: attach at their next use
    std::atomic<uint64_t> attached{0}, ops{0}, fallbacks{0};
};

Table& table() {
    static Table* t = new Table();  // lives as long as the process
    return *t;
}

// How long a waiting client spins before it sleeps: long enough to catch a
// daemon that answers from its own spin on the other core; sched_yield in
// between gives the core away when the daemon waits for this one.
uint64_t client_spin_ns() {
    static const uint64_t ns = [] {
        if (const char* s = std::getenv("REDOX_SIM_DIRECT_SPIN_US")) return uint64_t(std::strtoull(s, nullptr, 10) * 1000);
        return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? uint64_t(50'000) : uint64_t(0);
    }();
    return ns;
}

// The channel's busy lock is held: one wave of requests at a time per
// channel, so the arena is all theirs (waves on different channels may be in
// flight together). Tags are consecutive from the first. out[i] stays empty for a
// request that never ran (the channel was revoked and the daemon stopped
// consuming): take the kernel path for it.
Channel::Wave Channel::start_wave(std::span<Sqe> sqes) {
    DirectRegion* r = region;
    const size_t n = sqes.size();
    if (next_tag > 0x7fff'0000) next_tag = 1;
    Wave w;
    w.first = next_tag;
    next_tag += uint32_t(n);
    w.irq = r->interrupts.load(std::memory_order_seq_cst);
    for (size_t i = 0; i < n; ++i) sqes[i].tag = w.first + uint32_t(i);
    // One publish for the wave: the daemon sees the batch whole, as a deep
    // queue needs it.
    w.pushed = r->sq.push_many(sqes.data(), n);
    bell->word.wake();
    return w;
}

void Channel::finish_wave(const Wave& w, std::span<std::optional<Cqe>> out) {
    DirectRegion* r = region;
    const uint32_t first = w.first, irq = w.irq;
    const size_t pushed = w.pushed;
    size_t remaining = pushed;
    bool cancelled = false;
    const uint64_t spin = client_spin_ns();
    const uint64_t start = spin ? mono_ns() : 0;
    auto take = [&] {
        while (auto c = r->cq.pop()) {
            uint32_t i = c->tag - first;
            if (c->tag < first || i >= pushed || out[i]) continue;  // an answer to an earlier, withdrawn wave
            out[i] = *c;
            --remaining;
        }
    };
    while (remaining > 0) {
        uint32_t seen = r->client_wake.seq.load(std::memory_order_seq_cst);
        take();
        if (remaining == 0) break;
        uint32_t st = r->state.load(std::memory_order_seq_cst);
        if (st == DIRECT_DEAD) {
            take();
            for (size_t i = 0; i < pushed; ++i) {
                if (out[i]) continue;
                Cqe c{};
                c.tag = first + uint32_t(i);
                c.result = mux_error(EIO_);
                out[i] = c;
            }
            break;
        }
        if (st == DIRECT_REVOKED && r->daemon_closed.load(std::memory_order_seq_cst)) {
            take();  // the daemon answered everything it took before it closed
            break;
        }
        if (!cancelled && r->interrupts.load(std::memory_order_seq_cst) != irq) {
            // Withdraw what the daemon has not started: it answers those EINTR.
            cancelled = true;
            r->cancel_tag.store(first + uint32_t(pushed) - 1, std::memory_order_seq_cst);
            bell->word.wake();
        }
        if (spin) {
            uint64_t now = mono_ns();
            if (now - start < spin) {
                const int cpu = sched_getcpu();
                publish_cpu(r->client_cpu, cpu);
                if (bell && peer_shares_cpu(cpu, bell->daemon_cpu.load(std::memory_order_relaxed))) {
                    sched_yield();
                    continue;
                }
                for (int i = 0; i < 64 && r->cq.empty(); ++i) cpu_relax();
                if (r->cq.empty() && ((now - start) / 4000) != ((mono_ns() - start) / 4000)) sched_yield();
                continue;
            }
        }
        Connection::get().wait_word(r->client_wake, seen);
    }
    if (cancelled) r->cancel_tag.store(0, std::memory_order_seq_cst);
}

std::optional<Cqe> Channel::run(Sqe sqe) {
    std::optional<Cqe> out;
    run_wave(std::span(&sqe, 1), std::span(&out, 1));
    return out;
}

void attach_locked(int fd);

// The table lock is held.
std::shared_ptr<Channel> lookup(int fd) {
    auto& t = table();
    if (!t.offered.empty() && t.offered.erase(fd)) attach_locked(fd);
    auto it = t.by_fd.find(fd);
    if (it == t.by_fd.end()) return nullptr;
    if (!it->second->usable()) {
        t.by_fd.erase(it);
        return nullptr;
    }
    return it->second;
}

// fd's channel, if it has one, with its busy lock: the table lock is held
// only for the lookup.
struct Held {
    std::shared_ptr<Channel> ch;
    std::unique_lock<std::mutex> busy;
};
std::optional<Held> hold(int fd) {
    std::shared_ptr<Channel> ch;
    {
        auto& t = table();
        std::lock_guard guard(t.lock);
        ch = lookup(fd);
    }
    if (!ch) return std::nullopt;
    std::unique_lock busy(ch->busy);
    return Held{std::move(ch), std::move(busy)};
}

void attach_locked(int fd) {
    auto& t = table();
    t.by_fd.erase(fd);
    Sqe sqe{};
    sqe.opcode = uint8_t(DirectCall::Attach);
    sqe.args[0] = uint64_t(fd);
    auto side = Connection::get().side_channel();
    Cqe c = Connection::get().call(sqe);
    if (is_error(c.result)) return;  // revoked meanwhile: stay on the kernel path
    auto region_fd = Connection::get().take_fd();
    if (!region_fd) return;
    auto bell_fd = Connection::get().take_fd();
    side.unlock();
    if (!bell_fd) { ::close(region_fd->first); return; }
    auto ch = std::make_shared<Channel>();
    void* p = mmap(nullptr, kDirectRegionSize, PROT_READ | PROT_WRITE, MAP_SHARED, region_fd->first, 0);
    void* b = mmap(nullptr, sizeof(DirectBell), PROT_READ | PROT_WRITE, MAP_SHARED, bell_fd->first, 0);
    ::close(region_fd->first);
    ::close(bell_fd->first);
    if (p != MAP_FAILED) ch->region = static_cast<DirectRegion*>(p);
    if (b != MAP_FAILED) ch->bell = static_cast<DirectBell*>(b);
    if (!ch->region || !ch->bell || ch->region->magic != kDirectMagic) return;
    ch->positioned = (c.result & 1) != 0;
    t.by_fd[fd] = std::move(ch);
    t.attached.fetch_add(1, std::memory_order_relaxed);
}

// Where in the arena a transfer's data goes, from the cache-line-aligned
// offset `used` on: at the user buffer's own offset within a cache line, so
// the client's memcpy has source and destination equally aligned (with
// buffers 16 bytes off a line, the pipelined 4 KiB copy of bench/kernel-sim
// ran at less than half the speed). Offset `used` itself when the shifted
// data would not fit: a transfer as large as the arena keeps its length.
uint64_t arena_offset(uint64_t used, const void* buf, uint64_t len) {
    const uint64_t shift = reinterpret_cast<uintptr_t>(buf) & 63;
    return used + shift + len <= kDirectArenaSize ? used + shift : used;
}

Result<uint64_t> result_of(const Cqe& c) {
    if (is_error(c.result)) return err(demux_error(c.result));
    return c.result;
}

} // namespace

namespace direct {

bool enabled() {
    static const bool on = [] {
        const char* s = std::getenv("REDOX_SIM_DIRECT");
        return !(s && std::strcmp(s, "0") == 0);
    }();
    return on;
}

std::optional<Result<size_t>> transfer(Opcode op, int fd, void* buf, size_t len, uint64_t offset) {
    auto& t = table();
    auto held = hold(fd);
    if (!held) return std::nullopt;
    Channel* ch = held->ch.get();
    const bool implicit = offset == ~uint64_t(0);
    if (!implicit && !ch->positioned) return std::nullopt;  // the kernel path answers ESPIPE
    len = std::min<size_t>(len, kDirectArenaSize);
    DirectRegion* r = ch->region;
    uint64_t pos = ch->positioned ? (implicit ? r->offset.load(std::memory_order_relaxed) : offset) : ~uint64_t(0);
    const uint64_t at = arena_offset(0, buf, len);
    if (op == Opcode::Write) std::memcpy(ch->arena() + at, buf, len);
    Sqe sqe{};
    sqe.opcode = uint8_t(op);
    sqe.args[1] = at;
    sqe.args[2] = len;
    sqe.args[3] = pos;
    auto c = ch->run(sqe);
    if (!c) {
        t.fallbacks.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
    }
    if (is_error(c->result) && demux_error(c->result) == EWOULDBLOCK_) {
        // It would block: the kernel path parks it and can cancel it.
        t.fallbacks.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
    }
    t.ops.fetch_add(1, std::memory_order_relaxed);
    if (is_error(c->result)) return Result<size_t>(err(demux_error(c->result)));
    size_t n = size_t(std::min<uint64_t>(c->result, len));
    if (op == Opcode::Read) std::memcpy(buf, ch->arena() + at, n);
    if (ch->positioned && implicit) r->offset.store(pos + n, std::memory_order_relaxed);
    return Result<size_t>(n);
}

std::optional<Result<Stat>> fstat(int fd) {
    auto& t = table();
    auto held = hold(fd);
    if (!held) return std::nullopt;
    Channel* ch = held->ch.get();
    Sqe sqe{};
    sqe.opcode = uint8_t(Opcode::Fstat);
    sqe.args[2] = sizeof(Stat);
    auto c = ch->run(sqe);
    if (!c) return std::nullopt;
    t.ops.fetch_add(1, std::memory_order_relaxed);
    if (is_error(c->result)) return Result<Stat>(err(demux_error(c->result)));
    Stat st;
    std::memcpy(&st, ch->arena(), sizeof st);
    return Result<Stat>(st);
}

std::optional<Result<uint64_t>> lseek(int fd, int64_t offset, int whence) {
    auto& t = table();
    auto held = hold(fd);
    if (!held || !held->ch->positioned) return std::nullopt;
    Channel* ch = held->ch.get();
    DirectRegion* r = ch->region;
    int64_t base = 0;
    if (whence == 1) {
        base = int64_t(r->offset.load(std::memory_order_relaxed));
    } else if (whence == 2) {
        Sqe sqe{};
        sqe.opcode = uint8_t(Opcode::Fsize);
        auto c = ch->run(sqe);
        if (!c) return std::nullopt;
        auto size = result_of(*c);
        if (!size) return Result<uint64_t>(std::unexpected(size.error()));
        base = int64_t(*size);
    } else if (whence != 0) {
        return Result<uint64_t>(err(EINVAL_));
    }
    t.ops.fetch_add(1, std::memory_order_relaxed);
    int64_t n = base + offset;
    if (n < 0) return Result<uint64_t>(err(EINVAL_));
    r->offset.store(uint64_t(n), std::memory_order_relaxed);
    return Result<uint64_t>(uint64_t(n));
}

void batch(std::span<Sqe> calls, std::span<Cqe> done, std::vector<char>& handled) {
    auto& t = table();
    std::unique_lock guard(t.lock);
    if (t.by_fd.empty() && t.offered.empty()) return;
    // Calls by fd, in order; an fd with any call a channel cannot take stays
    // whole on the kernel path, so its calls keep their order.
    std::map<int, std::vector<size_t>> by_fd;
    for (size_t i = 0; i < calls.size(); ++i) {
        const Sqe& s = calls[i];
        if (s.opcode == uint8_t(Opcode::Close) || s.opcode == uint8_t(Opcode::Dup) ||
            s.opcode == uint8_t(KernelOp::Dup2) || s.opcode == uint8_t(Opcode::Sendfd))
            return;  // fd tables change: all of it through the kernel
        by_fd[int(s.args[0])].push_back(i);
    }
    // The fds whose calls all go direct, each with its waves: the first wave
    // of every channel is queued before any is waited for, so the daemons
    // serve them at once; a channel's later waves follow one at a time.
    struct Group {
        std::shared_ptr<Channel> ch;
        const std::vector<size_t>* idx;
        size_t next = 0;
        std::vector<Sqe> wave;
        std::vector<size_t> who;
        std::vector<uint64_t> at;  // arena offset of each call's data
        std::vector<std::optional<Cqe>> out;
    };
    std::vector<Group> groups;
    for (auto& [fd, idx] : by_fd) {
        std::shared_ptr<Channel> ch = lookup(fd);
        if (!ch) continue;
        auto direct_ok = [&](const Sqe& s) {
            switch (s.opcode) {
            case uint8_t(Opcode::Read): case uint8_t(Opcode::Write):
                return (s.args[3] == ~uint64_t(0)) != ch->positioned;
            case uint8_t(Opcode::Fstat): return s.args[2] >= sizeof(Stat);
            case uint8_t(KernelOp::Lseek): return ch->positioned && s.args[2] == 2;
            default: return false;
            }
        };
        if (std::all_of(idx.begin(), idx.end(), [&](size_t i) { return direct_ok(calls[i]); }))
            groups.push_back(Group{ch, &idx});
    }
    guard.unlock();
    // Each channel's busy lock, in fd order (as the map gives them), so two
    // batches of one process never wait for each other in a circle.
    std::vector<std::unique_lock<std::mutex>> busy;
    for (auto& g : groups) busy.emplace_back(g.ch->busy);
    // The next wave of g's calls: as many as fit the slots and the arena;
    // writes copy their data in.
    auto build = [&](Group& g) {
        const auto& idx = *g.idx;
        Channel* ch = g.ch.get();
        g.wave.clear();
        g.who.clear();
        g.at.clear();
        uint64_t used = 0;
        while (g.next < idx.size() && g.wave.size() < kDirectSlots) {
            const Sqe& s = calls[idx[g.next]];
            uint64_t len = s.opcode == uint8_t(Opcode::Fstat) ? sizeof(Stat)
                         : s.opcode == uint8_t(KernelOp::Lseek) ? 0
                         : std::min<uint64_t>(s.args[2], kDirectArenaSize);
            const bool data = s.opcode == uint8_t(Opcode::Read) || s.opcode == uint8_t(Opcode::Write);
            const uint64_t off = data ? arena_offset(used, reinterpret_cast<const void*>(s.args[1]), len) : used;
            const uint64_t need = (off - used + len + 63) & ~uint64_t(63);
            if (!g.wave.empty() && used + need > kDirectArenaSize) break;
            Sqe d{};
            d.opcode = s.opcode == uint8_t(KernelOp::Lseek) ? uint8_t(Opcode::Fsize) : s.opcode;
            d.args[1] = off;
            d.args[2] = len;
            d.args[3] = s.args[3];
            if (s.opcode == uint8_t(Opcode::Write))
                std::memcpy(ch->arena() + off, reinterpret_cast<const void*>(s.args[1]), len);
            g.wave.push_back(d);
            g.who.push_back(idx[g.next]);
            g.at.push_back(off);
            used += need;
            ++g.next;
        }
        g.out.assign(g.wave.size(), std::nullopt);
    };
    // The answers of g's wave into done: reads copy their data out.
    auto deliver = [&](Group& g) {
        Channel* ch = g.ch.get();
        for (size_t k = 0; k < g.wave.size(); ++k) {
            if (!g.out[k]) continue;  // never ran: the kernel path takes it
            const Sqe& s = calls[g.who[k]];
            Cqe c = *g.out[k];
            c.tag = s.tag;
            if (!is_error(c.result)) {
                if (s.opcode == uint8_t(Opcode::Read))
                    std::memcpy(reinterpret_cast<void*>(s.args[1]), ch->arena() + g.at[k],
                                std::min<uint64_t>(c.result, g.wave[k].args[2]));
                else if (s.opcode == uint8_t(Opcode::Fstat))
                    std::memcpy(reinterpret_cast<void*>(s.args[1]), ch->arena() + g.at[k], sizeof(Stat));
                else if (s.opcode == uint8_t(KernelOp::Lseek)) {
                    int64_t pos = int64_t(c.result) + int64_t(s.args[1]);
                    if (pos < 0) c.result = mux_error(EINVAL_);
                    else {
                        c.result = uint64_t(pos);
                        ch->region->offset.store(uint64_t(pos), std::memory_order_relaxed);
                    }
                }
            } else if (demux_error(c.result) == EWOULDBLOCK_) {
                continue;  // it would block: the kernel path parks it
            }
            done[g.who[k]] = c;
            handled[g.who[k]] = 1;
            t.ops.fetch_add(1, std::memory_order_relaxed);
        }
    };
    std::vector<Channel::Wave> first(groups.size());
    for (size_t i = 0; i < groups.size(); ++i) {
        build(groups[i]);
        first[i] = groups[i].ch->start_wave(groups[i].wave);
    }
    for (size_t i = 0; i < groups.size(); ++i) {
        Group& g = groups[i];
        g.ch->finish_wave(first[i], g.out);
        deliver(g);
        while (g.next < g.idx->size() && g.ch->usable()) {
            build(g);
            g.ch->run_wave(g.wave, g.out);
            deliver(g);
        }
    }
}

void attach(int fd) {
    auto& t = table();
    std::lock_guard guard(t.lock);
    t.offered.insert(fd);
}

void forget(int fd) {
    auto& t = table();
    std::lock_guard guard(t.lock);
    t.by_fd.erase(fd);
    t.offered.erase(fd);
}

Result<std::pair<int, int>> accept(uint32_t id, bool refuse) {
    Sqe sqe{};
    sqe.opcode = uint8_t(DirectCall::Accept);
    sqe.args[0] = id;
    sqe.args[1] = refuse ? 1 : 0;
    auto side = Connection::get().side_channel();
    Cqe c = Connection::get().call(sqe);
    if (is_error(c.result)) return err(demux_error(c.result), "direct channel");
    if (refuse) return std::pair{-1, -1};
    auto region_fd = TRY(Connection::get().take_fd());
    auto bell_fd = Connection::get().take_fd();
    if (!bell_fd) { ::close(region_fd.first); return std::unexpected(bell_fd.error()); }
    return std::pair{region_fd.first, bell_fd->first};
}

} // namespace direct

DirectStats direct_stats() {
    auto& t = table();
    return DirectStats{t.attached.load(), t.ops.load(), t.fallbacks.load()};
}

} // namespace redox::sys
