#include "orbital/backend/headless.h"

namespace redox::orbital {

void HeadlessBackend::present(const PixelView& screen, std::span<const Rect> damage) {
    // The display follows the screen size, as a mode change would.
    if (screen.width != m_frame.width() || screen.height != m_frame.height()) {
        m_frame = Image(screen.width, screen.height);
        m_frame.view().blit(screen, screen.bounds(), 0, 0, false);
    } else {
        for (const Rect& r : damage) m_frame.view().blit(screen, r, r.x, r.y, false);
    }
    ++m_frames;
}

std::vector<InputEvent> HeadlessBackend::poll_input() {
    std::lock_guard lock(m_input_lock);
    std::vector<InputEvent> out(m_input.begin(), m_input.end());
    m_input.clear();
    return out;
}

void HeadlessBackend::push_input(const InputEvent& ev) {
    std::lock_guard lock(m_input_lock);
    m_input.push_back(ev);
}

} // namespace redox::orbital
