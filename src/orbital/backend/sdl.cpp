#include "orbital/backend/sdl.h"

#include <SDL2/SDL.h>
#include "orbital/backend/sdl_api.h"
#include <cerrno>
#include <future>

#include "orbital/backend/sdl_keymap.h"

namespace redox::orbital {
namespace {

// Wakes the SDL thread when a frame or a read-back request is waiting.
Uint32 wake_event_type() {
    static Uint32 type = SDL_RegisterEvents(1);
    return type;
}

char32_t decode_utf8(const char*& p) {
    unsigned char c = static_cast<unsigned char>(*p++);
    if (c < 0x80) return c;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    char32_t v = c & (0x3F >> extra);
    for (int i = 0; i < extra && (static_cast<unsigned char>(*p) & 0xC0) == 0x80; ++i)
        v = v << 6 | (static_cast<unsigned char>(*p++) & 0x3F);
    return v;
}

} // namespace

struct SdlBackend::Sdl {
    SDL_Window* window = nullptr;
    SDL_Renderer* renderer = nullptr;
    SDL_Texture* texture = nullptr;
    int tex_w = 0, tex_h = 0;
    int win_w = 0, win_h = 0;
};

SdlBackend::SdlBackend(int32_t width, int32_t height, std::string title)
    : m_sdl(std::make_unique<Sdl>()), m_title(std::move(title)), m_staging(width, height) {}

Result<std::unique_ptr<SdlBackend>> SdlBackend::create(int32_t width, int32_t height,
                                                       std::string title) {
    std::string why;
    if (!sdl_api::load(why)) return err(ENODEV, why);
    std::unique_ptr<SdlBackend> b(new SdlBackend(width, height, std::move(title)));
    std::promise<Result<void>> started;
    auto ready = started.get_future();
    SdlBackend* self = b.get();
    b->m_thread = std::thread([self, &started] { self->run(&started); });
    Result<void> r = ready.get();
    if (!r) {
        b->m_thread.join();
        return std::unexpected(r.error());
    }
    return b;
}

SdlBackend::~SdlBackend() {
    {
        std::lock_guard lock(m_lock);
        m_stop = true;
    }
    SDL_Event e{};
    e.type = wake_event_type();
    SDL_PushEvent(&e);
    if (m_thread.joinable()) m_thread.join();
}

int32_t SdlBackend::width() const {
    std::lock_guard lock(m_lock);
    return m_staging.width();
}

int32_t SdlBackend::height() const {
    std::lock_guard lock(m_lock);
    return m_staging.height();
}

uint64_t SdlBackend::frames_presented() const {
    std::lock_guard lock(m_lock);
    return m_frames;
}

void SdlBackend::run(std::promise<Result<void>>* started) {
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        started->set_value(err(ENODEV, std::string("SDL_Init: ") + SDL_GetError()));
        return;
    }
    wake_event_type();
    Sdl& s = *m_sdl;
    s.win_w = m_staging.width();
    s.win_h = m_staging.height();
    s.window = SDL_CreateWindow(m_title.c_str(), SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                s.win_w, s.win_h, SDL_WINDOW_RESIZABLE);
    if (s.window) {
        s.renderer = SDL_CreateRenderer(s.window, -1, 0);
        if (!s.renderer) s.renderer = SDL_CreateRenderer(s.window, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!s.renderer) {
        std::string why = SDL_GetError();
        if (s.window) SDL_DestroyWindow(s.window);
        SDL_Quit();
        started->set_value(err(ENODEV, "SDL window: " + why));
        return;
    }
    // Orbital draws its own cursor.
    SDL_ShowCursor(SDL_DISABLE);
    SDL_StartTextInput();
    started->set_value({});

    for (;;) {
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, 50)) {
            do translate(&e);
            while (SDL_PollEvent(&e));
        }
        {
            std::lock_guard lock(m_lock);
            if (m_stop) break;
        }
        upload_and_render();
    }
    if (s.texture) SDL_DestroyTexture(s.texture);
    SDL_DestroyRenderer(s.renderer);
    SDL_DestroyWindow(s.window);
    SDL_Quit();
}

void SdlBackend::upload_and_render() {
    Sdl& s = *m_sdl;
    std::unique_lock lock(m_lock);
    if (m_pending.empty() && !m_full_upload && !m_readback_wanted) return;
    int w = m_staging.width(), h = m_staging.height();
    if (!s.texture || s.tex_w != w || s.tex_h != h) {
        if (s.texture) SDL_DestroyTexture(s.texture);
        s.texture = SDL_CreateTexture(s.renderer, SDL_PIXELFORMAT_ARGB8888,
                                      SDL_TEXTUREACCESS_STREAMING, w, h);
        s.tex_w = w;
        s.tex_h = h;
        m_full_upload = true;
    }
    if (!s.texture) return;
    if (m_full_upload) {
        SDL_UpdateTexture(s.texture, nullptr, m_staging.pixels().data(), w * 4);
    } else {
        for (const Rect& r : m_pending) {
            SDL_Rect sr{r.x, r.y, r.w, r.h};
            SDL_UpdateTexture(s.texture, &sr, m_staging.pixels().data() + size_t(r.y) * w + r.x,
                              w * 4);
        }
    }
    m_pending.clear();
    m_full_upload = false;
    bool readback = m_readback_wanted;
    lock.unlock();

    // Every frame re-renders the whole texture: the renderer's back buffer is
    // undefined after SDL_RenderPresent.
    SDL_RenderClear(s.renderer);
    SDL_RenderCopy(s.renderer, s.texture, nullptr, nullptr);
    std::optional<Image> pixels;
    if (readback) {
        int ow = 0, oh = 0;
        SDL_GetRendererOutputSize(s.renderer, &ow, &oh);
        Image img(ow, oh);
        if (SDL_RenderReadPixels(s.renderer, nullptr, SDL_PIXELFORMAT_ARGB8888,
                                 img.pixels().data(), ow * 4) == 0)
            pixels = std::move(img);
        else
            pixels = Image();
    }
    SDL_RenderPresent(s.renderer);

    lock.lock();
    ++m_frames;
    if (readback) {
        m_readback = std::move(pixels);
        m_readback_wanted = false;
    }
    m_cv.notify_all();
}

void SdlBackend::present(const PixelView& screen, std::span<const Rect> damage) {
    {
        std::lock_guard lock(m_lock);
        if (screen.width != m_staging.width() || screen.height != m_staging.height()) {
            m_staging = Image(screen.width, screen.height);
            m_staging.view().blit(screen, screen.bounds(), 0, 0, false);
            m_full_upload = true;
            m_pending.clear();
        } else {
            for (const Rect& r : damage) {
                Rect c = r.intersect(screen.bounds());
                if (c.empty()) continue;
                m_staging.view().blit(screen, c, c.x, c.y, false);
                m_pending.push_back(c);
            }
        }
    }
    SDL_Event e{};
    e.type = wake_event_type();
    SDL_PushEvent(&e);
}

std::vector<InputEvent> SdlBackend::poll_input() {
    std::lock_guard lock(m_lock);
    std::vector<InputEvent> out(m_input.begin(), m_input.end());
    m_input.clear();
    return out;
}

Result<Image> SdlBackend::read_back(int timeout_ms) {
    std::unique_lock lock(m_lock);
    m_readback.reset();
    m_readback_wanted = true;
    lock.unlock();
    SDL_Event e{};
    e.type = wake_event_type();
    SDL_PushEvent(&e);
    lock.lock();
    if (!m_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                       [this] { return m_readback.has_value(); }))
        return err(ETIMEDOUT, "SDL read-back");
    Image img = std::move(*m_readback);
    m_readback.reset();
    if (img.width() == 0) return err(EIO, "SDL_RenderReadPixels failed");
    return img;
}

void SdlBackend::push_host_event(const void* sdl_event) {
    SDL_Event e = *static_cast<const SDL_Event*>(sdl_event);
    SDL_PushEvent(&e);
}

void SdlBackend::translate(const void* raw) {
    const SDL_Event& e = *static_cast<const SDL_Event*>(raw);
    Sdl& s = *m_sdl;
    std::vector<InputEvent> out;
    // The window may be scaled relative to the screen until the resize lands.
    auto to_screen = [&](int x, int y) {
        std::lock_guard lock(m_lock);
        int32_t sx = s.win_w > 0 ? int32_t(int64_t(x) * m_staging.width() / s.win_w) : x;
        int32_t sy = s.win_h > 0 ? int32_t(int64_t(y) * m_staging.height() / s.win_h) : y;
        return MouseInput{sx, sy};
    };
    switch (e.type) {
    case SDL_QUIT:
        out.push_back(QuitInput{});
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        if (uint8_t sc = sdl_to_orbital_scancode(e.key.keysym.scancode))
            out.push_back(KeyInput{sc, e.type == SDL_KEYDOWN, 0});
        break;
    case SDL_TEXTINPUT:
        for (const char* p = e.text.text; *p;) out.push_back(TextInput{decode_utf8(p)});
        break;
    case SDL_MOUSEMOTION:
        out.push_back(to_screen(e.motion.x, e.motion.y));
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
        uint8_t bit = e.button.button == SDL_BUTTON_LEFT ? 1
                    : e.button.button == SDL_BUTTON_MIDDLE ? 2
                    : e.button.button == SDL_BUTTON_RIGHT ? 4 : 0;
        if (!bit) break;
        m_buttons = e.type == SDL_MOUSEBUTTONDOWN ? (m_buttons | bit) : (m_buttons & ~bit);
        out.push_back(to_screen(e.button.x, e.button.y));
        out.push_back(ButtonInput{(m_buttons & 1) != 0, (m_buttons & 2) != 0, (m_buttons & 4) != 0});
        break;
    }
    case SDL_MOUSEWHEEL:
        out.push_back(ScrollInput{e.wheel.x, e.wheel.y});
        break;
    case SDL_WINDOWEVENT:
        if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            s.win_w = e.window.data1;
            s.win_h = e.window.data2;
            out.push_back(DisplayResizeInput{e.window.data1, e.window.data2});
        } else if (e.window.event == SDL_WINDOWEVENT_CLOSE) {
            out.push_back(QuitInput{});
        } else if (e.window.event == SDL_WINDOWEVENT_EXPOSED) {
            std::lock_guard lock(m_lock);
            m_full_upload = true;
        }
        break;
    default:
        break;
    }
    if (out.empty()) return;
    std::function<void()> notify;
    {
        std::lock_guard lock(m_lock);
        m_input.insert(m_input.end(), out.begin(), out.end());
        notify = m_on_input;
    }
    if (notify) notify();
}

void SdlBackend::set_input_notifier(std::function<void()> notify) {
    std::lock_guard lock(m_lock);
    m_on_input = std::move(notify);
}

} // namespace redox::orbital
