// The compositor skips what opaque windows hide; the result must equal plain
// back-to-front painting for any stack of windows and any damage.
#include <catch2/catch.hpp>
#include <random>

#include "helpers.h"
#include "orbital/server/compositor.h"
#include "orbital/server/decorations.h"

using namespace orbtest;

TEST_CASE("occlusion-clipped compositing equals naive painting") {
    std::mt19937 rng(777);
    OrbitalConfig cfg = desk_options().config;
    cfg.bar_color = 0xC0102030;   // translucent bars: what is below must still be right
    Compositor comp;
    comp.set_config(cfg);
    for (int round = 0; round < 40; ++round) {
        std::vector<std::unique_ptr<ServerWindow>> owned;
        std::vector<const ServerWindow*> stack;
        int n = 1 + int(rng() % 8);
        for (int i = 0; i < n; ++i) {
            auto w = std::make_unique<ServerWindow>();
            w->id = uint64_t(i + 1);
            w->rect = {int32_t(rng() % 300) - 40, int32_t(rng() % 220) - 20,
                       1 + int32_t(rng() % 200), 1 + int32_t(rng() % 150)};
            uint32_t r = rng();
            if (r % 3 == 0) w->flags |= kFlagTransparent;
            if (r % 7 == 0) w->flags |= kFlagHidden;
            if (r % 5 == 0) w->flags |= kFlagBorderless;
            w->title = "w" + std::to_string(i);
            w->pixels = *SharedPixels::create(w->rect.w, w->rect.h);
            PixelView v = w->pixels.view();
            for (int32_t y = 0; y < v.height; ++y)
                for (int32_t x = 0; x < v.width; ++x) v.row(y)[x] = rng();
            stack.push_back(w.get());
            owned.push_back(std::move(w));
        }
        Rect area{int32_t(rng() % 200), int32_t(rng() % 150), 1 + int32_t(rng() % 320),
                  1 + int32_t(rng() % 240)};
        uint64_t focused = 1 + rng() % uint64_t(n);

        Image got(320, 240, 0xFF00FF00), want(320, 240, 0xFF00FF00);
        comp.paint(got.view(), area, stack, focused, CursorState{0, 0, false});
        // Reference: everything, back to front, clipped only to the damaged area.
        Rect a = area.intersect(want.view().bounds());
        want.view().fill(a, cfg.background_color);
        for (const ServerWindow* w : stack) {
            if (w->hidden()) continue;
            decor::draw_title(want.view(), *w, w->id == focused, cfg, a);
            Rect part = w->rect.intersect(a);
            if (!part.empty())
                want.view().blit(w->pixels.view(), {part.x - w->rect.x, part.y - w->rect.y, part.w, part.h},
                                 part.x, part.y, w->has(kFlagTransparent));
        }
        int bad = 0;
        for (int32_t y = 0; y < 240; ++y)
            for (int32_t x = 0; x < 320; ++x) bad += got.at(x, y) != want.at(x, y);
        INFO("round " << round << " windows " << n);
        CHECK(bad == 0);
    }
}
