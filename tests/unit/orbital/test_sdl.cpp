// The real window path: SDL2 under Xvfb. Pixels go server -> SDL texture -> renderer
// and are read back from the renderer; synthetic host events come back as orbital
// events at the client.
#include <algorithm>
#include <SDL2/SDL.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "helpers.h"
#include "orbital/backend/sdl.h"

using namespace orbtest;

namespace {

void present(OrbitalServer& s, SdlBackend& b) {
    auto rects = s.composite();
    b.present(s.screen().view(), rects);
}

// Feeds host input into the server until `done` holds or two seconds pass.
template <typename Pred>
bool pump_until(OrbitalServer& s, SdlBackend& b, Pred done) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < end) {
        for (const InputEvent& ev : b.poll_input()) s.inject(ev);
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

} // namespace

TEST_CASE("SDL2 backend shows composited pixels and turns host input into events") {
    auto backend = SdlBackend::create(320, 240, "orbital test");
    if (!backend) FAIL("SdlBackend::create: " << backend.error().message());
    SdlBackend& sdl = **backend;
    Desk d;
    auto w = d.window(20, 40, 100, 60, "sdl");
    w->set(Color::rgb(255, 0, 0));
    REQUIRE(w->sync().has_value());
    present(*d.server, sdl);

    auto shot = sdl.read_back();
    REQUIRE(shot.has_value());
    REQUIRE(shot->width() == 320);
    REQUIRE(shot->height() == 240);
    CHECK(rgb(shot->at(30, 50)) == 0xFF0000);
    CHECK(rgb(shot->at(119, 99)) == 0xFF0000);
    CHECK(rgb(shot->at(300, 200)) == rgb(kBackground));
    CHECK(rgb(shot->at(60, 20)) == rgb(kBarFocused));

    // A damage-only update: just the green square is uploaded.
    w->rect(0, 0, 10, 10, Color::rgb(0, 255, 0));
    Rect r{0, 0, 10, 10};
    REQUIRE(w->update_rects(std::span(&r, 1)).has_value());
    auto rects = d.server->composite();
    REQUIRE(rects.size() == 1);
    CHECK(rects[0] == Rect{20, 40, 10, 10});
    sdl.present(d.server->screen().view(), rects);
    shot = sdl.read_back();
    REQUIRE(shot.has_value());
    CHECK(rgb(shot->at(25, 45)) == 0x00FF00);
    CHECK(rgb(shot->at(35, 55)) == 0xFF0000);

    drain(*w);
    SDL_Event e{};
    e.type = SDL_MOUSEMOTION;
    e.motion.x = 60;
    e.motion.y = 70;
    sdl.push_host_event(&e);
    e = {};
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = 60;
    e.button.y = 70;
    sdl.push_host_event(&e);
    e = {};
    e.type = SDL_KEYDOWN;
    e.key.keysym.scancode = SDL_SCANCODE_B;
    sdl.push_host_event(&e);
    e = {};
    e.type = SDL_TEXTINPUT;
    std::strcpy(e.text.text, "b");
    sdl.push_host_event(&e);
    e = {};
    e.type = SDL_MOUSEWHEEL;
    e.wheel.y = -1;
    sdl.push_host_event(&e);

    std::vector<EventOption> got;
    bool all = pump_until(*d.server, sdl, [&] {
        for (auto& ev : drain(*w)) {
            // The X server may report its own pointer's motion over the new window
            // at any time; only the injected motion (to 40,30 in the window) counts,
            // once: when the X pointer happens to sit on the same spot its motion
            // reads the same as ours.
            if (auto* m = std::get_if<MouseEvent>(&ev); m && !(m->x == 40 && m->y == 30)) continue;
            auto seen = [&](size_t kind) {
                return std::any_of(got.begin(), got.end(), [&](const EventOption& g) { return g.index() == kind; });
            };
            if ((std::holds_alternative<MouseEvent>(ev) || std::holds_alternative<HoverEvent>(ev)) && seen(ev.index()))
                continue;
            got.push_back(ev);
        }
        return !got.empty() && std::holds_alternative<ScrollEvent>(got.back());
    });
    REQUIRE(all);
    // In order: hover + mouse, button, key, text, scroll.
    std::vector<size_t> kinds;
    for (auto& ev : got) kinds.push_back(ev.index());
    auto idx = [&](auto probe) { return EventOption(probe).index(); };
    std::vector<size_t> want = {idx(HoverEvent{}), idx(MouseEvent{}), idx(ButtonEvent{}),
                                idx(KeyEvent{}), idx(TextInputEvent{}), idx(ScrollEvent{})};
    CHECK(kinds == want);
    if (kinds == want) {
        CHECK(std::get<MouseEvent>(got[1]).x == 40);
        CHECK(std::get<MouseEvent>(got[1]).y == 30);
        CHECK(std::get<ButtonEvent>(got[2]).left);
        CHECK(std::get<KeyEvent>(got[3]).scancode == key::B);
        CHECK(std::get<TextInputEvent>(got[4]).character == U'b');
        CHECK(std::get<ScrollEvent>(got[5]).y == -1);
    }

    e = {};
    e.type = SDL_QUIT;
    sdl.push_host_event(&e);
    CHECK(pump_until(*d.server, sdl, [&] { return d.server->quit_requested(); }));
    CHECK(sdl.frames_presented() >= 2);
}
