#include "orbital/host/app_host.h"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "orbital/backend/headless.h"
#include "orbital/backend/sdl.h"

namespace redox::orbital {
namespace {

bool parse_int(std::string_view s, int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

} // namespace

Result<HostOptions> parse_host_args(std::span<char*> args) {
    HostOptions o;
    bool frames_given = false;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        auto value = [&]() -> Result<std::string_view> {
            if (i + 1 >= args.size()) return err(EINVAL, std::string(a) + ": missing value");
            return std::string_view(args[++i]);
        };
        if (a == "--headless") {
            o.headless = true;
        } else if (a == "--size") {
            std::string_view v = TRY(value());
            size_t x = v.find('x');
            int64_t w = 0, h = 0;
            if (x == std::string_view::npos || !parse_int(v.substr(0, x), w) ||
                !parse_int(v.substr(x + 1), h) || w < 64 || h < 64 || w > 8192 || h > 8192)
                return err(EINVAL, "--size " + std::string(v) + ": expected WxH between 64 and 8192");
            o.width = int32_t(w);
            o.height = int32_t(h);
        } else if (a == "--config") {
            o.config_path = std::string(TRY(value()));
        } else if (a == "--screenshot") {
            o.screenshot_path = std::string(TRY(value()));
        } else if (a == "--frames") {
            std::string_view v = TRY(value());
            if (!parse_int(v, o.frames) || o.frames < 1)
                return err(EINVAL, "--frames " + std::string(v) + ": expected a positive number");
            frames_given = true;
        } else if (a.starts_with("-")) {
            return err(EINVAL, std::string(a) + ": unknown option");
        } else {
            o.apps.emplace_back(a);
        }
    }
    if (o.headless && !frames_given) o.frames = 60;
    return o;
}

Result<std::unique_ptr<AppHost>> AppHost::create(const HostOptions& opts) {
    ServerOptions so;
    so.width = opts.width;
    so.height = opts.height;
    if (!opts.config_path.empty()) so.config = TRY(OrbitalConfig::load(opts.config_path));
    std::unique_ptr<DisplayBackend> display;
    if (opts.headless) {
        display = std::make_unique<HeadlessBackend>(opts.width, opts.height);
    } else {
        // Without a desktop SDL may fall back to the console (KMSDRM) and grab the
        // real screen; a simulator must not, so insist on X11 or Wayland.
        auto set = [](const char* v) { const char* e = std::getenv(v); return e && *e; };
        if (!set("DISPLAY") && !set("WAYLAND_DISPLAY") && !set("SDL_VIDEODRIVER"))
            return err(ENODEV, "no DISPLAY or WAYLAND_DISPLAY set");
        display = TRY(SdlBackend::create(opts.width, opts.height, "redox-sim orbital"));
    }
    auto server = TRY(OrbitalServer::create(std::move(so)));
    return std::unique_ptr<AppHost>(new AppHost(std::move(server), std::move(display), opts));
}

Result<void> AppHost::run() {
    using clock = std::chrono::steady_clock;
    const auto frame_time = std::chrono::microseconds(16667);
    auto next = clock::now();
    for (int64_t frame = 0; m_opts.frames == 0 || frame < m_opts.frames; ++frame) {
        for (const InputEvent& ev : m_display->poll_input()) m_server->inject(ev);
        if (m_server->quit_requested()) break;
        std::erase_if(m_apps, [](const std::unique_ptr<App>& a) { return !a->step(); });
        if (m_apps.empty()) break;
        std::vector<Rect> rects = m_server->composite();
        if (!rects.empty()) m_display->present(m_server->screen().view(), rects);
        if (!m_opts.headless) {
            next += frame_time;
            std::this_thread::sleep_until(next);
            if (clock::now() > next + frame_time) next = clock::now();
        }
    }
    if (!m_opts.screenshot_path.empty()) TRY(m_server->screenshot(m_opts.screenshot_path));
    return {};
}

} // namespace redox::orbital
