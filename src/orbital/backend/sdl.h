// SDL2 display: a real window on the workstation. All SDL calls happen on the
// backend's own thread; present() copies damaged rectangles into a staging frame and
// wakes that thread, which uploads only those rectangles into a streaming ARGB8888
// texture. Host input (keys, text, mouse, wheel, resize, close) is translated on the
// SDL thread and queued for poll_input().
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <functional>
#include <future>
#include <string>
#include <thread>

#include "orbital/backend/display_backend.h"
#include "schemes/error.h"

namespace redox::orbital {

class SdlBackend final : public DisplayBackend {
public:
    // Fails (ENODEV) when SDL cannot open a window, e.g. no DISPLAY.
    static Result<std::unique_ptr<SdlBackend>> create(int32_t width, int32_t height,
                                                      std::string title = "redox-sim orbital");
    ~SdlBackend() override;

    int32_t width() const override;
    int32_t height() const override;
    void present(const PixelView& screen, std::span<const Rect> damage) override;
    std::vector<InputEvent> poll_input() override;

    // Reads back what the SDL renderer drew on the next frame (for tests): proves the
    // texture upload path, not just our staging copy.
    Result<Image> read_back(int timeout_ms = 5000);
    // Called on the SDL thread after new input was queued, e.g. to wake a daemon's
    // loop that sleeps on something else than poll_input().
    void set_input_notifier(std::function<void()> notify);
    // Pushes a raw SDL event (for tests that simulate a user at the host window).
    void push_host_event(const void* sdl_event);
    uint64_t frames_presented() const;

private:
    SdlBackend(int32_t width, int32_t height, std::string title);
    void run(std::promise<Result<void>>* started);
    void translate(const void* sdl_event);
    void upload_and_render();

    struct Sdl;   // SDL handles, touched only on the SDL thread
    std::unique_ptr<Sdl> m_sdl;
    std::string m_title;

    mutable std::mutex m_lock;
    std::condition_variable m_cv;
    Image m_staging;                 // last presented screen
    std::vector<Rect> m_pending;     // rectangles of m_staging not yet uploaded
    bool m_full_upload = true;
    bool m_readback_wanted = false;
    std::optional<Image> m_readback;
    std::deque<InputEvent> m_input;
    std::function<void()> m_on_input;
    uint64_t m_frames = 0;
    uint8_t m_buttons = 0;           // SDL thread only
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace redox::orbital
