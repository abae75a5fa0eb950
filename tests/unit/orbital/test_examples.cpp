// The example programs behave as a user would expect: paint draws where the mouse
// drags, the event printer prints what it receives, hello closes on Quit.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "../../../examples/orbital/apps.h"
#include "helpers.h"

using namespace orbtest;

TEST_CASE("paint: a left-button drag leaves a black stroke on screen, right clears") {
    Desk d(desk_options(900, 500));
    auto paint = redox::examples::make_paint_app(*d.transport);
    REQUIRE(paint);
    REQUIRE(paint->step());
    // The window opens at 400,60 (client area), 400x300.
    CHECK(d.px(600, 250) == 0xFFFFFF);
    d.server->inject(MouseInput{450, 200});
    d.server->inject(ButtonInput{true});
    REQUIRE(paint->step());
    for (int x = 450; x <= 650; x += 10) {
        d.server->inject(MouseInput{x, 200});
        REQUIRE(paint->step());
    }
    d.server->inject(ButtonInput{false});
    d.server->inject(MouseInput{650, 300});   // not drawing any more
    REQUIRE(paint->step());
    for (int x = 450; x <= 650; x += 25) CHECK(d.px(x, 200) == 0x000000);
    CHECK(d.px(650, 250) == 0xFFFFFF);

    // Key 2 picks red.
    d.server->inject(KeyInput{key::K2, true, U'2'});
    d.server->inject(MouseInput{500, 300});
    d.server->inject(ButtonInput{true});
    REQUIRE(paint->step());
    d.server->inject(MouseInput{520, 300});
    REQUIRE(paint->step());
    d.server->inject(ButtonInput{false});
    REQUIRE(paint->step());
    CHECK(d.px(510, 300) == 0xDC2828);

    d.server->inject(ButtonInput{false, false, true});
    d.server->inject(ButtonInput{false, false, false});
    REQUIRE(paint->step());
    CHECK(d.px(550, 200) == 0xFFFFFF);
    // Closing it ends the program.
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(KeyInput{key::Q, true});
    d.server->inject(KeyInput{key::SUPER, false});
    CHECK_FALSE(paint->step());
}

TEST_CASE("event printer prints every event it receives, in order") {
    Desk d(desk_options(640, 480));
    std::FILE* out = std::tmpfile();
    REQUIRE(out);
    auto app = redox::examples::make_event_printer_app(*d.transport, out);
    REQUIRE(app);
    REQUIRE(app->step());
    d.server->inject(KeyInput{key::A, true, U'a'});
    d.server->inject(ScrollInput{0, 2});
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(KeyInput{key::Q, true});
    CHECK_FALSE(app->step());
    std::rewind(out);
    std::string text;
    char buf[256];
    while (std::fgets(buf, sizeof buf, out)) text += buf;
    std::fclose(out);
    CHECK(text == "event: Focus in\n"
                  "event: TextInput U+61\n"
                  "event: Key scancode=0x1E pressed\n"
                  "event: Scroll 0,2\n"
                  "event: Quit\n");
}

TEST_CASE("hello draws its greeting and exits on the close button") {
    Desk d(desk_options(640, 480));
    auto hello = redox::examples::make_hello_app(*d.transport);
    REQUIRE(hello);
    REQUIRE(hello->step());
    // Gradient at the top-left of the client area (40,60), white text near 56,76.
    CHECK(d.px(41, 61) == 0x2B4C7E);
    int white = 0;
    for (int y = 76; y < 92; ++y)
        for (int x = 56; x < 160; ++x) white += d.px(x, y) == 0xFFFFFF;
    CHECK(white > 50);
    d.server->inject(MouseInput{40 + 320 - 9, 60 - 14});
    d.server->inject(ButtonInput{true});
    d.server->inject(ButtonInput{false});
    CHECK_FALSE(hello->step());
}
