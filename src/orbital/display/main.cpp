// displayd: serves `display` (DisplayScheme.h) with one backend, and sends the
// backend's input (SDL2 keys, text, mouse, wheel, resize, close) to inputd as a
// producer. `displayd [--backend headless|sdl] [--size WxH]`; the backend can also
// come from ORBITAL_BACKEND=sdl|headless (what `redox-sim boot --display` sets).
#include <charconv>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "daemons/daemon.h"
#include "daemons/inputd/producer.h"
#include "orbital/backend/headless.h"
#include "orbital/backend/sdl.h"
#include "orbital/display/DisplayScheme.h"
#include "orbital/server/input_wire.h"

namespace {

using namespace redox;
using namespace redox::orbital;

struct Args {
    std::string backend;
    int32_t width = 1024;
    int32_t height = 768;
};

Args parse_args(int argc, char** argv) {
    Args a;
    if (const char* env = std::getenv("ORBITAL_BACKEND")) a.backend = env;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) daemon::die("displayd", arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--backend") a.backend = value();
        else if (arg == "--size") {
            std::string v = value();
            size_t x = v.find('x');
            auto num = [](std::string_view s, int32_t& out) {
                auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
                return !s.empty() && ec == std::errc() && p == s.data() + s.size() && out > 0 && out <= 16384;
            };
            if (x == std::string::npos || !num(std::string_view(v).substr(0, x), a.width) ||
                !num(std::string_view(v).substr(x + 1), a.height))
                daemon::die("displayd", "--size " + v + ": expected WIDTHxHEIGHT");
        } else {
            daemon::die("displayd", "unknown option '" + arg + "' (usage: displayd [--backend headless|sdl] [--size WxH])");
        }
    }
    if (a.backend.empty()) a.backend = "headless";
    if (a.backend != "headless" && a.backend != "sdl")
        daemon::die("displayd", "backend '" + a.backend + "': expected headless or sdl");
    return a;
}

} // namespace

int main(int argc, char** argv) {
    Args args = parse_args(argc, argv);
    (void)sys::set_name("displayd");
    auto& wake = sys::wake_word();
    std::unique_ptr<DisplayBackend> backend;
    std::function<Result<Image>()> capture;
    if (args.backend == "sdl") {
        auto sdl = SdlBackend::create(args.width, args.height, "redox-sim orbital");
        if (!sdl) daemon::die("displayd", "SDL2 display: " + sdl.error().message() + " (boot with --display headless)");
        SdlBackend* b = sdl->get();
        capture = [b] { return b->read_back(); };
        // Input wakes the loop at once: it sleeps on the wake word, not on SDL.
        b->set_input_notifier([&wake] { wake.wake(); });
        backend = std::move(*sdl);
    } else {
        auto headless = std::make_unique<HeadlessBackend>(args.width, args.height);
        HeadlessBackend* b = headless.get();
        capture = [b]() -> Result<Image> { return b->frame(); };
        backend = std::move(headless);
    }
    auto scheme = DisplayScheme::create(*backend, capture);
    if (!scheme) daemon::die("displayd", scheme.error().message());
    if (auto r = (*scheme)->attach("display"); !r) daemon::die("displayd", r.error().message());
    daemon::ready();

    // inputd may start after us; input before it exists has nowhere to go.
    std::optional<input::Producer> producer;
    bool warned = false;
    bool quit = false;
    while (!(*scheme)->detached() && !quit) {
        uint32_t seen = wake.seq.load(std::memory_order_seq_cst);
        std::vector<input::Event> out;
        for (const InputEvent& ev : backend->poll_input()) {
            if (auto* r = std::get_if<DisplayResizeInput>(&ev)) {
                if (auto ok = (*scheme)->resize(r->width, r->height); !ok)
                    (void)sys::write_all(2, "displayd: resize: " + ok.error().message() + "\n");
            }
            quit |= std::holds_alternative<QuitInput>(ev);
            out.push_back(to_wire(ev));
        }
        if (!out.empty()) {
            if (!producer) {
                if (auto p = input::Producer::open()) producer = std::move(*p);
                else if (!warned) {
                    (void)sys::write_all(2, "displayd: /scheme/input/producer: " + p.error().message() + "; input dropped\n");
                    warned = true;
                }
            }
            if (producer) {
                if (auto s = producer->send(out); !s) {
                    (void)sys::write_all(2, "displayd: input: " + s.error().message() + "\n");
                    producer.reset();
                }
            }
        }
        if ((*scheme)->poll_once()) continue;
        if (!quit) sys::wait_wake(seen);
    }
    return 0;
}
