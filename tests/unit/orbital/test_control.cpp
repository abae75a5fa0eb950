// The orbital control handle's command language (src/orbital/daemon/control.h):
// what tests and `orbinput` use to inject input into a running Orbital.
#include <catch2/catch.hpp>

#include "orbital/daemon/control.h"

using namespace redox::orbital;

TEST_CASE("control lines become the input events a display would deliver", "[control]") {
    auto evs = parse_control("mouse 100 -20\nbutton 1 0 1\n\nkey 0x1E press U+61\nkey 30 release\n"
                             "text é\nscroll 0 -3\nmouse_relative 4 5\ndisplay_resize 800 600\r\nquit");
    REQUIRE(evs.has_value());
    REQUIRE(evs->size() == 9);
    auto& m = std::get<MouseInput>((*evs)[0]);
    CHECK((m.x == 100 && m.y == -20));
    auto& b = std::get<ButtonInput>((*evs)[1]);
    CHECK((b.left && !b.middle && b.right));
    auto& k = std::get<KeyInput>((*evs)[2]);
    CHECK((k.scancode == 0x1E && k.pressed && k.character == U'a'));
    auto& k2 = std::get<KeyInput>((*evs)[3]);
    CHECK((k2.scancode == 30 && !k2.pressed && k2.character == 0));
    CHECK(std::get<TextInput>((*evs)[4]).character == U'é');
    auto& s = std::get<ScrollInput>((*evs)[5]);
    CHECK((s.dx == 0 && s.dy == -3));
    auto& r = std::get<MouseRelativeInput>((*evs)[6]);
    CHECK((r.dx == 4 && r.dy == 5));
    auto& d = std::get<DisplayResizeInput>((*evs)[7]);
    CHECK((d.width == 800 && d.height == 600));
    CHECK(std::holds_alternative<QuitInput>((*evs)[8]));
}

TEST_CASE("a key without a direction is a press", "[control]") {
    auto evs = parse_control("key 0x39");
    REQUIRE(evs.has_value());
    CHECK(std::get<KeyInput>(evs->at(0)).pressed);
}

TEST_CASE("bad control lines are refused with the line named", "[control]") {
    for (const char* bad : {"key", "key 300", "key 0x1E sideways", "key 1 press U+110000", "key 1 press ab",
                            "mouse 1", "mouse a b", "button 1 0", "button 2 0 0", "scroll 1 2 3",
                            "display_resize 0 10", "quit now", "jump 1 2", "text", "text U+"}) {
        auto r = parse_control(std::string("mouse 1 1\n") + bad);
        INFO(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().context.find(bad) != std::string::npos);
    }
}
