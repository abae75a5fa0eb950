// The `orbital` scheme: OrbitalServer (src/orbital/server) served to sim processes
// through the SchemeServer framework. One object per daemon, driven by the
// daemon's loop (main.cpp), which also composites and presents.
//
// Paths (what follows /scheme/orbital/):
//   FLAGS/X/Y/W/H/TITLE   a window, exactly as upstream Orbital (reference §2).
//   99.0                  the display-size handle; fpath "orbital:99.0/W/H/SCALE".
//   screen                redox-sim extension: read composites what is damaged, then
//                         gives the screen as W*H 0xAARRGGBB words (offset = byte
//                         offset; one copy through the arena); fpath
//                         "orbital:screen/W/H". What `screenshot` uses.
// Input does not come through this scheme: orbital reads it from its VT's inputd
// consumer, and shows the screen through the `display` scheme (main.cpp).
// Window handles: fmap (mmap_prep) returns the window's memfd, W*H*4 bytes shared
// both ways with zero copies (a length beyond the buffer is EINVAL); write is the
// text commands A D F M P S T Y; fsync damages the whole window; read returns whole
// 24-byte events, parks a blocking reader while the queue is empty (async windows
// and O_NONBLOCK get 0 / EAGAIN); fevent reports EVENT_READ while events wait and
// posts it when the queue becomes non-empty; fpath is "FLAGS/X/Y/W/H/TITLE";
// dup(window, "clipboard") is the global clipboard.
// Anyone may open windows (upstream checks no uid). Cost per request: the ring hop;
// pixels never cross the ring.
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "orbital/server/server.h"
#include "schemes/server.h"

namespace redox::orbital {

class OrbitalScheme final : public SchemeServer {
public:
    explicit OrbitalScheme(OrbitalServer& server);

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<OpenResult> dup(uint64_t id, std::string_view buf, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint64_t> fsize(uint64_t id) override;
    Result<uint32_t> fevent(uint64_t id, uint32_t flags) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<void> fsync(uint64_t id) override;
    Result<int> mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t flags, const CallerCtx& ctx) override;
    void on_close(uint64_t id) override;

    // Input from inputd; wakes parked readers.
    void inject(const InputEvent& ev);
    // Composites the damage and shows it on the display (the daemon's loop does the
    // same); screen reads call it so no damage is taken from the display.
    void set_presenter(std::function<void()> present) { m_present = std::move(present); }

private:
    enum class Extra { Screen };
    // Our handles live above the server's id range.
    static constexpr uint64_t kExtraBase = uint64_t(1) << 62;

    OrbitalServer& m_server;
    std::map<uint64_t, Extra> m_extra;
    std::function<void()> m_present;
    uint64_t m_next_extra = kExtraBase;
};

} // namespace redox::orbital
