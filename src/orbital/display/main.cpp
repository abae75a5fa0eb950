// displayd: serves `display` (DisplayScheme.h) with one backend, sends the backend's
// input (SDL2 keys, text, mouse, wheel, resize, close) to inputd as a producer, and
// shows the picture of the VT inputd's display handle says is active. `displayd [--backend headless|sdl] [--size WxH]`; the backend can also
// come from ORBITAL_BACKEND=sdl|headless (what `redox-sim boot --display` sets).
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "daemons/daemon.h"
#include "daemons/inputd/producer.h"
#include "orbital/backend/headless.h"
#include "orbital/backend/sdl.h"
#include "orbital/display/DisplayScheme.h"
#include "orbital/server/input_wire.h"
#include "schemes/ring.h"

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

    // Which VT is shown follows inputd's display handle; a thread sleeps on its
    // doorbell and wakes the loop (it makes no sim calls itself).
    int vt_handle = -1;
    std::optional<sys::MappedRegion> vt_bell;
    std::atomic<bool> stop{false};
    std::thread vt_watch;
    if (auto h = sys::open("/scheme/input/handle/display", O_RDONLY_ | O_NONBLOCK_ | O_CLOEXEC_)) {
        vt_handle = *h;
        if (auto bell = sys::fmap(vt_handle, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_)) {
            vt_bell = std::move(*bell);
            auto* word = static_cast<WaitWord*>(vt_bell->data());
            vt_watch = std::thread([word, &wake, &stop] {
                while (!stop.load()) {
                    uint32_t seen = word->seq.load(std::memory_order_seq_cst);
                    wake.wake();
                    word->wait(seen);
                }
            });
        }
    } else {
        (void)sys::write_all(2, "displayd: /scheme/input/handle/display: " + h.error().message() +
                                    "; every VT's picture is shown\n");
    }
    auto follow_vts = [&] {
        if (vt_handle < 0) return;
        input::VtEvent evs[16];
        while (auto n = sys::read(vt_handle, evs, sizeof evs)) {
            for (size_t i = 0; i < *n / sizeof(input::VtEvent); ++i)
                if (evs[i].kind == input::kVtActivate)
                    if (auto r = (*scheme)->activate(evs[i].vt); !r)
                        (void)sys::write_all(2, "displayd: VT " + std::to_string(evs[i].vt) + ": " + r.error().message() + "\n");
            if (*n < sizeof evs) break;
        }
    };

    // inputd may start after us; input before it exists has nowhere to go.
    std::optional<input::Producer> producer;
    bool warned = false;
    bool quit = false;
    while (!(*scheme)->detached() && !quit) {
        uint32_t seen = wake.seq.load(std::memory_order_seq_cst);
        follow_vts();
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
    if (vt_watch.joinable()) {
        stop = true;
        static_cast<WaitWord*>(vt_bell->data())->wake();
        vt_watch.join();
    }
    return 0;
}
