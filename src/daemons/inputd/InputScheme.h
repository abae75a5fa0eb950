// inputd: the `input` scheme, which merges the events of every input device into
// one stream and hands it to the consumer of the active virtual terminal (VT).
// Modelled on Redox's drivers/inputd.
//
// Paths (after /scheme/input/):
//   producer        write whole 24-byte orbclient events (producer.h); a length that
//                   is not a multiple of 24 is EINVAL. They are queued, unchanged, for
//                   every consumer of the active VT; with no active VT they are
//                   dropped. Super+F1..F12 in the stream activate VT 1..12 (when it
//                   exists). read: EBADF.
//   consumer        a consumer on a new VT (the next free number); `consumer/N` one on
//                   VT N (created if needed). The first VT that appears becomes active.
//                   read: whole events, oldest first (a buffer under 24 bytes is
//                   EINVAL); an empty queue parks the reader (EAGAIN with O_NONBLOCK).
//                   fevent: EVENT_READ while events wait, posted when the queue
//                   becomes non-empty. fpath: "input:consumer/N". fmap (redox-sim
//                   extension): one page holding a WaitWord (schemes/ring.h) at offset
//                   0 that inputd wakes whenever it queues events for this consumer, so
//                   a daemon with its own loop (orbital) can sleep on it. A consumer
//                   that never reads keeps the newest kMaxQueued events.
//   handle/NAME     a display driver's handle: read whole 16-byte VtEvents (activate,
//                   deactivate, display resize), parked while none wait; fevent and the
//                   fmap doorbell as for consumers. Opened before any VT, it gets the
//                   activation to come.
//   control         write an 8-byte VT number (upstream's VtActivate) to activate it
//                   (ENOENT if no consumer ever asked for it); read (redox-sim
//                   extension): the active VT as 8 bytes, 0 when none.
// Anyone may open any path (upstream checks no uid). Cost: one copy of the events
// into inputd and one out per consumer; a doorbell wake is a futex syscall.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>

#include "daemons/inputd/producer.h"
#include "schemes/server.h"

namespace redox::inputd {

using input::VtEvent;
using input::kVtActivate;
using input::kVtDeactivate;
using input::kVtResize;

class InputScheme final : public SchemeServer {
public:
    static constexpr size_t kMaxQueued = 4096;

    ~InputScheme() override;

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint32_t> fevent(uint64_t id, uint32_t flags) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<int> mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t flags, const CallerCtx& ctx) override;
    void on_close(uint64_t id) override;

    // VT switching (control handles, Super+Fn, `inputd -A`).
    Result<void> activate(uint64_t vt);

private:
    enum class Kind { Producer, Consumer, Display, Control };
    struct Handle {
        Kind kind = Kind::Producer;
        uint64_t vt = 0;                  // consumers
        std::string device;               // display handles
        std::deque<input::Event> events;  // consumers
        std::deque<VtEvent> vt_events;    // display handles
        int doorbell_fd = -1;             // consumers and display handles, once mapped
        void* doorbell = nullptr;
    };

    void deliver(std::span<const input::Event> events);
    void to_displays(const VtEvent& ev);
    void readable(uint64_t id, Handle& h);

    std::map<uint64_t, Handle> m_handles;
    std::set<uint64_t> m_vts;
    uint64_t m_active = 0;
    uint64_t m_next_id = 1;
    bool m_super = false;
};

} // namespace redox::inputd
