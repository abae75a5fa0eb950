// Orbital's two peers, as upstream Orbital has them: the display it draws into
// (the `display` scheme's framebuffer, shared memory) and the inputd consumer of its
// VT. Both are owned by the daemon's loop (main.cpp).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "orbital/core/image.h"
#include "orbital/core/rect.h"
#include "orbital/server/input_event.h"
#include "schemes/libredox.h"

namespace redox::orbital {

// /scheme/display/VT: the framebuffer mapped, and damage reported with one write.
class DisplayLink {
public:
    static Result<std::unique_ptr<DisplayLink>> open(std::string root, uint64_t vt);
    ~DisplayLink();
    int32_t width() const { return m_width; }
    int32_t height() const { return m_height; }
    // Copies `damage` of `screen` into the framebuffer and has the display show it.
    // A screen of another size first asks the display for that mode (and remaps).
    Result<void> present(const PixelView& screen, std::span<const Rect> damage);

private:
    DisplayLink(std::string root, uint64_t vt) : m_root(std::move(root)), m_vt(vt) {}
    Result<void> attach(const std::string& path);

    std::string m_root;
    uint64_t m_vt = 0;
    int m_fd = -1;
    sys::MappedRegion m_map;
    int32_t m_width = 0, m_height = 0;
};

// /scheme/input/consumer/VT, read without blocking. A thread sleeps on the
// consumer's doorbell page and wakes `wake` (the daemon's wake word) when inputd
// queues events, so the loop needs no polling.
class InputLink {
public:
    static Result<std::unique_ptr<InputLink>> open(uint64_t vt, WaitWord& wake);
    ~InputLink();
    // Everything queued now, decoded; unknown events are skipped.
    Result<std::vector<InputEvent>> poll();

private:
    InputLink(int fd, sys::MappedRegion bell) : m_fd(fd), m_bell(std::move(bell)) {}
    int m_fd = -1;
    sys::MappedRegion m_bell;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace redox::orbital
