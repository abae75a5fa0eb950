// AppHost runs Orbital and in-process orbclient applications in one loop, until the
// scheme daemon exists to put them in separate processes: each frame it feeds display
// input to the server, lets every app handle its events and draw, composites the
// damage and presents it on the backend (SDL2 window or headless memory).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "orbital/backend/display_backend.h"
#include "orbital/client/inprocess_transport.h"
#include "orbital/server/server.h"
#include "schemes/error.h"

namespace redox::orbital {

// One client program. step() handles pending events and draws; false = it has exited.
class App {
public:
    virtual ~App() = default;
    virtual bool step() = 0;
};

struct HostOptions {
    bool headless = false;
    int32_t width = 1024;
    int32_t height = 768;
    std::string config_path;       // orbital.toml; empty = built-in colours
    std::string screenshot_path;   // PNG written when the loop ends
    int64_t frames = 0;            // 0 = until quit (headless defaults to 60)
    std::vector<std::string> apps; // positional arguments, for the caller to interpret
};

// Parses [--headless] [--size WxH] [--config FILE] [--frames N] [--screenshot PATH] [APP...].
Result<HostOptions> parse_host_args(std::span<char*> args);

class AppHost {
public:
    static Result<std::unique_ptr<AppHost>> create(const HostOptions& opts);

    OrbitalServer& server() { return *m_server; }
    orbclient::Transport& transport() { return m_transport; }
    void add(std::unique_ptr<App> app) { m_apps.push_back(std::move(app)); }
    // Runs until the display is closed, every app exited, or the frame limit.
    Result<void> run();

private:
    AppHost(std::unique_ptr<OrbitalServer> server, std::unique_ptr<DisplayBackend> display,
            HostOptions opts)
        : m_server(std::move(server)), m_display(std::move(display)),
          m_transport(*m_server), m_opts(std::move(opts)) {}

    std::unique_ptr<OrbitalServer> m_server;
    std::unique_ptr<DisplayBackend> m_display;
    orbclient::InProcessTransport m_transport;
    HostOptions m_opts;
    std::vector<std::unique_ptr<App>> m_apps;
};

} // namespace redox::orbital
