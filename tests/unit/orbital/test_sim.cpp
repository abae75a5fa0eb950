// Orbital inside a booted sim: `redox-sim boot --config desktop --display headless`
// starts the orbital daemon and the example clients; sim programs (orbital-check,
// screenshot, orbinput) drive it, and the host checks the screenshot's pixels and
// the console. REDOX_SIM names the redox-sim binary.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/wait.h>

#include "orbital/core/png_io.h"

namespace {

namespace fs = std::filesystem;

struct Run {
    int status = -1;
    std::string out;
};

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// Runs redox-sim with `args` (already quoted), stdout and stderr together.
Run sim(const std::string& args) {
    const char* exe = std::getenv("REDOX_SIM");
    REQUIRE(exe != nullptr);
    std::string cmd = quote(exe) + " " + args + " 2>&1";
    Run r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

std::string boot_desktop(const std::string& more) {
    return "boot --config desktop --display headless --timeout 60 --log-level quiet " + more;
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/orbital-sim-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::error_code ec; fs::remove_all(path, ec); }
};

// The window orbital-check draws at (840,440), 160x120: red | blue halves, a green
// 10x10 square at (20,20). Exact for solid areas.
void check_pattern(const redox::orbital::Image& img) {
    constexpr int32_t X = 840, Y = 440;
    REQUIRE(img.width() >= X + 160);
    REQUIRE(img.height() >= Y + 120);
    CHECK(img.at(X + 5, Y + 5) == 0xFFFF0000u);
    CHECK(img.at(X + 79, Y + 119) == 0xFFFF0000u);
    CHECK(img.at(X + 80, Y + 0) == 0xFF0000FFu);
    CHECK(img.at(X + 159, Y + 119) == 0xFF0000FFu);
    CHECK(img.at(X + 20, Y + 20) == 0xFF00FF00u);
    CHECK(img.at(X + 29, Y + 29) == 0xFF00FF00u);
    CHECK(img.at(X + 30, Y + 30) == 0xFFFF0000u);
    int wrong = 0;
    for (int32_t y = 0; y < 120; ++y)
        for (int32_t x = 0; x < 160; ++x) {
            uint32_t want = (x >= 20 && x < 30 && y >= 20 && y < 30) ? 0xFF00FF00u : x < 80 ? 0xFFFF0000u : 0xFF0000FFu;
            wrong += img.at(X + x, Y + y) != want;
        }
    CHECK(wrong == 0);
    // Outside every window: the background colour of the desktop's /ui/orbital.toml.
    CHECK(img.at(1010, 10) == 0xFF1E2A3Au);
    // Just left of the window: not the window's red.
    CHECK(img.at(X - 2, Y + 60) != 0xFFFF0000u);
}

void draw_and_check(const std::string& display, const std::string& screenshot_args) {
    TempDir dir;
    Run r = sim("boot --config desktop --display " + display + " --timeout 60 --log-level quiet --share " +
                quote(dir.path) + " --exec '/scheme/initfs/bin/orbital-check draw " + screenshot_args +
                " /scheme/host/shot.png'");
    INFO(r.out);
    REQUIRE(r.status == 0);
    REQUIRE(r.out.find("orbital-check draw: ok") != std::string::npos);
    REQUIRE(r.out.find("redox-sim: desktop ready") != std::string::npos);
    auto img = redox::orbital::read_png((dir.path / "shot.png").string());
    REQUIRE(img.has_value());
    REQUIRE(img->width() == 1024);
    REQUIRE(img->height() == 768);
    check_pattern(*img);
}

} // namespace

TEST_CASE("a sim client's pattern reaches the screen and the screenshot", "[sim]") {
    draw_and_check("headless", "");
}

TEST_CASE("screenshot --display shows what the headless display was given", "[sim]") {
    draw_and_check("headless", "--display");
}

// Run under Xvfb by sim_sdl_xvfb.sh: the pixels are read back from the SDL2 renderer
// of the window Orbital opened on the X server.
TEST_CASE("with --display sdl the pattern reaches the SDL2 window", "[.sdl]") {
    draw_and_check("sdl", "--display");
}

TEST_CASE("injected input reaches the focused sim client in order", "[sim]") {
    Run r = sim(boot_desktop("--exec '/scheme/initfs/bin/orbital-check input'"));
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("orbital-check input: ok") != std::string::npos);
}

TEST_CASE("every injected key makes the client's new pixel visible on the screen", "[sim]") {
    // The latency probe as a check: 20 rounds of key -> client paints -> screen shows it.
    Run r = sim(boot_desktop("--exec '/scheme/initfs/bin/orbital-check latency 20'"));
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("orbital-check latency: 20 runs; input-to-pixel median") != std::string::npos);
    CHECK(r.out.find("orbital-check latency: ok") != std::string::npos);
}

TEST_CASE("a VT switch moves the display and the input, Super+F3 brings them back", "[sim]") {
    Run r = sim(boot_desktop("--exec '/scheme/initfs/bin/orbital-check vt'"));
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("orbital-check vt: ok") != std::string::npos);
}

TEST_CASE("window commands, a resized mapping, the clipboard and the display handle", "[sim]") {
    Run r = sim(boot_desktop("--exec '/scheme/initfs/bin/orbital-check protocol'"));
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("orbital-check protocol: ok") != std::string::npos);
}

TEST_CASE("garbage and a dying client do not take orbital down", "[sim]") {
    Run r = sim(boot_desktop("--exec '/scheme/initfs/bin/orbital-check robust'"));
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("orbital-check robust: ok") != std::string::npos);
}

TEST_CASE("the events example prints what orbinput injects", "[sim]") {
    // orbital-events shows its window at (40,320), 360x56: click into it, then type.
    Run r = sim(boot_desktop("--exec 'sleep 1' --exec \"orbinput 'mouse 100 340' 'button 1 0 0' 'button 0 0 0' "
                             "'key 0x1E press U+61' 'key 0x1E release' 'scroll 0 2'\" --exec 'sleep 1'"));
    INFO(r.out);
    CHECK(r.status == 0);
    auto at = [&](const std::string& s) { return r.out.find(s); };
    CHECK(at("event: Button left=1") != std::string::npos);
    CHECK(at("event: TextInput U+61") != std::string::npos);
    CHECK(at("event: Key scancode=0x1E pressed") != std::string::npos);
    CHECK(at("event: Key scancode=0x1E released") != std::string::npos);
    CHECK(at("event: Scroll 0,2") != std::string::npos);
    CHECK(at("event: TextInput U+61") < at("event: Key scancode=0x1E pressed"));
    CHECK(at("event: Key scancode=0x1E pressed") < at("event: Key scancode=0x1E released"));
}

TEST_CASE("drawing with the mouse in the paint example shows up in the screenshot", "[sim]") {
    // orbital-paint's client area is at (400,60), 400x300, white; the pen is black and
    // 3 px wide. Press at (500,200), move to (600,200), release.
    TempDir dir;
    Run r = sim(boot_desktop("--share " + quote(dir.path) +
                             " --exec 'sleep 1' --exec \"orbinput 'mouse 500 200' 'button 1 0 0' 'mouse 600 200' "
                             "'button 0 0 0'\" --exec 'sleep 1' --exec 'screenshot /scheme/host/paint.png'"));
    INFO(r.out);
    REQUIRE(r.status == 0);
    auto img = redox::orbital::read_png((dir.path / "paint.png").string());
    REQUIRE(img.has_value());
    int black = 0;
    for (int32_t x = 505; x <= 590; ++x)
        for (int32_t y = 199; y <= 201; ++y) black += img->at(x, y) == 0xFF000000u;
    CHECK(black == 86 * 3);
    CHECK(img->at(550, 196) == 0xFFFFFFFFu);
    CHECK(img->at(550, 204) == 0xFFFFFFFFu);
    CHECK(img->at(450, 250) == 0xFFFFFFFFu);
}

TEST_CASE("a background image from orbital.toml fills the screen behind the windows", "[sim]") {
    // A 2x2 PNG (red, green / blue, white) stretched over 1024x768: each quadrant one
    // colour where no window covers it. The image and the config come from the host.
    TempDir dir;
    redox::orbital::Image bg(2, 2);
    bg.pixels()[0] = 0xFFFF0000u;
    bg.pixels()[1] = 0xFF00FF00u;
    bg.pixels()[2] = 0xFF0000FFu;
    bg.pixels()[3] = 0xFFFFFFFFu;
    REQUIRE(redox::orbital::write_png((dir.path / "bg.png").string(), bg.view()).has_value());
    {
        FILE* f = std::fopen((dir.path / "bg.toml").c_str(), "w");
        REQUIRE(f != nullptr);
        std::fputs("include = [\"desktop.toml\"]\n[[files]]\npath = \"/ui/orbital.toml\"\n"
                   "data = \"background_image = \\\"/scheme/host/bg.png\\\"\"\n", f);
        std::fclose(f);
    }
    Run r = sim("boot --config " + quote((dir.path / "bg.toml").string()) +
                " --display headless --timeout 60 --log-level quiet --share " + quote(dir.path) +
                " --exec 'screenshot /scheme/host/shot.png'");
    INFO(r.out);
    REQUIRE(r.status == 0);
    auto img = redox::orbital::read_png((dir.path / "shot.png").string());
    REQUIRE(img.has_value());
    REQUIRE(img->width() == 1024);
    CHECK(img->at(10, 10) == 0xFFFF0000u);
    CHECK(img->at(1010, 10) == 0xFF00FF00u);
    CHECK(img->at(10, 760) == 0xFF0000FFu);
    CHECK(img->at(1010, 760) == 0xFFFFFFFFu);
    CHECK(img->at(511, 700) == 0xFF0000FFu);   // the quadrants meet in the middle
    CHECK(img->at(512, 700) == 0xFFFFFFFFu);
}

TEST_CASE("bad display choices and control commands are one clear error", "[sim]") {
    Run r = sim("boot --config desktop --display vga");
    CHECK(r.status != 0);
    CHECK(r.out == "redox-sim: boot: --display vga: expected sdl or headless\n");
    Run bad = sim(boot_desktop("--exec \"orbinput 'mouse 1'\""));
    CHECK(bad.status == 1);
    CHECK(bad.out.find("orbinput: \"mouse 1\": ") != std::string::npos);
}
