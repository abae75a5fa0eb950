// bench-orbital: headless 1920x1080 Orbital with 8 windows.
//   full-screen composites/s and damage-only updates/s, each as a ratio to a plain
//   memcpy of one frame measured in the same run (goal: >= 240 full frames/s);
//   input-event-to-pixel latency: inject a click, a client draws at the cursor and
//   damages that rect, Orbital composites and presents, the pixel is checked on the
//   display (goal: <= one 60 Hz frame, 16.7 ms).
// Single-threaded; run `taskset -c 0 bench-orbital` to hold it to one core.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "orbital/backend/headless.h"
#include "orbital/client/inprocess_transport.h"
#include "orbital/client/window.h"
#include "orbital/server/server.h"

using namespace redox::orbital;
using namespace redox::orbclient;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr int32_t kW = 1920, kH = 1080;

// Seconds per call of f, measured over at least `min_s` seconds.
template <typename F>
double per_call(F&& f, double min_s = 1.0) {
    for (int i = 0; i < 3; ++i) f();   // warm up
    int64_t n = 0;
    auto start = clock_type::now();
    double elapsed = 0;
    do {
        for (int i = 0; i < 10; ++i) f();
        n += 10;
        elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
    } while (elapsed < min_s);
    return elapsed / double(n);
}

int fail(const char* what, const redox::Error& e) {
    std::fprintf(stderr, "bench-orbital: %s: %s\n", what, e.message().c_str());
    return 1;
}

} // namespace

int main() {
    ServerOptions opts;
    opts.width = kW;
    opts.height = kH;
    opts.config.background_color = 0xFF204060;
    auto server_r = OrbitalServer::create(opts);
    if (!server_r) return fail("server", server_r.error());
    OrbitalServer& server = **server_r;
    HeadlessBackend display(kW, kH);
    InProcessTransport transport(server);

    // Eight 640x480 windows spread over the screen, one of them transparent.
    std::vector<std::unique_ptr<Window>> windows;
    for (int i = 0; i < 8; ++i) {
        int32_t x = 40 + (i % 4) * 460, y = 60 + (i / 4) * 500;
        uint32_t flags = i == 7 ? uint32_t(kFlagTransparent) : 0u;
        auto w = Window::create(transport, x, y, 640, 480, "window " + std::to_string(i), flags);
        if (!w) return fail("window", w.error());
        (*w)->set(Color::rgba(uint8_t(30 * i), uint8_t(255 - 30 * i), 128, i == 7 ? 200 : 255));
        (void)(*w)->sync();
        windows.push_back(std::move(*w));
    }
    display.present(server.screen().view(), server.composite());

    // Baseline: one frame copied with memcpy.
    std::vector<uint32_t> src(size_t(kW) * kH, 0x11223344), dst(size_t(kW) * kH);
    double t_memcpy = per_call([&] {
        std::memcpy(dst.data(), src.data(), src.size() * 4);
        src[dst[12345] & 1023] ^= 1;   // keep the copy observable
    });

    // Full screen: everything damaged, composited and presented.
    double t_full = per_call([&] {
        server.damage_all();
        auto rects = server.composite();
        display.present(server.screen().view(), rects);
    });
    double t_full_compose = per_call([&] {
        server.damage_all();
        server.composite();
    });

    // Damage only: one client updates a 64x64 area per frame.
    Window& w0 = *windows[0];
    int tick = 0;
    double t_damage = per_call([&] {
        Rect r{(tick * 64) % 576, 64, 64, 64};
        w0.rect(r.x, r.y, r.w, r.h, Color::rgb(uint8_t(tick), 0, 0));
        (void)w0.update_rects(std::span(&r, 1));
        auto rects = server.composite();
        display.present(server.screen().view(), rects);
        ++tick;
    });

    // Input to pixel: click inside window 1 (the focused top one after a click),
    // the client reacts by painting 8x8 at the click, Orbital shows it.
    Window& w1 = *windows[1];
    std::vector<double> lat;
    for (int i = 0; i < 2000; ++i) {
        int32_t cx = w1.x() + 20 + (i * 7) % 600, cy = w1.y() + 20 + (i * 13) % 440;
        uint32_t color = 0xFF000000u | uint32_t(i * 2654435761u) >> 8;
        auto t0 = clock_type::now();
        server.inject(MouseInput{cx, cy});
        server.inject(ButtonInput{true});
        server.inject(ButtonInput{false});
        auto evs = w1.events();
        int32_t mx = -1, my = -1;
        bool clicked = false;
        for (auto& e : evs.value()) {
            if (auto* m = std::get_if<MouseEvent>(&e)) { mx = m->x; my = m->y; }
            if (auto* b = std::get_if<ButtonEvent>(&e); b && b->left) clicked = true;
        }
        if (clicked && mx >= 0) {
            w1.rect(mx, my, 8, 8, Color{color});
            Rect r{mx, my, 8, 8};
            (void)w1.update_rects(std::span(&r, 1));
        }
        auto rects = server.composite();
        display.present(server.screen().view(), rects);
        auto t1 = clock_type::now();
        // (cx+6, cy+1) is inside the 8x8 square but outside the cursor arrow.
        if (display.frame().at(cx + 6, cy + 1) != color) {
            std::fprintf(stderr, "bench-orbital: click %d at %d,%d did not reach the display\n", i, cx, cy);
            return 1;
        }
        lat.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(lat.begin(), lat.end());

    std::printf("orbital headless %dx%d, 8 windows of 640x480 (1 transparent), 1 thread\n", kW, kH);
    std::printf("  baseline memcpy of one frame      %8.3f ms  (%7.1f frames/s)\n", t_memcpy * 1e3, 1 / t_memcpy);
    std::printf("  full-screen composite             %8.3f ms  (%7.1f frames/s)  %.2fx memcpy time\n",
                t_full_compose * 1e3, 1 / t_full_compose, t_full_compose / t_memcpy);
    std::printf("  full-screen composite + present   %8.3f ms  (%7.1f frames/s)  %.2fx memcpy time  goal >= 240/s: %s\n",
                t_full * 1e3, 1 / t_full, t_full / t_memcpy, 1 / t_full >= 240 ? "met" : "NOT met");
    std::printf("  damage-only update (64x64)        %8.3f ms  (%7.0f updates/s) %.3fx memcpy time\n",
                t_damage * 1e3, 1 / t_damage, t_damage / t_memcpy);
    std::printf("  input-to-pixel latency            median %.1f us, p99 %.1f us, max %.1f us  goal <= 16667 us: %s\n",
                lat[lat.size() / 2], lat[lat.size() * 99 / 100], lat.back(),
                lat[lat.size() * 99 / 100] <= 16667 ? "met" : "NOT met");
    return 0;
}
