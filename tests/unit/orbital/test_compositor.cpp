// What ends up on screen: windows drawn by clients through orbclient, composited,
// saved as PNG and compared pixel by pixel.
#include <catch2/catch.hpp>
#include <filesystem>

#include "helpers.h"
#include "orbital/backend/headless.h"
#include "orbital/core/png_io.h"
#include "orbital/server/decorations.h"

using namespace orbtest;

TEST_CASE("a drawn window appears in the screenshot, exact for solid areas") {
    Desk d;
    auto w = d.window(20, 40, 100, 60, "Hello");
    w->set(Color::rgb(255, 0, 0));
    w->rect(10, 10, 20, 20, Color::rgb(0, 255, 0));
    REQUIRE(w->sync().has_value());

    std::string dir = temp_dir();
    REQUIRE(d.server->screenshot(dir + "/shot.png").has_value());
    auto shot = read_png(dir + "/shot.png");
    REQUIRE(shot.has_value());
    REQUIRE(shot->width() == 320);
    REQUIRE(shot->height() == 240);
    auto at = [&](int x, int y) { return rgb(shot->at(x, y)); };
    CHECK(at(0, 0) == rgb(kBackground));
    CHECK(at(319, 239) == rgb(kBackground));
    CHECK(at(20, 40) == 0xFF0000);          // window origin
    CHECK(at(119, 99) == 0xFF0000);         // last window pixel
    CHECK(at(120, 99) == rgb(kBackground));
    CHECK(at(35, 55) == 0x00FF00);          // the green square
    // Title bar above the client area in the focused colour, away from the text.
    CHECK(at(100, 40 - 28) == rgb(kBarFocused));
    CHECK(at(20, 39) == rgb(kBarFocused));
    // The title text is drawn in white somewhere in the bar.
    int white = 0;
    for (int y = 12; y < 40; ++y)
        for (int x = 20; x < 80; ++x) white += at(x, y) == 0xFFFFFF;
    CHECK(white > 20);
    std::filesystem::remove_all(dir);
}

TEST_CASE("nothing changes on screen until the client syncs or damages") {
    Desk d;
    auto w = d.window(20, 40, 50, 50);
    w->set(Color::rgb(0, 0, 255));
    REQUIRE(w->sync().has_value());
    CHECK(d.px(30, 50) == 0x0000FF);
    w->set(Color::rgb(255, 255, 0));
    CHECK(d.px(30, 50) == 0x0000FF);   // drawn but not presented
    Rect part{0, 0, 10, 10};
    REQUIRE(w->update_rects(std::span(&part, 1)).has_value());
    CHECK(d.px(25, 45) == 0xFFFF00);   // damaged part updated
    CHECK(d.px(45, 75) == 0x0000FF);   // the rest is still the old frame
}

TEST_CASE("z-order, focus and moves show in the composited screen") {
    Desk d;
    auto a = d.window(20, 40, 100, 100, "a");
    a->set(Color::rgb(255, 0, 0));
    REQUIRE(a->sync().has_value());
    auto b = d.window(60, 80, 100, 100, "b");
    b->set(Color::rgb(0, 0, 255));
    REQUIRE(b->sync().has_value());
    CHECK(d.px(80, 100) == 0x0000FF);      // b opened last: on top
    CHECK(d.px(30, 50) == 0xFF0000);
    CHECK(d.px(70, 50 - 28) == rgb(kBar)); // a's bar unfocused
    CHECK(d.server->focused() == b->handle());

    // Clicking a's visible part raises and focuses it.
    d.server->inject(MouseInput{30, 50});
    d.server->inject(ButtonInput{true});
    d.server->inject(ButtonInput{false});
    CHECK(d.server->focused() == a->handle());
    CHECK(d.px(80, 100) == 0xFF0000);
    CHECK(d.px(150, 170) == 0x0000FF);
    CHECK(d.px(70, 40 - 20) == rgb(kBarFocused));

    // Moving a leaves background where it was.
    REQUIRE(a->set_pos(200, 150).has_value());
    CHECK(d.px(30, 50) == rgb(kBackground));
    CHECK(d.px(80, 100) == 0x0000FF);
    CHECK(d.px(210, 160) == 0xFF0000);
}

TEST_CASE("bands: back windows stay below, front windows above") {
    Desk d;
    auto front = d.window(10, 40, 60, 60, "f", kFlagFront);
    front->set(Color::rgb(0, 255, 0));
    REQUIRE(front->sync().has_value());
    auto back = d.window(0, 0, 320, 240, "", kFlagBack | kFlagBorderless);
    back->set(Color::rgb(9, 9, 9));
    REQUIRE(back->sync().has_value());
    auto normal = d.window(30, 60, 60, 60, "n");
    normal->set(Color::rgb(255, 0, 0));
    REQUIRE(normal->sync().has_value());
    CHECK(d.px(300, 230) == 0x090909);
    CHECK(d.px(40, 70) == 0x00FF00);   // front over normal although normal is newer
    CHECK(d.px(80, 110) == 0xFF0000);
    REQUIRE(d.server->z_order().size() == 3);
    CHECK(d.server->z_order().front() == back->handle());
    CHECK(d.server->z_order().back() == front->handle());
}

TEST_CASE("hidden, borderless and transparent windows") {
    Desk d;
    auto hidden = d.window(10, 40, 50, 50, "h", kFlagHidden);
    hidden->set(Color::rgb(255, 0, 0));
    REQUIRE(hidden->sync().has_value());
    CHECK(d.px(20, 50) == rgb(kBackground));
    CHECK(d.px(20, 20) == rgb(kBackground));   // no title bar either
    REQUIRE(hidden->set_flag(kFlagHidden, false).has_value());
    CHECK(d.px(20, 50) == 0xFF0000);
    CHECK(d.px(20, 20) != rgb(kBackground));

    auto borderless = d.window(100, 40, 50, 50, "b", kFlagBorderless);
    borderless->set(Color::rgb(0, 255, 0));
    REQUIRE(borderless->sync().has_value());
    CHECK(d.px(120, 50) == 0x00FF00);
    CHECK(d.px(120, 39) == rgb(kBackground));

    auto glass = d.window(200, 40, 50, 50, "t", kFlagTransparent);
    glass->set_mode(Mode::Overwrite);
    glass->set(Color::rgba(255, 255, 255, 0));        // fully clear
    glass->rect(0, 0, 25, 50, Color::rgba(255, 255, 255, 128));
    REQUIRE(glass->sync().has_value());
    CHECK(d.px(240, 60) == rgb(kBackground));
    uint32_t half = d.px(210, 60);
    CHECK(((half >> 16) & 0xFF) == 144);   // (255*128 + 0x20*127) / 255, rounded
}

TEST_CASE("background colour and image come from the config") {
    std::string dir = temp_dir();
    Image bg(2, 2, 0xFF000000);
    bg.pixels()[0] = 0xFFFF0000; bg.pixels()[1] = 0xFF00FF00;
    bg.pixels()[2] = 0xFF0000FF; bg.pixels()[3] = 0xFFFFFFFF;
    REQUIRE(write_png(dir + "/bg.png", bg.view()).has_value());
    {
        std::FILE* f = std::fopen((dir + "/orbital.toml").c_str(), "w");
        std::fputs("background_color = { data = 0xFF445566 }\nbackground_image = \"bg.png\"\n", f);
        std::fclose(f);
    }
    auto cfg = OrbitalConfig::load(dir + "/orbital.toml");
    REQUIRE(cfg.has_value());
    ServerOptions o = desk_options(100, 100);
    o.config = *cfg;
    auto s = OrbitalServer::create(o);
    REQUIRE(s.has_value());
    (*s)->composite();
    CHECK(rgb((*s)->screen().at(10, 10)) == 0xFF0000);   // stretched quadrants
    CHECK(rgb((*s)->screen().at(90, 10)) == 0x00FF00);
    CHECK(rgb((*s)->screen().at(10, 90)) == 0x0000FF);
    CHECK(rgb((*s)->screen().at(90, 90)) == 0xFFFFFF);

    o.config.background_image.clear();
    auto plain = OrbitalServer::create(o);
    (*plain)->composite();
    CHECK(rgb((*plain)->screen().at(50, 50)) == 0x445566);

    o.config.background_image = dir + "/missing.png";
    CHECK_FALSE(OrbitalServer::create(o).has_value());
    std::filesystem::remove_all(dir);
}

TEST_CASE("the software cursor is drawn on top and follows the mouse") {
    ServerOptions o = desk_options();
    o.software_cursor = true;
    Desk d(o);
    d.server->inject(MouseInput{100, 100});
    CHECK(d.px(100, 100) == 0x000000);   // outline tip
    CHECK(d.px(101, 105) == 0xFFFFFF);   // inside
    d.server->inject(MouseInput{200, 150});
    CHECK(d.px(101, 105) == rgb(kBackground));   // old cursor erased
    CHECK(d.px(201, 155) == 0xFFFFFF);
    auto w = d.window(180, 130, 60, 60, "c");
    w->set(Color::rgb(0, 255, 0));
    REQUIRE(w->sync().has_value());
    CHECK(d.px(201, 155) == 0xFFFFFF);          // cursor above windows
    REQUIRE(w->set_mouse_cursor(false).has_value());
    CHECK(d.px(201, 155) == 0x00FF00);          // the window hid it
}

TEST_CASE("headless backend shows only what was presented") {
    Desk d;
    HeadlessBackend display(320, 240);
    auto w = d.window(10, 40, 30, 30);
    w->set(Color::rgb(1, 2, 3));
    REQUIRE(w->sync().has_value());
    auto rects = d.server->composite();
    CHECK_FALSE(rects.empty());
    display.present(d.server->screen().view(), rects);
    CHECK(rgb(display.frame().at(15, 45)) == 0x010203);
    CHECK(rgb(display.frame().at(300, 200)) == rgb(kBackground));
    CHECK(display.frames_presented() == 1);
    CHECK(d.server->composite().empty());   // nothing left to do
}

TEST_CASE("renderer primitives hit the pixels they promise") {
    Desk d;
    auto w = d.window(0, 30, 64, 64, "r");
    w->set_mode(Mode::Overwrite);
    w->clear();
    CHECK(w->getpixel(5, 5) == Color::rgb(0, 0, 0));
    w->line(0, 0, 63, 63, Color::rgb(255, 255, 255));
    for (int i = 0; i < 64; ++i) CHECK(w->getpixel(i, i) == Color::rgb(255, 255, 255));
    CHECK(w->getpixel(1, 0) == Color::rgb(0, 0, 0));

    w->clear();
    w->circle(32, 32, 10, Color::rgb(255, 0, 0));
    CHECK(w->getpixel(42, 32) == Color::rgb(255, 0, 0));
    CHECK(w->getpixel(32, 22) == Color::rgb(255, 0, 0));
    CHECK(w->getpixel(32, 32) == Color::rgb(0, 0, 0));   // outline only
    w->circle(32, 32, -5, Color::rgb(0, 255, 0));
    CHECK(w->getpixel(32, 32) == Color::rgb(0, 255, 0));
    CHECK(w->getpixel(36, 32) == Color::rgb(0, 255, 0));
    CHECK(w->getpixel(32, 38) == Color::rgb(0, 0, 0));
    w->clear();
    w->arc(32, 32, -8, 0x0F, Color::rgb(0, 0, 255));   // lower half only
    CHECK(w->getpixel(32, 36) == Color::rgb(0, 0, 255));
    CHECK(w->getpixel(32, 28) == Color::rgb(0, 0, 0));

    w->linear_gradient(Rect{0, 0, 64, 1}, 0, 0, 63, 0, Color::rgb(0, 0, 0), Color::rgb(252, 0, 0));
    CHECK(w->getpixel(0, 0).r() == 0);
    CHECK(w->getpixel(63, 0).r() == 252);
    CHECK(w->getpixel(21, 0).r() == 84);

    std::vector<Color> img(4, Color::rgba(0, 0, 255, 128));
    w->image(60, 60, 2, 2, img);   // clipped at the edge, overwrite keeps alpha
    CHECK(w->getpixel(61, 61) == Color::rgba(0, 0, 255, 128));
    w->set_mode(Mode::Blend);
    w->rect(0, 10, 4, 4, Color::rgb(200, 200, 200));
    w->rect(0, 10, 4, 4, Color::rgba(0, 0, 0, 0));     // alpha 0 leaves it
    CHECK(w->getpixel(1, 11) == Color::rgb(200, 200, 200));
    w->rect(0, 20, 8, 16, Color::rgb(0, 0, 0));
    CHECK(w->text(0, 20, "I", Color::rgb(255, 255, 255)) == 8);
    CHECK(w->getpixel(3, 20 + 1) == Color::rgb(255, 255, 255));   // top of 'I'
}
