// orbital: the display server daemon. `orbital [--config FILE]` serves the `orbital`
// scheme (OrbitalScheme.h) on the graphical VT (environment VT, 3 when unset, as
// upstream's `VT=3 orbital ...`): it draws into that VT's framebuffer of the `display`
// scheme (displayd) and reads input from that VT's inputd consumer. The config
// defaults to /ui/orbital.toml when the sim has one. One loop owns everything:
// requests, input, compositing.
#include <charconv>
#include <cstdlib>
#include <memory>
#include <string>

#include "daemons/daemon.h"
#include "orbital/core/png_io.h"
#include "orbital/daemon/OrbitalScheme.h"
#include "orbital/daemon/links.h"
#include "orbital/server/config.h"

namespace {

using namespace redox;
using namespace redox::orbital;

struct Args {
    std::string config;
    uint64_t vt = 3;
};

Args parse_args(int argc, char** argv) {
    Args a;
    if (const char* env = std::getenv("VT"); env && *env) {
        std::string_view s = env;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), a.vt);
        if (ec != std::errc() || p != s.data() + s.size() || a.vt == 0 || a.vt > 1024)
            daemon::die("orbital", "VT=" + std::string(s) + ": expected a VT number 1..1024");
    }
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) a.config = argv[++i];
        else daemon::die("orbital", "unknown option '" + arg + "' (usage: orbital [--config FILE])");
    }
    return a;
}

// Reads a file of the sim's file system (not the host's).
Result<std::string> read_sim_file(const std::string& path) {
    int fd = TRY(sys::open(path, O_RDONLY_ | O_CLOEXEC_));
    auto text = sys::read_all(fd);
    (void)sys::close(fd);
    return text;
}

OrbitalConfig load_config(const std::string& path, bool required) {
    auto text = read_sim_file(path);
    if (!text) {
        if (required || text.error().errnum != ENOENT_) daemon::die("orbital", "config " + path + ": " + text.error().message());
        return {};
    }
    size_t slash = path.rfind('/');
    auto cfg = OrbitalConfig::parse(*text, path, slash == std::string::npos ? "." : path.substr(0, std::max<size_t>(slash, 1)));
    if (!cfg) daemon::die("orbital", cfg.error().message());
    return *cfg;
}

} // namespace

int main(int argc, char** argv) {
    Args args = parse_args(argc, argv);
    (void)sys::set_name("orbital");
    ServerOptions so;
    so.config = load_config(args.config.empty() ? "/ui/orbital.toml" : args.config, !args.config.empty());
    // The background image, like the config, comes from the sim's file system.
    std::string background = std::move(so.config.background_image);
    so.config.background_image.clear();

    std::string display_root = "/scheme/display";
    auto display = DisplayLink::open(display_root, args.vt);
    if (!display)
        daemon::die("orbital", display_root + "/" + std::to_string(args.vt) + ": " + display.error().message() +
                                   " (is displayd running?)");
    so.width = (*display)->width();
    so.height = (*display)->height();
    auto server = OrbitalServer::create(so);
    if (!server) daemon::die("orbital", server.error().message());
    if (!background.empty()) {
        auto bytes = read_sim_file(background);
        if (!bytes) daemon::die("orbital", "background_image " + background + ": " + bytes.error().message());
        auto img = decode_png(std::as_bytes(std::span(bytes->data(), bytes->size())));
        if (!img) daemon::die("orbital", "background_image " + background + ": " + img.error().message());
        (*server)->set_background_image(std::move(*img));
        (*server)->damage_all();
    }
    auto& wake = sys::wake_word();
    auto input = InputLink::open(args.vt, wake);
    if (!input) daemon::die("orbital", input.error().message() + " (is inputd running?)");

    OrbitalScheme scheme(**server);
    bool display_lost = false;
    auto present = [&] {
        if (!(*server)->has_damage()) return;
        auto rects = (*server)->composite();
        if (display_lost) return;
        if (auto r = (*display)->present((*server)->screen().view(), rects); !r) {
            (void)sys::write_all(2, "orbital: display: " + r.error().message() + "\n");
            display_lost = true;
        }
    };
    scheme.set_presenter(present);
    if (auto r = scheme.attach("orbital"); !r) daemon::die("orbital", r.error().message());
    daemon::ready();

    while (!scheme.detached() && !(*server)->quit_requested()) {
        uint32_t seen = wake.seq.load(std::memory_order_seq_cst);
        auto events = (*input)->poll();
        if (!events) daemon::die("orbital", "input: " + events.error().message());
        for (const InputEvent& ev : *events) scheme.inject(ev);
        bool any = scheme.poll_once();   // also re-runs reads parked before the input
        present();
        if (any || !events->empty()) continue;
        sys::wait_wake(seen);
    }
    return 0;
}
