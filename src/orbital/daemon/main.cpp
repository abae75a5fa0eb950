// orbital: the display server daemon. `orbital [--display headless|sdl] [--size WxH]
// [--config FILE]` serves the `orbital` scheme (OrbitalScheme.h) and drives one
// display backend: headless memory (the default) or an SDL2 window on the host.
// The display can also come from the environment: ORBITAL_BACKEND=sdl|headless
// (what `redox-sim boot --display` sets). The config defaults to /ui/orbital.toml
// when the sim has one. One loop owns everything: requests, input, compositing.
#include <charconv>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "daemons/daemon.h"
#include "orbital/backend/headless.h"
#include "orbital/backend/sdl.h"
#include "orbital/daemon/OrbitalScheme.h"
#include "orbital/server/config.h"

namespace {

using namespace redox;
using namespace redox::orbital;

struct Args {
    std::string display;
    int32_t width = 1024;
    int32_t height = 768;
    std::string config;
};

Args parse_args(int argc, char** argv) {
    Args a;
    if (const char* env = std::getenv("ORBITAL_BACKEND")) a.display = env;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) daemon::die("orbital", arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--display") a.display = value();
        else if (arg == "--config") a.config = value();
        else if (arg == "--size") {
            std::string v = value();
            size_t x = v.find('x');
            auto num = [](std::string_view s, int32_t& out) {
                auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
                return !s.empty() && ec == std::errc() && p == s.data() + s.size() && out > 0 && out <= 16384;
            };
            if (x == std::string::npos || !num(std::string_view(v).substr(0, x), a.width) ||
                !num(std::string_view(v).substr(x + 1), a.height))
                daemon::die("orbital", "--size " + v + ": expected WIDTHxHEIGHT");
        } else {
            daemon::die("orbital", "unknown option '" + arg + "' (usage: orbital [--display headless|sdl] [--size WxH] [--config FILE])");
        }
    }
    if (a.display.empty()) a.display = "headless";
    if (a.display != "headless" && a.display != "sdl")
        daemon::die("orbital", "display '" + a.display + "': expected headless or sdl");
    return a;
}

// The config is read through the sim's file system, not the host's.
OrbitalConfig load_config(const std::string& path, bool required) {
    auto fd = sys::open(path, O_RDONLY_);
    if (!fd) {
        if (required) daemon::die("orbital", "config " + path + ": " + fd.error().message());
        return {};
    }
    auto text = sys::read_all(*fd);
    (void)sys::close(*fd);
    if (!text) daemon::die("orbital", "config " + path + ": " + text.error().message());
    auto cfg = OrbitalConfig::parse(*text, path);
    if (!cfg) daemon::die("orbital", cfg.error().message());
    if (!cfg->background_image.empty()) {
        (void)sys::write_all(2, "orbital: " + path + ": background_image is not supported inside the sim; ignored\n");
        cfg->background_image.clear();
    }
    return *cfg;
}

} // namespace

int main(int argc, char** argv) {
    Args args = parse_args(argc, argv);
    (void)sys::set_name("orbital");
    ServerOptions so;
    so.width = args.width;
    so.height = args.height;
    so.config = load_config(args.config.empty() ? "/ui/orbital.toml" : args.config, !args.config.empty());

    std::unique_ptr<DisplayBackend> display;
    std::function<Result<Image>()> shown;   // what the display shows, for `display` handles
    if (args.display == "sdl") {
        auto sdl = SdlBackend::create(args.width, args.height, "redox-sim orbital");
        if (!sdl) daemon::die("orbital", "SDL2 display: " + sdl.error().message() + " (boot with --display headless)");
        SdlBackend* b = sdl->get();
        shown = [b] { return b->read_back(); };
        display = std::move(*sdl);
    } else {
        auto headless = std::make_unique<HeadlessBackend>(args.width, args.height);
        HeadlessBackend* b = headless.get();
        shown = [b]() -> Result<Image> { return b->frame(); };
        display = std::move(headless);
    }
    auto server = OrbitalServer::create(so);
    if (!server) daemon::die("orbital", server.error().message());
    OrbitalScheme scheme(**server);
    auto present = [&] {
        if (!(*server)->has_damage()) return;
        auto rects = (*server)->composite();
        display->present((*server)->screen().view(), rects);
    };
    scheme.set_presenter(present);
    scheme.set_display_capture(shown);
    if (auto r = scheme.attach("orbital"); !r) daemon::die("orbital", r.error().message());
    daemon::ready();

    // SDL input arrives on its own thread and is polled; headless input only comes
    // through requests, so that loop sleeps until the kernel wakes it.
    const bool poll_display = args.display == "sdl";
    auto& wake = sys::wake_word();
    while (!scheme.detached() && !(*server)->quit_requested()) {
        uint32_t seen = wake.seq.load(std::memory_order_seq_cst);
        for (const InputEvent& ev : display->poll_input()) scheme.inject(ev);
        bool any = scheme.poll_once();   // also re-runs reads parked before the input
        present();
        if (any) continue;
        if (poll_display) (void)wake.wait(seen, 8'000'000);
        else sys::wait_wake(seen);
    }
    return 0;
}
