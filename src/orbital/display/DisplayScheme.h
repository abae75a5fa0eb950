// The `display` scheme (the vesad role): one framebuffer shown by a display backend,
// headless memory or an SDL2 window. Orbital draws into the framebuffer and reports
// what it changed; the backend's input goes to inputd from the daemon's loop (main.cpp).
//
// Paths (after /scheme/display/):
//   VT              the framebuffer, for the graphical session on VT (a number). fmap
//                   (mmap_prep) returns its memfd: W*H*4 bytes of 0xAARRGGBB, row-major,
//                   shared with no copies (beyond W*H*4 is EINVAL). write: whole 16-byte
//                   Damage records {i32 x, y, w, h} (screen rectangles, clipped) that
//                   the backend shows before the write returns; fsync: all of it.
//                   fpath: "display:VT/W/H".
//   VT/W/H          the same, asking for a W x H mode first (1..16384 each). A new size
//                   gets a new memfd (old mappings keep the old one, which is no longer
//                   shown): map again after a mode change, as after SDL resizes the
//                   window (then a Resize event reaches the session through inputd).
//   capture         redox-sim extension: what the backend shows, captured at open (for
//                   SDL2 the renderer's pixels read back); read W*H*4 bytes at the handle
//                   position; fpath "display:capture/W/H". What `screenshot --display` uses.
// Each VT has its own framebuffer, all of the display's one size; the backend shows
// the active VT's (inputd's display handle says which, main.cpp), and before any
// activation the one last written. Only root may open.
// Cost: a damage write is one ring hop plus the backend's copy of those rectangles.
#pragma once

#include <map>
#include <memory>

#include "orbital/backend/display_backend.h"
#include "orbital/core/shared_pixels.h"
#include "schemes/server.h"

namespace redox::orbital {

struct Damage {
    int32_t x = 0, y = 0, w = 0, h = 0;
};
static_assert(sizeof(Damage) == 16);

class DisplayScheme final : public SchemeServer {
public:
    // `capture` reads back what the backend shows (headless frame, SDL renderer).
    static Result<std::unique_ptr<DisplayScheme>> create(DisplayBackend& backend, std::function<Result<Image>()> capture);

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint64_t> fsize(uint64_t id) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<void> fsync(uint64_t id) override;
    Result<int> mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t flags, const CallerCtx& ctx) override;
    void on_close(uint64_t id) override;

    // The backend changed size by itself (SDL window resized): new framebuffers.
    Result<void> resize(int32_t width, int32_t height);
    // inputd activated `vt`: show its picture (black if nobody drew there yet).
    Result<void> activate(uint64_t vt);
    int32_t width() const { return m_width; }
    int32_t height() const { return m_height; }

private:
    DisplayScheme(DisplayBackend& backend, std::function<Result<Image>()> capture)
        : m_backend(backend), m_capture(std::move(capture)), m_width(backend.width()), m_height(backend.height()) {}
    Result<SharedPixels*> framebuffer(uint64_t vt);
    void show(uint64_t vt, std::span<const Rect> damage);

    struct Handle {
        uint64_t vt = 0;     // framebuffer handles
        bool capture = false;
        Image image;         // capture handles
    };
    DisplayBackend& m_backend;
    std::function<Result<Image>()> m_capture;
    int32_t m_width = 0, m_height = 0;
    std::map<uint64_t, SharedPixels> m_fbs;   // by VT
    uint64_t m_active = 0;                     // 0: inputd has not said yet
    uint64_t m_shown = 0;                      // whose picture the backend shows
    std::map<uint64_t, Handle> m_handles;
    uint64_t m_next_id = 1;
};

} // namespace redox::orbital
