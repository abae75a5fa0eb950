// Injected input reaches the right client, in order, with the right payloads; the
// window manager's gestures (drag, resize, maximize, close, Super shortcuts) work.
#include <catch2/catch.hpp>
#include <sstream>

#include "helpers.h"

using namespace orbtest;

namespace {

// A compact text form of events so a failing test prints what arrived.
std::string show(const std::vector<EventOption>& evs) {
    std::ostringstream out;
    for (const auto& e : evs) {
        WireEvent w = to_event(e);
        out << w.code << "(" << w.a << "," << w.b << ") ";
    }
    return out.str();
}

} // namespace

TEST_CASE("keys and text go to the focused window in order") {
    Desk d;
    auto other = d.window(200, 40, 50, 50, "other");
    auto w = d.window(10, 40, 100, 100, "w");
    drain(*w);
    drain(*other);
    d.server->inject(KeyInput{key::A, true, U'a'});
    d.server->inject(KeyInput{key::A, false});
    d.server->inject(TextInput{U'é'});
    d.server->inject(KeyInput{key::LEFT_SHIFT, true});
    d.server->inject(KeyInput{key::ENTER, true});
    auto evs = drain(*w);
    INFO(show(evs));
    REQUIRE(evs.size() == 6);
    CHECK(std::get<TextInputEvent>(evs[0]).character == U'a');
    auto k0 = std::get<KeyEvent>(evs[1]);
    CHECK((k0.scancode == key::A && k0.pressed));
    auto k1 = std::get<KeyEvent>(evs[2]);
    CHECK((k1.scancode == key::A && !k1.pressed));
    CHECK(std::get<TextInputEvent>(evs[3]).character == U'é');
    CHECK(std::get<KeyEvent>(evs[4]).scancode == key::LEFT_SHIFT);
    CHECK(std::get<KeyEvent>(evs[5]).scancode == key::ENTER);
    CHECK(drain(*other).empty());

    // With Ctrl held the character is not text.
    d.server->inject(KeyInput{key::CTRL, true});
    d.server->inject(KeyInput{key::C, true, U'c'});
    evs = drain(*w);
    REQUIRE(evs.size() == 2);
    CHECK(std::get<KeyEvent>(evs[1]).scancode == key::C);
}

TEST_CASE("mouse, buttons and scroll carry window-relative payloads") {
    Desk d;
    auto w = d.window(50, 60, 100, 80, "m");
    drain(*w);
    d.server->inject(MouseInput{60, 70});
    d.server->inject(ButtonInput{true, false, false});
    d.server->inject(MouseInput{70, 75});
    d.server->inject(ButtonInput{true, false, true});
    d.server->inject(ButtonInput{false, false, false});
    d.server->inject(ScrollInput{0, -2});
    d.server->inject(ScrollInput{1, -1});
    auto evs = drain(*w);
    INFO(show(evs));
    REQUIRE(evs.size() == 7);
    CHECK(std::get<HoverEvent>(evs[0]).entered);
    auto m0 = std::get<MouseEvent>(evs[1]);
    CHECK((m0.x == 10 && m0.y == 10));
    CHECK(std::get<ButtonEvent>(evs[2]).left);
    auto m1 = std::get<MouseEvent>(evs[3]);
    CHECK((m1.x == 20 && m1.y == 15));
    auto b1 = std::get<ButtonEvent>(evs[4]);
    CHECK((b1.left && b1.right && !b1.middle));
    auto b2 = std::get<ButtonEvent>(evs[5]);
    CHECK((!b2.left && !b2.right));
    auto s = std::get<ScrollEvent>(evs[6]);   // two scrolls coalesced
    CHECK((s.x == 1 && s.y == -3));

    // A held button keeps the mouse even outside the window (a paint stroke).
    d.server->inject(ButtonInput{true});
    d.server->inject(MouseInput{300, 200});
    d.server->inject(ButtonInput{false});
    evs = drain(*w);
    INFO(show(evs));
    REQUIRE(evs.size() >= 3);
    auto out = std::get<MouseEvent>(evs[evs.size() - 2]);
    CHECK((out.x == 250 && out.y == 140));
}

TEST_CASE("dragging the title bar moves the window and reports Move") {
    Desk d;
    auto w = d.window(50, 60, 100, 80, "drag");
    w->set(Color::rgb(255, 0, 0));
    REQUIRE(w->sync().has_value());
    drain(*w);
    d.server->inject(MouseInput{80, 45});     // title bar
    d.server->inject(ButtonInput{true});
    d.server->inject(MouseInput{100, 75});
    d.server->inject(MouseInput{120, 95});
    d.server->inject(ButtonInput{false});
    CHECK(*d.server->window_rect(w->handle()) == Rect{90, 110, 100, 80});
    auto evs = drain(*w);
    INFO(show(evs));
    bool moved = false;
    for (auto& e : evs)
        if (auto* m = std::get_if<MoveEvent>(&e)) moved = m->x == 90 && m->y == 110;
    CHECK(moved);
    CHECK(w->x() == 90);
    CHECK(d.px(95, 115) == 0xFF0000);
    CHECK(d.px(55, 65) == rgb(kBackground));

    // Super + drag anywhere in the window moves it too.
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(MouseInput{100, 150});
    d.server->inject(ButtonInput{true});
    d.server->inject(MouseInput{90, 150});
    d.server->inject(ButtonInput{false});
    d.server->inject(KeyInput{key::SUPER, false});
    CHECK(d.server->window_rect(w->handle())->x == 80);
}

TEST_CASE("resize border, maximize button and Resize events remap the client") {
    Desk d;
    auto w = d.window(50, 60, 100, 80, "rs", kFlagResizable);
    drain(*w);
    d.server->inject(MouseInput{153, 100});   // right resize strip
    d.server->inject(ButtonInput{true});
    d.server->inject(MouseInput{173, 120});
    d.server->inject(ButtonInput{false});
    CHECK(*d.server->window_rect(w->handle()) == Rect{50, 60, 120, 80});
    auto evs = drain(*w);
    INFO(show(evs));
    REQUIRE(std::any_of(evs.begin(), evs.end(), [](auto& e) {
        auto* r = std::get_if<ResizeEvent>(&e);
        return r && r->width == 120 && r->height == 80;
    }));
    // The client now draws into the new, larger buffer.
    CHECK(w->width() == 120);
    w->set(Color::rgb(0, 255, 0));
    REQUIRE(w->sync().has_value());
    CHECK(d.px(165, 130) == 0x00FF00);

    // Maximize button: left of close, in the title bar.
    Rect max = {50 + 120 - 36, 60 - 28, 18, 28};
    d.server->inject(MouseInput{max.x + 5, max.y + 5});
    d.server->inject(ButtonInput{true});
    d.server->inject(ButtonInput{false});
    CHECK(*d.server->window_rect(w->handle()) == Rect{0, 28, 320, 164});
    CHECK((*d.server->window_flags(w->handle()) & kFlagMaximized) != 0);
    drain(*w);
    CHECK(w->width() == 320);
    // Super+M restores.
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(KeyInput{key::M, true});
    d.server->inject(KeyInput{key::M, false});
    d.server->inject(KeyInput{key::SUPER, false});
    CHECK(*d.server->window_rect(w->handle()) == Rect{50, 60, 120, 80});
}

TEST_CASE("close button and Super+Q send Quit; unclosable windows never get it") {
    Desk d;
    auto lock = d.window(150, 60, 100, 80, "locked", kFlagUnclosable);
    auto w = d.window(10, 60, 100, 80, "q");
    drain(*w);
    drain(*lock);
    d.server->inject(MouseInput{10 + 100 - 9, 60 - 14});   // close button
    d.server->inject(ButtonInput{true});
    d.server->inject(ButtonInput{false});
    auto evs = drain(*w);
    INFO(show(evs));
    CHECK(std::count_if(evs.begin(), evs.end(),
                        [](auto& e) { return std::holds_alternative<QuitEvent>(e); }) == 1);
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(KeyInput{key::Q, true});
    d.server->inject(KeyInput{key::SUPER, false});
    evs = drain(*w);
    CHECK(std::holds_alternative<QuitEvent>(evs.back()));

    d.server->inject(MouseInput{240, 46});   // where a close button would be
    d.server->inject(ButtonInput{true});
    d.server->inject(ButtonInput{false});
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(KeyInput{key::Q, true});
    d.server->inject(KeyInput{key::SUPER, false});
    for (auto& e : drain(*lock)) CHECK_FALSE(std::holds_alternative<QuitEvent>(e));
    CHECK(d.server->focused() == lock->handle());
}

TEST_CASE("Super+Tab cycles focus through titled windows and the screen follows") {
    Desk d;
    auto a = d.window(20, 60, 100, 100, "a");
    a->set(Color::rgb(255, 0, 0));
    REQUIRE(a->sync().has_value());
    auto b = d.window(40, 80, 100, 100, "b");
    b->set(Color::rgb(0, 255, 0));
    REQUIRE(b->sync().has_value());
    auto c = d.window(60, 100, 100, 100, "c");
    c->set(Color::rgb(0, 0, 255));
    REQUIRE(c->sync().has_value());
    CHECK(d.px(90, 130) == 0x0000FF);
    drain(*a);
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(KeyInput{key::TAB, true});
    d.server->inject(KeyInput{key::TAB, false});
    CHECK(d.server->focused() == a->handle());
    CHECK(d.px(90, 130) == 0xFF0000);
    d.server->inject(KeyInput{key::TAB, true});
    CHECK(d.server->focused() == b->handle());
    CHECK(d.px(90, 130) == 0x00FF00);
    d.server->inject(KeyInput{key::SUPER, false});
    // a got Focus(true) then Focus(false); no Tab key leaked to it.
    auto evs = drain(*a);
    INFO(show(evs));
    REQUIRE(evs.size() == 2);
    CHECK(std::get<FocusEvent>(evs[0]).focused);
    CHECK_FALSE(std::get<FocusEvent>(evs[1]).focused);
    // Unhandled Super combos reach the first window with the flag bit.
    drain(*a);
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(KeyInput{key::K, true});
    d.server->inject(KeyInput{key::SUPER, false});
    evs = drain(*a);
    REQUIRE(evs.size() == 1);
    CHECK(std::get<UnknownEvent>(evs[0]).code == (kEventKey | kEventSuperBit));
}

TEST_CASE("display resize sends Screen to every window; host quit stops the server") {
    Desk d;
    auto a = d.window(10, 40, 50, 50, "a");
    auto b = d.window(100, 40, 50, 50, "b", kFlagResizable | kFlagMaximized);
    drain(*a);
    drain(*b);
    d.server->inject(DisplayResizeInput{640, 480});
    CHECK(d.server->screen().width() == 640);
    auto ea = drain(*a);
    REQUIRE(ea.size() == 1);
    auto sc = std::get<ScreenEvent>(ea[0]);
    CHECK((sc.width == 640 && sc.height == 480));
    // The maximized window follows the new usable area.
    CHECK(*d.server->window_rect(b->handle()) == Rect{0, 28, 640, 480 - 48 - 28});
    drain(*b);
    CHECK(b->width() == 640);
    CHECK(d.px(639, 479) == rgb(kBackground));
    CHECK_FALSE(d.server->quit_requested());
    d.server->inject(QuitInput{});
    CHECK(d.server->quit_requested());
}

TEST_CASE("relative mouse mode and clipboard shortcuts") {
    Desk d;
    auto w = d.window(10, 40, 100, 100, "r");
    REQUIRE(w->set_mouse_relative(true).has_value());
    REQUIRE(w->set_clipboard("xyz").has_value());
    drain(*w);
    d.server->inject(MouseRelativeInput{3, -4});
    d.server->inject(MouseRelativeInput{1, 1});
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(KeyInput{key::V, true});
    d.server->inject(KeyInput{key::SUPER, false});
    auto evs = drain(*w);
    INFO(show(evs));
    REQUIRE(evs.size() == 2);
    auto r = std::get<MouseRelativeEvent>(evs[0]);
    CHECK((r.dx == 4 && r.dy == -3));
    auto c = std::get<ClipboardEvent>(evs[1]);
    CHECK((c.action == ClipboardAction::Paste && c.size == 3));
}
