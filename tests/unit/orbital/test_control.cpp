// The input command language of inputd's producer API (src/daemons/inputd/producer.h),
// what `sim input`, `orbinput` and tests inject, and how Orbital decodes the events its
// consumer reads back (src/orbital/server/input_wire.h).
#include <catch2/catch.hpp>

#include "daemons/inputd/producer.h"
#include "orbital/server/input_wire.h"

using namespace redox::orbital;
namespace input = redox::input;

namespace {

// Parses, then decodes what inputd would hand Orbital.
redox::Result<std::vector<InputEvent>> parse_control(std::string_view text) {
    auto wire = input::parse_commands(text);
    if (!wire) return std::unexpected(wire.error());
    std::vector<InputEvent> out;
    for (const input::Event& e : *wire) {
        auto ev = from_wire(e);
        REQUIRE(ev.has_value());
        CHECK(to_wire(*ev) == e);
        out.push_back(*ev);
    }
    return out;
}

} // namespace

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

TEST_CASE("events are orbclient's 24-byte Event with the documented payloads", "[control]") {
    auto w = input::parse_commands("key 0x1E press U+61\nbutton 1 1 0\nmouse -5 7\nquit");
    REQUIRE(w.has_value());
    REQUIRE(w->size() == 4);
    CHECK((*w)[0] == input::Event{1, 0x61, 0x11E});
    CHECK((*w)[1] == input::Event{3, 3, 0});
    CHECK((*w)[2] == input::Event{2, -5, 7});
    CHECK((*w)[3] == input::Event{5, 0, 0});
}

TEST_CASE("events a producer does not send are not decoded", "[control]") {
    CHECK_FALSE(from_wire({6, 1, 0}).has_value());             // Focus is Orbital's own
    CHECK_FALSE(from_wire({1, -1, 0x11E}).has_value());        // not a character
    CHECK_FALSE(from_wire({2, int64_t(1) << 40, 0}).has_value());
    CHECK_FALSE(from_wire({8, 0, 600}).has_value());           // a display of width 0
}
