// The orbital scheme surface: open paths, fpath, commands, reads, clipboard, events.
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>

#include "helpers.h"
#include "orbital/client/event.h"

using namespace orbtest;

namespace {

std::vector<WireEvent> read_all(OrbitalServer& s, uint64_t id) {
    std::vector<WireEvent> out;
    WireEvent buf[16];
    auto n = s.read(id, std::as_writable_bytes(std::span(buf)));
    if (!n) return out;
    out.assign(buf, buf + *n / sizeof(WireEvent));
    return out;
}

} // namespace

TEST_CASE("open parses flags, position, size and a title containing slashes") {
    Desk d;
    auto id = d.server->open("rt/10/40/100/50/a/b/c", 0);
    REQUIRE(id.has_value());
    CHECK(*d.server->window_rect(*id) == Rect{10, 40, 100, 50});
    CHECK(*d.server->window_flags(*id) == (kFlagResizable | kFlagTransparent));
    CHECK(*d.server->fpath(*id) == "rt/10/40/100/50/a/b/c");

    // No flags: path starts with a digit, a '-', or an empty flags segment.
    auto a = d.server->open("5/30/20/20/plain", 0);
    REQUIRE(a.has_value());
    CHECK(*d.server->fpath(*a) == "/5/30/20/20/plain");
    auto b = d.server->open("/5/30/20/20/x", 0);
    REQUIRE(b.has_value());
    CHECK(*d.server->window_rect(*b) == Rect{5, 30, 20, 20});

    // Unparsable numbers become 0, as upstream.
    auto z = d.server->open("a/x/y/8/8/z", 0);
    REQUIRE(z.has_value());
    CHECK(d.server->window_rect(*z)->x == 0);

    CHECK(d.server->open("rt/1/2/3", 0).error().errnum == EINVAL);
    CHECK(d.server->open("a/0/0/99999/5/huge", 0).error().errnum == EINVAL);
}

TEST_CASE("every flag letter is accepted and reported by fpath") {
    Desk d;
    // All letters but 'h' (hidden makes the rect meaningless) and the tiles.
    auto id = d.server->open("abfrultsh/1/40/10/10/f", 0);
    REQUIRE(id.has_value());
    uint32_t f = *d.server->window_flags(*id);
    for (uint32_t bit : {kFlagAsync, kFlagBack, kFlagFront, kFlagResizable, kFlagUnclosable,
                         kFlagBorderless, kFlagTransparent, kFlagScalable, kFlagHidden})
        CHECK((f & bit) != 0);
    // Front wins over back for the band; fpath lists a l h r t u then the band.
    CHECK(d.server->fpath(*id)->starts_with("alhrtuf/"));
    auto m = d.server->open("rm/10/40/50/50/max", 0);
    REQUIRE(m.has_value());
    CHECK(*d.server->window_rect(*m) == Rect{0, 28, 320, 240 - 48 - 28});
    CHECK(d.server->fpath(*m)->starts_with("mr/"));
    auto full = d.server->open("M/10/40/50/50/full", 0);
    REQUIRE(full.has_value());
    CHECK(*d.server->window_rect(*full) == Rect{0, 0, 320, 240});
}

TEST_CASE("negative x and y centre the window and cascade the next one") {
    Desk d;
    auto a = d.server->open("/-1/-1/100/50/a", 0);
    auto b = d.server->open("/-1/-1/100/50/b", 0);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    Rect ra = *d.server->window_rect(*a), rb = *d.server->window_rect(*b);
    // Usable area 320x192 below a 28 px title: centred at x 110, y 28 + (164-50)/2.
    CHECK(ra == Rect{110, 28 + 57, 100, 50});
    CHECK(rb == Rect{138, 28 + 57 + 28, 100, 50});
}

TEST_CASE("display handle 99.0 reports the screen size") {
    Desk d(desk_options(640, 480));
    auto id = d.server->open("99.0", 0);
    REQUIRE(id.has_value());
    CHECK(*d.server->fpath(*id) == "orbital:99.0/640/480/1");
    CHECK(d.server->open("99.7", 0).error().errnum == ENOENT);
}

TEST_CASE("commands: A, P, S, T, F and their errors") {
    Desk d;
    uint64_t id = *d.server->open("/10/40/50/50/w", 0);
    CHECK(d.server->write(id, "A,1").has_value());
    CHECK((*d.server->window_flags(id) & kFlagAsync) != 0);
    CHECK(d.server->write(id, "P,20,").has_value());
    CHECK(*d.server->window_rect(id) == Rect{20, 40, 50, 50});
    CHECK(d.server->write(id, "S,,70").has_value());
    CHECK(*d.server->window_rect(id) == Rect{20, 40, 50, 70});
    CHECK((*d.server->window_buffer(id))->height() == 70);
    CHECK(d.server->write(id, "T,a, title, with commas").has_value());
    CHECK(d.server->fpath(id)->ends_with("/a, title, with commas"));
    CHECK(d.server->write(id, "F,l,1").has_value());
    CHECK((*d.server->window_flags(id) & kFlagBorderless) != 0);
    CHECK(d.server->write(id, "M,C,0").has_value());
    CHECK(d.server->write(id, "M,R,1").has_value());
    CHECK(d.server->write(id, "Y,0,0,5,5,1,1,2,2").has_value());

    for (const char* bad : {"Q,1", "A,2", "P,1", "P,x,1", "S,0,5", "S,-3,4", "F,Z,1",
                            "F,r", "M,X,1", "Y,1,2,3", "Y,a,b,c,d", "D,0", "nocomma", ""}) {
        INFO(bad);
        auto r = d.server->write(id, bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().errnum == EINVAL);
    }
    // A failed command changed nothing.
    CHECK(*d.server->window_rect(id) == Rect{20, 40, 50, 70});
    std::string not_utf8 = "T,\xff\xfe";
    CHECK(d.server->write(id, not_utf8).error().errnum == EINVAL);
    CHECK(d.server->write(999, "A,1").error().errnum == EBADF);
}

TEST_CASE("reads: async returns 0, blocking returns EAGAIN, events are 24 bytes") {
    Desk d;
    uint64_t blocking = *d.server->open("/10/40/50/50/b", 0);
    uint64_t async = *d.server->open("a/100/40/50/50/a", 0);
    read_all(*d.server, blocking);   // the focus events of opening
    read_all(*d.server, async);
    std::byte buf[48];
    CHECK(d.server->read(async, buf).value() == 0);
    CHECK(d.server->read(blocking, buf).error().errnum == EAGAIN);
    CHECK(d.server->read(blocking, std::span(buf, 10)).error().errnum == EINVAL);

    std::vector<uint64_t> woke;
    d.server->set_readiness_callback([&](uint64_t id) { woke.push_back(id); });
    CHECK_FALSE(d.server->readable(async));
    d.server->inject(ScrollInput{0, 3});   // focused = async (opened last)
    REQUIRE(woke == std::vector<uint64_t>{async});
    CHECK(d.server->readable(async));
    auto n = d.server->read(async, buf);
    REQUIRE(n.value() == 24);
    WireEvent ev;
    std::memcpy(&ev, buf, 24);
    CHECK(ev == WireEvent{kEventScroll, 0, 3});
}

TEST_CASE("queued events coalesce like Orbital's") {
    ServerWindow w;
    w.push_event({kEventMouse, 1, 1});
    w.push_event({kEventMouse, 2, 2});
    w.push_event({kEventScroll, 0, 1});
    w.push_event({kEventScroll, 0, 2});
    w.push_event({kEventKey, 0, 0x11E});
    w.push_event({kEventKey, 0, 0x11E});
    REQUIRE(w.events.size() == 4);
    CHECK(w.events[0] == WireEvent{kEventMouse, 2, 2});
    CHECK(w.events[1] == WireEvent{kEventScroll, 0, 3});
    CHECK(w.events[2].code == kEventKey);
    CHECK(w.events[3].code == kEventKey);
}

TEST_CASE("clipboard handle: write truncates at the position, reads come back") {
    Desk d;
    auto win = d.window(10, 40, 20, 20);
    REQUIRE(win->set_clipboard("hello").has_value());
    auto c = win->clipboard();
    REQUIRE(c.has_value());
    CHECK(c->first == MediaKind::Text);
    CHECK(c->second == "hello");
    uint64_t h = *d.server->dup(win->handle(), "clipboard");
    CHECK(d.server->write(h, "uhttp://x").has_value());
    CHECK(d.server->fpath(h).value() == "orbital:clipboard");
    CHECK(d.server->close(h).has_value());
    c = win->clipboard();
    CHECK(c->first == MediaKind::Uri);
    CHECK(c->second == "http://x");
    CHECK(d.server->dup(win->handle(), "dnd").error().errnum == EINVAL);
}

TEST_CASE("typed events round-trip through the wire format for codes 0-21") {
    std::vector<EventOption> all = {
        NoneEvent{}, KeyEvent{0, 0x1E, true}, MouseEvent{-5, 7}, ButtonEvent{true, false, true},
        ScrollEvent{1, -2}, QuitEvent{}, FocusEvent{true}, MoveEvent{-30, 40}, ResizeEvent{640, 480},
        ScreenEvent{1920, 1080}, ClipboardEvent{ClipboardAction::Paste, 12},
        MouseRelativeEvent{-3, 4}, DropEvent{2, 300, -10, 20}, TextInputEvent{U'é'},
        ClipboardUpdateEvent{}, HoverEvent{true}, ScaleEvent{200, 160}, DragEnterEvent{1, 5},
        DragMoveEvent{4, 9, 100, -200}, DragLeaveEvent{}, ControllerAxisEvent{3, 0x31, -32768},
        ControllerButtonEvent{2, 7, true}, UnknownEvent{kEventKey | kEventSuperBit, 0, 0x110}};
    for (size_t i = 0; i < all.size(); ++i) {
        WireEvent w = to_event(all[i]);
        if (i <= 21) CHECK(w.code == int64_t(i));
        EventOption back = to_option(w);
        INFO("code " << w.code);
        CHECK(back.index() == all[i].index());
        CHECK(to_event(back) == w);
    }
    // Payload layouts that other implementations rely on.
    CHECK(to_event(KeyEvent{0, 0x10, true}).b == 0x110);
    CHECK(to_event(DropEvent{2, 3, 5, 6}).a == (3 << 8 | 2));
    CHECK(to_event(DropEvent{2, 3, 5, 6}).b == (int64_t(6) << 32 | 5));
    CHECK(to_event(ControllerAxisEvent{1, 0x30, 9}).a == (int64_t(0x30) << 32 | 1));
}
