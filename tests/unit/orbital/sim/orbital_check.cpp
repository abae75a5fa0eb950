// orbital-check: Orbital checks that run inside a booted sim, one per subcommand
// (tests/unit/orbital/test_sim.cpp boots them and checks the host side):
//   draw [ARGS]   a window with a known pattern; the composited screen must show it;
//                 with ARGS, runs `screenshot ARGS` while the window is up
//   input         input injected through inputd's producer reaches the window in
//                 order with the right payloads (mouse, buttons, text, keys, scroll,
//                 relative motion, a display resize, then Quit from a click on the
//                 close button)
//   latency N     input-to-pixel latency over N runs against a scheme round trip
//   protocol      P S T commands, fpath, a resize's new mapping, clipboard, 99.0
//   vt            switching to another VT moves the display and the input there, and
//                 Super+F3 brings both back to Orbital
//   robust        bad paths, garbage commands, oversize maps and a client that dies
//                 with its window open do not take orbital down
// Prints "orbital-check NAME: ok" or one "orbital-check NAME: FAIL ..." line (exit 1).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "daemons/inputd/producer.h"
#include "orbital/client/scheme_transport.h"
#include "orbital/client/window.h"
#include "schemes/libredox.h"

namespace {

using namespace redox;
using namespace redox::orbclient;

std::string g_name;

[[noreturn]] void fail(const std::string& why) {
    (void)sys::write_all(1, "orbital-check " + g_name + ": FAIL " + why + "\n");
    sys::exit(1);
}

template <typename T>
T must(Result<T> r, const std::string& what) {
    if (!r) fail(what + ": " + r.error().message());
    if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// The check windows sit where the desktop's example windows are not.
constexpr int32_t kX = 840, kY = 440, kW = 160, kH = 120;
constexpr uint32_t kRed = 0xFFFF0000, kBlue = 0xFF0000FF, kGreen = 0xFF00FF00;

uint32_t expected_pixel(int32_t x, int32_t y) {
    if (x >= 20 && x < 30 && y >= 20 && y < 30) return kGreen;
    return x < kW / 2 ? kRed : kBlue;
}

std::vector<uint32_t> read_screen(int32_t& w, int32_t& h) {
    int fd = must(sys::open("/scheme/orbital/screen", O_RDONLY_), "open screen");
    std::string path = must(sys::fpath(fd), "fpath screen");
    if (std::sscanf(path.c_str(), "orbital:screen/%d/%d", &w, &h) != 2) fail("screen fpath \"" + path + "\"");
    std::vector<uint32_t> px(size_t(w) * size_t(h));
    size_t got = 0, total = px.size() * 4;
    while (got < total) {
        size_t n = must(sys::pread(fd, reinterpret_cast<char*>(px.data()) + got, total - got, got), "read screen");
        if (n == 0) fail("screen is short");
        got += n;
    }
    (void)sys::close(fd);
    return px;
}

void check_draw(const std::vector<std::string>& shot_args) {
    SchemeTransport t;
    auto win = must(Window::create(t, kX, kY, kW, kH, "check"), "open window");
    if (win->x() != kX || win->y() != kY || win->width() != kW || win->height() != kH)
        fail("window placed at " + std::to_string(win->x()) + "," + std::to_string(win->y()));
    win->set(Color{kRed});
    win->rect(kW / 2, 0, kW / 2, kH, Color{kBlue});
    win->rect(20, 20, 10, 10, Color{kGreen});
    must(win->sync(), "fsync");
    int32_t sw = 0, sh = 0;
    auto screen = read_screen(sw, sh);
    for (int32_t y = 0; y < kH; ++y)
        for (int32_t x = 0; x < kW; ++x) {
            uint32_t got = screen[size_t(kY + y) * size_t(sw) + size_t(kX + x)];
            if (got != expected_pixel(x, y)) {
                char buf[128];
                std::snprintf(buf, sizeof buf, "screen pixel of window (%d,%d) is 0x%08X, want 0x%08X", x, y,
                              got, expected_pixel(x, y));
                fail(buf);
            }
        }
    // Damage by rectangle: repaint one corner, send only it.
    win->rect(0, 0, 4, 4, Color{kGreen});
    Rect r{0, 0, 4, 4};
    must(win->update_rects(std::span(&r, 1)), "Y command");
    screen = read_screen(sw, sh);
    if (screen[size_t(kY) * size_t(sw) + size_t(kX)] != kGreen) fail("Y damage did not reach the screen");
    win->rect(0, 0, 4, 4, Color{kRed});
    must(win->sync(), "fsync");
    if (!shot_args.empty()) {
        sys::SpawnSpec s;
        s.path = "screenshot";
        s.argv = {"screenshot"};
        s.argv.insert(s.argv.end(), shot_args.begin(), shot_args.end());
        int pid = must(sys::spawn(s), "spawn screenshot");
        auto [_, status] = must(sys::waitpid(pid, 0), "wait screenshot");
        if (!sys::exited(status) || sys::exit_code(status) != 0)
            fail("screenshot exited with status " + std::to_string(status));
    }
}

// Collects events until `pred` holds over them or 5 s pass without new ones.
template <typename Pred>
std::vector<EventOption> collect(SchemeTransport& t, Window& w, Pred done) {
    std::vector<EventOption> all;
    for (int idle = 0; idle < 50 && !done(all);) {
        auto evs = must(w.events(), "read events");
        if (evs.empty()) {
            (void)must(t.wait_for_events(100), "wait for events");
            ++idle;
        }
        all.insert(all.end(), evs.begin(), evs.end());
    }
    return all;
}

std::string show(const EventOption& e) {
    return std::visit([](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, KeyEvent>)
            return "Key(" + std::to_string(v.scancode) + (v.pressed ? ",down)" : ",up)");
        else if constexpr (std::is_same_v<T, MouseEvent>) return "Mouse(" + std::to_string(v.x) + "," + std::to_string(v.y) + ")";
        else if constexpr (std::is_same_v<T, ButtonEvent>)
            return std::string("Button(") + (v.left ? "L" : "") + (v.middle ? "M" : "") + (v.right ? "R" : "") + ")";
        else if constexpr (std::is_same_v<T, ScrollEvent>) return "Scroll(" + std::to_string(v.x) + "," + std::to_string(v.y) + ")";
        else if constexpr (std::is_same_v<T, TextInputEvent>) return "Text(" + std::to_string(uint32_t(v.character)) + ")";
        else if constexpr (std::is_same_v<T, QuitEvent>) return "Quit";
        else if constexpr (std::is_same_v<T, MouseRelativeEvent>) return "Rel(" + std::to_string(v.dx) + "," + std::to_string(v.dy) + ")";
        else if constexpr (std::is_same_v<T, ScreenEvent>) return "Screen(" + std::to_string(v.width) + "," + std::to_string(v.height) + ")";
        else if constexpr (std::is_same_v<T, FocusEvent>) return v.focused ? "Focus(1)" : "Focus(0)";
        else if constexpr (std::is_same_v<T, HoverEvent>) return v.entered ? "Hover(1)" : "Hover(0)";
        else return "Other(" + std::to_string(to_event(EventOption{v}).code) + ")";
    }, e);
}

void inject(input::Producer& producer, const std::string& cmd) {
    auto events = must(input::parse_commands(cmd), "parse \"" + cmd + "\"");
    must(producer.send(events), "send \"" + cmd + "\"");
}

void check_input() {
    SchemeTransport t;
    auto win = must(Window::create(t, kX, kY, kW, kH, "input"), "open window");
    win->set(Color{kBlue});
    must(win->sync(), "fsync");
    auto control = must(input::Producer::open(), "open /scheme/input/producer");
    // Click into the window first: focus and z-order then do not depend on which
    // other windows the desktop opened meanwhile.
    inject(control, "mouse 900 500");
    inject(control, "button 1 0 0\nbutton 0 0 0");
    inject(control, "key 0x1E press U+61");
    inject(control, "key 0x1E release");
    inject(control, "scroll 0 -3");
    auto has = [](const std::vector<EventOption>& v, auto pred) { return std::any_of(v.begin(), v.end(), pred); };
    auto is_scroll = [](const EventOption& e) { return std::holds_alternative<ScrollEvent>(e); };
    auto all = collect(t, *win, [&](const std::vector<EventOption>& v) { return has(v, is_scroll); });
    // Relative motion reaches the focused window only in relative mode.
    must(win->set_mouse_relative(true), "relative mode on");
    inject(control, "mouse_relative 3 4");
    auto is_rel = [](const EventOption& e) { return std::holds_alternative<MouseRelativeEvent>(e); };
    auto more = collect(t, *win, [&](const std::vector<EventOption>& v) { return has(v, is_rel); });
    all.insert(all.end(), more.begin(), more.end());
    must(win->set_mouse_relative(false), "relative mode off");
    // The display grows: every window hears of the new screen size.
    inject(control, "display_resize 1100 800");
    // Close button: the right 18 px of the 28 px title bar above the client area.
    inject(control, "mouse " + std::to_string(kX + kW - 9) + " " + std::to_string(kY - 14));
    inject(control, "button 1 0 0\nbutton 0 0 0");
    auto is_quit = [](const EventOption& e) { return std::holds_alternative<QuitEvent>(e); };
    more = collect(t, *win, [&](const std::vector<EventOption>& v) { return has(v, is_quit); });
    all.insert(all.end(), more.begin(), more.end());
    std::string got;
    for (auto& e : all) got += show(e) + " ";
    // The significant events, in order; hover/focus/later mouse moves vary.
    std::vector<std::string> want = {"Mouse(60,60)", "Button(L)", "Button()", "Text(97)", "Key(30,down)",
                                     "Key(30,up)", "Scroll(0,-3)", "Rel(3,4)", "Screen(1100,800)"};
    std::vector<std::string> seen;
    bool first_mouse = true;
    for (auto& e : all) {
        if (std::holds_alternative<MouseEvent>(e)) {
            if (first_mouse) seen.push_back(show(e));
            first_mouse = false;
        } else if (std::holds_alternative<ButtonEvent>(e) || std::holds_alternative<KeyEvent>(e) ||
                   std::holds_alternative<TextInputEvent>(e) || std::holds_alternative<ScrollEvent>(e) ||
                   std::holds_alternative<MouseRelativeEvent>(e) || std::holds_alternative<ScreenEvent>(e)) {
            seen.push_back(show(e));
        }
        if (seen.size() == want.size()) break;
    }
    if (seen != want) fail("events were: " + got);
    if (!has(all, is_quit)) fail("no Quit after clicking close; events were: " + got);
    // A write that is not whole events is refused.
    if (sys::write(control.fd(), "key banana", 10)) fail("inputd accepted \"key banana\"");
}

void check_robust() {
    auto expect_err = [](auto r, const std::string& what) { if (r) fail(what + " succeeded"); };
    expect_err(sys::open("/scheme/orbital/zz", O_RDWR_), "open of a path without fields");
    expect_err(sys::open("/scheme/orbital/99.7", O_RDWR_), "open of display 99.7");
    // The display scheme refuses bad paths, modes, damage records and maps.
    expect_err(sys::open("/scheme/display/x", O_RDWR_), "open of display x");
    expect_err(sys::open("/scheme/display/3/0/10", O_RDWR_), "a 0x10 display mode");
    expect_err(sys::open("/scheme/display/3/10", O_RDWR_), "a mode without a height");
    {
        int fb = must(sys::open("/scheme/display/3", O_RDWR_), "open display/3");
        char odd[15] = {};
        expect_err(sys::write(fb, odd, sizeof odd), "a 15-byte damage write");
        expect_err(sys::fmap(fb, 0, size_t(64) << 20, PROT_READ_ | MAP_SHARED_), "a map beyond the framebuffer");
        int32_t wild[4] = {-100000, -100000, 2000000000, 2000000000};   // clipped, not refused
        (void)must(sys::write(fb, wild, sizeof wild), "a damage record beyond the screen");
        (void)sys::close(fb);
    }
    SchemeTransport t;
    {
        auto win = must(Window::create(t, 10, 10, 64, 64, "garbage"), "open window");
        int fd = int(win->handle());
        for (const std::string& bad : std::vector<std::string>{"Q,1", "no comma", "Y,1,2,3", "S,-5,x", "F,m", std::string("\xff\xfe,1", 4)})
            expect_err(sys::write(fd, bad.data(), bad.size()), "command \"" + bad + "\"");
        expect_err(sys::fmap(fd, 0, 64 * 64 * 4 + 8192, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "oversize fmap");
        char small[8];
        expect_err(sys::read(fd, small, sizeof small), "8-byte event read");
    }
    // A client that dies with a window open and mapped: orbital drops the window.
    sys::SpawnSpec s;
    s.path = "/scheme/initfs/bin/orbital-check";
    s.argv = {"orbital-check", "die-with-window"};
    int pid = must(sys::spawn(s), "spawn child");
    (void)must(sys::waitpid(pid, 0), "wait child");
    auto win = must(Window::create(t, 20, 20, 32, 32, "after"), "open window after the garbage");
    win->set(Color{kGreen});
    must(win->sync(), "fsync after the garbage");
    int fd = must(sys::open("/scheme/orbital/99.0", O_RDONLY_), "display handle");
    std::string p = must(sys::fpath(fd), "display fpath");
    if (!p.starts_with("orbital:99.0/")) fail("display fpath \"" + p + "\"");
    (void)sys::close(fd);
}

// The rest of the window protocol over the real scheme: P and S commands (a resize
// maps the new buffer), T, fpath, flags, the clipboard and the display-size handle.
void check_protocol() {
    SchemeTransport t;
    auto win = must(Window::create(t, 600, 420, 50, 40, "first", orbital::kFlagResizable), "open window");
    must(win->set_pos(kX, kY), "P command");
    must(win->set_size(kW, kH), "S command");
    must(win->set_title("renamed/with slash"), "T command");
    std::string path = must(t.fpath(win->handle()), "fpath");
    if (path != "r/840/440/160/120/renamed/with slash") fail("fpath after P,S,T is \"" + path + "\"");
    // The new buffer is the one the server composites.
    win->set(Color{kGreen});
    must(win->sync(), "fsync");
    int32_t sw = 0, sh = 0;
    auto screen = read_screen(sw, sh);
    if (screen[size_t(kY + kH - 1) * size_t(sw) + size_t(kX + kW - 1)] != kGreen)
        fail("the resized buffer's last pixel is not on the screen");
    must(win->set_clipboard("from orbital-check"), "write clipboard");
    auto other = must(Window::create(t, 10, 10, 20, 20, "second", orbital::kFlagAsync), "open second window");
    auto [kind, text] = must(other->clipboard(), "read clipboard");
    if (kind != MediaKind::Text || text != "from orbital-check") fail("clipboard read back \"" + text + "\"");
    if (!other->is_async()) fail("async flag lost");
    // An async window reads 0 bytes at once when its queue is empty (after the
    // focus events queued at creation).
    char buf[24];
    int reads = 0;
    while (must(sys::read(int(other->handle()), buf, sizeof buf), "async read") != 0)
        if (++reads > 16) fail("async window keeps returning events");
    int display = must(sys::open("/scheme/orbital/99.0", O_RDONLY_), "display handle");
    std::string dp = must(sys::fpath(display), "display fpath");
    if (dp != "orbital:99.0/" + std::to_string(sw) + "/" + std::to_string(sh) + "/1") fail("display fpath \"" + dp + "\"");
    (void)sys::close(display);
}

// Input-to-pixel latency through the whole chain: a key written to inputd's producer
// reaches orbital through its VT's consumer, then the client (event queue, fevent, event scheme wake-up), which
// paints and fsyncs; the time ends when the composited screen shows the new colour.
// Baseline: one scheme round trip (fpath of the window), measured in the same run.
void check_latency(int n) {
    using clock = std::chrono::steady_clock;
    auto us = [](clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
    auto median_p99 = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return std::pair{v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)]};
    };
    SchemeTransport t;
    auto win = must(Window::create(t, kX, kY, kW, kH, "latency"), "open window");
    win->set(Color{kBlue});
    must(win->sync(), "fsync");
    auto control = must(input::Producer::open(), "open /scheme/input/producer");
    inject(control, "mouse 900 500\nbutton 1 0 0\nbutton 0 0 0");
    (void)must(win->events(), "read events");
    int32_t sw = 0, sh = 0;
    (void)read_screen(sw, sh);
    int screen = must(sys::open("/scheme/orbital/screen", O_RDONLY_), "open screen");
    uint64_t probe = (uint64_t(kY) * uint64_t(sw) + uint64_t(kX)) * 4;
    std::vector<double> base, lat;
    for (int i = 0; i < n; ++i) {
        auto t0 = clock::now();
        (void)must(sys::fpath(int(win->handle())), "fpath");
        base.push_back(us(clock::now() - t0));
    }
    for (int i = 0; i < n; ++i) {
        bool press = i % 2 == 0;
        uint32_t color = press ? kGreen : kRed;
        auto t0 = clock::now();
        inject(control, press ? "key 0x1E press" : "key 0x1E release");
        for (bool got = false; !got;) {
            auto evs = must(win->events(), "read events");
            for (auto& e : evs)
                if (auto* k = std::get_if<KeyEvent>(&e); k && k->scancode == 0x1E && k->pressed == press) got = true;
            if (!got && evs.empty() && !must(t.wait_for_events(2000), "wait")) fail("no key event within 2 s");
        }
        win->rect(0, 0, 1, 1, Color{color});
        Rect r{0, 0, 1, 1};
        must(win->update_rects(std::span(&r, 1)), "Y");
        uint32_t px = 0;
        (void)must(sys::pread(screen, &px, 4, probe), "read screen pixel");
        if (px != color) fail("screen pixel did not change after the client drew");
        lat.push_back(us(clock::now() - t0));
    }
    auto [bm, bp] = median_p99(base);
    auto [lm, lp] = median_p99(lat);
    char line[256];
    std::snprintf(line, sizeof line,
                  "orbital-check latency: %d runs; input-to-pixel median %.0f us, p99 %.0f us "
                  "(%.1fx a scheme round trip of median %.0f us, p99 %.0f us; 60 Hz frame = 16667 us)\n",
                  n, lm, lp, lm / bm, bm, bp);
    (void)sys::write_all(1, line);
    (void)sys::close(screen);
}

// The pixel displayd shows at (x, y), captured from the backend.
uint32_t shown_pixel(int32_t x, int32_t y) {
    int fd = must(sys::open("/scheme/display/capture", O_RDONLY_), "open display capture");
    std::string path = must(sys::fpath(fd), "fpath capture");
    int32_t w = 0, h = 0;
    if (std::sscanf(path.c_str(), "display:capture/%d/%d", &w, &h) != 2) fail("capture fpath \"" + path + "\"");
    uint32_t px = 0;
    (void)must(sys::pread(fd, &px, 4, (uint64_t(y) * uint64_t(w) + uint64_t(x)) * 4), "read capture");
    (void)sys::close(fd);
    return px;
}

// Polls what the display shows for up to 5 s (the switch reaches displayd
// through inputd's display handle, asynchronously).
void expect_shown(int32_t x, int32_t y, uint32_t want, const std::string& what) {
    uint32_t got = 0;
    for (int i = 0; i < 100; ++i) {
        if ((got = shown_pixel(x, y)) == want) return;
        (void)sys::sleep_ns(50'000'000);
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s: the display shows 0x%08X at (%d,%d), want 0x%08X", what.c_str(), got, x, y, want);
    fail(buf);
}

// VT switching: another VT's session gets the display and the input; Super+F3
// gives both back to Orbital.
void check_vt() {
    SchemeTransport t;
    auto win = must(Window::create(t, kX, kY, kW, kH, "vt"), "open window");
    win->set(Color{kRed});
    must(win->sync(), "fsync");
    int32_t sw = 0, sh = 0;
    (void)read_screen(sw, sh);   // composited and shown
    expect_shown(kX + 5, kY + 5, kRed, "on VT 3");
    auto producer = must(input::Producer::open(), "open /scheme/input/producer");
    inject(producer, "mouse 900 500\nbutton 1 0 0\nbutton 0 0 0");
    (void)collect(t, *win, [](const std::vector<EventOption>& v) {
        return std::any_of(v.begin(), v.end(), [](auto& e) { return std::holds_alternative<ButtonEvent>(e); });
    });
    // A session on VT 4 with nothing drawn yet: the display goes black there.
    int c4 = must(sys::open("/scheme/input/consumer/4", O_RDONLY_), "open consumer/4");
    must(input::activate_vt(4), "activate VT 4");
    expect_shown(kX + 5, kY + 5, 0xFF000000u, "on VT 4");
    inject(producer, "key 0x10 press");
    input::Event e;
    if (must(sys::read(c4, &e, sizeof e), "read consumer/4") != sizeof e || e != input::key(0x10, true))
        fail("VT 4's consumer did not get the key");
    // Super+F3 switches back: Orbital's picture returns and its window gets keys again.
    inject(producer, "key 0x5B press\nkey 0x3D press\nkey 0x3D release\nkey 0x5B release\nkey 0x1E press U+61");
    expect_shown(kX + 5, kY + 5, kRed, "back on VT 3");
    auto evs = collect(t, *win, [](const std::vector<EventOption>& v) {
        return std::any_of(v.begin(), v.end(), [](auto& e) { return std::holds_alternative<KeyEvent>(e); });
    });
    for (auto& ev : evs)
        if (auto* k = std::get_if<KeyEvent>(&ev); k && k->scancode == 0x10) fail("VT 4's key reached Orbital");
    bool got_a = false;
    for (auto& ev : evs)
        if (auto* k = std::get_if<KeyEvent>(&ev); k && k->scancode == 0x1E) got_a = true;
    if (!got_a) fail("no key for Orbital after Super+F3");
    (void)sys::close(c4);
}

[[noreturn]] void die_with_window() {
    SchemeTransport t;
    auto win = must(Window::create(t, 30, 30, 100, 100, "dying"), "open window");
    win->set(Color{kRed});
    (void)win->sync();
    // Leave without closing anything, as a crashing client would.
    std::_Exit(3);
}

} // namespace

int main(int argc, char** argv) {
    g_name = argc > 1 ? argv[1] : "";
    if (g_name == "draw") check_draw({argv + 2, argv + argc});
    else if (g_name == "input" && argc == 2) check_input();
    else if (g_name == "robust" && argc == 2) check_robust();
    else if (g_name == "protocol" && argc == 2) check_protocol();
    else if (g_name == "latency" && argc == 3) check_latency(std::max(10, std::atoi(argv[2])));
    else if (g_name == "vt" && argc == 2) check_vt();
    else if (g_name == "die-with-window") die_with_window();
    else fail("usage: orbital-check draw [SCREENSHOT-ARGS] | input | protocol | robust | latency N | vt");
    (void)sys::write_all(1, "orbital-check " + g_name + ": ok\n");
    sys::exit(0);
}
