// Kernel schemes: event (readiness queues), time and itimer.
#include "kernel-sim/kschemes.h"
#include "kernel-sim/ks_util.h"
#include "kernel-sim/namespaces.h"
#include "kernel-sim/routing.h"

#include <map>

namespace redox::kernel {

// event: open "" creates a queue. Writing Event{id: fd, flags, data}
// subscribes the caller's fd (flags 0 unsubscribes); the kernel asks the fd's
// scheme for its current readiness (fevent) and later SendFevent triggers
// queue events. Reading returns ready Events (24 bytes each), parking when
// there are none unless O_NONBLOCK. Writing {EVENT_TIMEOUT_ID, 0, ms} arms a
// one-shot timeout that reports that id.
class EventScheme final : public KernelScheme {
public:
    EventScheme() : KernelScheme("event") {}

    struct Queue : Kernel::EventSink {
        EventScheme* scheme = nullptr;
        uint64_t number = 0;
        struct Sub {
            uint64_t fd;
            uint64_t data;
            uint32_t flags;
            FdRef file;
        };
        std::map<uint64_t, Sub> subs;     // by token
        std::map<uint64_t, Event> ready;  // by token, merged
        uint64_t next_token = 1;
        void on_event(Kernel& k, uint64_t token, uint32_t flags) override {
            auto it = subs.find(token);
            if (it == subs.end()) return;
            uint32_t f = flags & it->second.flags;
            if (!f) return;
            auto& e = ready[token];
            e.id = it->second.fd;
            e.flags |= f;
            e.data = it->second.data;
            scheme->retry_parked(k);
            k.trigger(scheme, number, EVENT_READ);
        }
    };

protected:
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t&) override {
        if (r.op == Opcode::Open) {
            uint64_t id = m_next++;
            auto q = std::make_shared<Queue>();
            q->scheme = this;
            q->number = id;
            m_queues[id] = q;
            return id;
        }
        auto it = m_queues.find(r.number);
        if (it == m_queues.end()) return err(EBADF_);
        auto q = it->second;
        switch (r.op) {
        case Opcode::Write: return subscribe(k, r, q);
        case Opcode::Read: {
            if (q->ready.empty()) return err(EWOULDBLOCK_);
            std::vector<Event> out;
            size_t max = r.len / sizeof(Event);
            if (max == 0) return err(EINVAL_);
            while (!q->ready.empty() && out.size() < max) {
                out.push_back(q->ready.begin()->second);
                q->ready.erase(q->ready.begin());
            }
            if (!k.copy_to(r.pid, r.buf, out.data(), out.size() * sizeof(Event))) return err(EFAULT_);
            return out.size() * sizeof(Event);
        }
        case Opcode::Fevent: return q->ready.empty() ? 0u : uint32_t(EVENT_READ);
        case Opcode::Fstat: return put_stat(k, r, make_stat(MODE_CHR | 0600));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/event/");
        case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }
    void on_close(Kernel& k, uint64_t number) override {
        auto it = m_queues.find(number);
        if (it == m_queues.end()) return;
        for (auto& [token, sub] : it->second->subs)
            if (auto s = sub.file->scheme.lock()) k.unsubscribe(s.get(), sub.file->number, it->second.get(), token);
        m_queues.erase(it);
    }

private:
    Result<uint64_t> subscribe(Kernel& k, KRequest& r, std::shared_ptr<Queue> q) {
        size_t count = r.len / sizeof(Event);
        if (count == 0) return err(EINVAL_);
        std::vector<Event> evs(count);
        if (!k.copy_from(r.pid, r.buf, evs.data(), count * sizeof(Event))) return err(EFAULT_);
        Process* p = k.process(r.pid);
        if (!p) return err(ESRCH_);
        for (auto& e : evs) {
            if (e.id == EVENT_TIMEOUT_ID) {
                uint64_t number = q->number;
                std::weak_ptr<Queue> wq = q;
                k.add_timer(k.now_ns(CLOCK_MONOTONIC_) + e.data * 1'000'000ull, [this, &k, wq, number] {
                    auto q = wq.lock();
                    if (!q) return;
                    q->ready[0] = Event{EVENT_TIMEOUT_ID, 0, 0};
                    retry_parked(k);
                    k.trigger(this, number, EVENT_READ);
                });
                continue;
            }
            FdRef f = p->fd(int(e.id));
            if (!f) return err(EBADF_);
            auto s = f->scheme.lock();
            if (!s || !s->alive()) return err(EBADF_);
            if (s.get() == this && f->number == q->number) return err(EBADF_);
            // Replace an earlier subscription of the same fd.
            for (auto it = q->subs.begin(); it != q->subs.end(); ++it) {
                if (it->second.fd == e.id) {
                    k.unsubscribe(s.get(), f->number, q.get(), it->first);
                    q->ready.erase(it->first);
                    q->subs.erase(it);
                    break;
                }
            }
            if (e.flags == 0) continue;
            uint64_t token = q->next_token++;
            q->subs[token] = Queue::Sub{e.id, e.data, uint32_t(e.flags), f};
            k.subscribe(s.get(), f->number, q, token);
            // Ask for the current readiness; an answer with flags queues an event.
            auto req = std::make_unique<KRequest>();
            req->op = Opcode::Fevent;
            req->number = f->number;
            req->file = f;
            req->args[0] = e.flags;
            req->serial = k.next_serial();
            std::weak_ptr<Queue> wq = q;
            req->done = [wq, token](Kernel& k, KRequest&, const Cqe& c) {
                auto q = wq.lock();
                if (q && !is_error(c.result) && c.result) q->on_event(k, token, uint32_t(c.result));
            };
            s->submit(k, std::move(req));
        }
        return r.len;
    }

    uint64_t m_next = 1;
    std::map<uint64_t, std::shared_ptr<Queue>> m_queues;
};

// time: `/scheme/time/<clock>` for CLOCK_REALTIME (1) and CLOCK_MONOTONIC (4).
// read = now (a 16-byte TimeSpec); write a TimeSpec = an absolute deadline,
// after which the handle is EVENT_READ-ready. `getres` reads the resolution.
class TimeScheme final : public KernelScheme {
public:
    TimeScheme() : KernelScheme("time") {}

protected:
    struct Handle {
        int clock;
        bool res;
        uint64_t deadline = 0;
        uint64_t timer = 0;
    };
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t&) override {
        if (r.op == Opcode::Open) {
            std::string_view p = r.path;
            size_t slash = p.find('/');
            std::string_view clock = p.substr(0, slash);
            std::string_view what = slash == std::string_view::npos ? "" : p.substr(slash + 1);
            int c = clock == "1" ? CLOCK_REALTIME_ : clock == "4" ? CLOCK_MONOTONIC_ : -1;
            if (c < 0 || !(what.empty() || what == "gettime" || what == "getres" || what == "timer")) return err(ENOENT_);
            uint64_t id = m_next++;
            m_handles[id] = Handle{c, what == "getres"};
            return id;
        }
        auto it = m_handles.find(r.number);
        if (it == m_handles.end()) return err(EBADF_);
        Handle& h = it->second;
        switch (r.op) {
        case Opcode::Read: {
            if (r.len < sizeof(TimeSpec)) return err(EINVAL_);
            uint64_t ns = h.res ? 1 : k.now_ns(h.clock);
            TimeSpec ts{int64_t(ns / 1'000'000'000), int32_t(ns % 1'000'000'000), 0};
            if (!k.copy_to(r.pid, r.buf, &ts, sizeof ts)) return err(EFAULT_);
            return sizeof ts;
        }
        case Opcode::Write: {
            TimeSpec ts{};
            if (r.len < sizeof ts || !k.copy_from(r.pid, r.buf, &ts, sizeof ts)) return err(EINVAL_);
            uint64_t deadline = uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
            uint64_t now = k.now_ns(h.clock);
            uint64_t mono_deadline = k.now_ns(CLOCK_MONOTONIC_) + (deadline > now ? deadline - now : 0);
            if (h.timer) k.cancel_timer(h.timer);
            h.deadline = deadline;
            uint64_t number = r.number;
            h.timer = k.add_timer(mono_deadline, [this, &k, number] {
                auto it = m_handles.find(number);
                if (it == m_handles.end()) return;
                it->second.timer = 0;
                k.trigger(this, number, EVENT_READ);
            });
            return sizeof ts;
        }
        case Opcode::Fevent: return h.deadline && k.now_ns(h.clock) >= h.deadline ? uint32_t(EVENT_READ) : 0u;
        case Opcode::Fstat: return put_stat(k, r, make_stat(MODE_CHR | 0444));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/time/" + std::to_string(h.clock));
        case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }
    void on_close(Kernel& k, uint64_t number) override {
        auto it = m_handles.find(number);
        if (it == m_handles.end()) return;
        if (it->second.timer) k.cancel_timer(it->second.timer);
        m_handles.erase(it);
    }

private:
    uint64_t m_next = 1;
    std::map<uint64_t, Handle> m_handles;
};

// itimer: interval timers. Write two TimeSpecs {interval, value} (value 0
// disarms); read blocks until at least one expiry and returns the u64 count
// of expiries since the last read.
class ITimerScheme final : public KernelScheme {
public:
    ITimerScheme() : KernelScheme("itimer") {}

protected:
    struct Handle {
        uint64_t interval = 0;
        uint64_t expiries = 0;
        uint64_t timer = 0;
    };
    void arm(Kernel& k, uint64_t number, uint64_t delay) {
        auto& h = m_handles[number];
        h.timer = k.add_timer(k.now_ns(CLOCK_MONOTONIC_) + delay, [this, &k, number] {
            auto it = m_handles.find(number);
            if (it == m_handles.end()) return;
            it->second.expiries++;
            it->second.timer = 0;
            if (it->second.interval) arm(k, number, it->second.interval);
            retry_parked(k);
            k.trigger(this, number, EVENT_READ);
        });
    }
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t&) override {
        if (r.op == Opcode::Open) {
            uint64_t id = m_next++;
            m_handles[id] = Handle{};
            return id;
        }
        auto it = m_handles.find(r.number);
        if (it == m_handles.end()) return err(EBADF_);
        Handle& h = it->second;
        switch (r.op) {
        case Opcode::Write: {
            TimeSpec ts[2];
            if (r.len < sizeof ts || !k.copy_from(r.pid, r.buf, ts, sizeof ts)) return err(EINVAL_);
            auto ns = [](const TimeSpec& t) { return uint64_t(t.tv_sec) * 1'000'000'000ull + uint64_t(t.tv_nsec); };
            if (h.timer) { k.cancel_timer(h.timer); h.timer = 0; }
            h.interval = ns(ts[0]);
            h.expiries = 0;
            if (ns(ts[1])) arm(k, r.number, ns(ts[1]));
            return sizeof ts;
        }
        case Opcode::Read: {
            if (r.len < 8) return err(EINVAL_);
            if (h.expiries == 0) return err(EWOULDBLOCK_);
            uint64_t n = h.expiries;
            h.expiries = 0;
            if (!k.copy_to(r.pid, r.buf, &n, 8)) return err(EFAULT_);
            return 8;
        }
        case Opcode::Fevent: return h.expiries ? uint32_t(EVENT_READ) : 0u;
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/itimer/");
        case Opcode::Fstat: return put_stat(k, r, make_stat(MODE_CHR | 0600));
        case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }
    void on_close(Kernel& k, uint64_t number) override {
        auto it = m_handles.find(number);
        if (it == m_handles.end()) return;
        if (it->second.timer) k.cancel_timer(it->second.timer);
        m_handles.erase(it);
    }

private:
    uint64_t m_next = 1;
    std::map<uint64_t, Handle> m_handles;
};

void register_event_schemes(Kernel& k) {
    auto ev = std::make_shared<EventScheme>();
    auto time = std::make_shared<TimeScheme>();
    auto itimer = std::make_shared<ITimerScheme>();
    k.namespaces().add_kernel_scheme(ev, true, false);
    k.namespaces().add_kernel_scheme(time, true, false);
    k.namespaces().add_kernel_scheme(itimer, true, false);
    k.add_scheme(ev);
    k.add_scheme(time);
    k.add_scheme(itimer);
}

} // namespace redox::kernel
