// Headless display: a framebuffer in memory plus an input queue a test or a script
// fills. It is the default in CI and what the benchmarks measure.
#pragma once

#include <deque>
#include <mutex>

#include "orbital/backend/display_backend.h"

namespace redox::orbital {

class HeadlessBackend final : public DisplayBackend {
public:
    HeadlessBackend(int32_t width, int32_t height) : m_frame(width, height) {}

    int32_t width() const override { return m_frame.width(); }
    int32_t height() const override { return m_frame.height(); }
    void present(const PixelView& screen, std::span<const Rect> damage) override;
    std::vector<InputEvent> poll_input() override;

    // Thread-safe: input may come from another thread (a test driver, a socket).
    void push_input(const InputEvent& ev);
    // What a monitor attached to this display would show.
    const Image& frame() const { return m_frame; }
    uint64_t frames_presented() const { return m_frames; }

private:
    Image m_frame;
    uint64_t m_frames = 0;
    std::mutex m_input_lock;
    std::deque<InputEvent> m_input;
};

} // namespace redox::orbital
