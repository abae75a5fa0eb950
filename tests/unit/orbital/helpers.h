// Shared fixtures for Orbital tests: a small headless desk with known colours, and
// readable assertions on pixels and events.
#pragma once

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "orbital/client/inprocess_transport.h"
#include "orbital/client/window.h"
#include "orbital/server/server.h"

namespace orbtest {

using namespace redox::orbital;
using namespace redox::orbclient;

inline constexpr uint32_t kBackground = 0xFF203040;
inline constexpr uint32_t kBar = 0xFF111111;        // opaque so pixels are exact
inline constexpr uint32_t kBarFocused = 0xFF333333;

inline ServerOptions desk_options(int32_t w = 320, int32_t h = 240) {
    ServerOptions o;
    o.width = w;
    o.height = h;
    o.config.background_color = kBackground;
    o.config.bar_color = kBar;
    o.config.bar_highlight_color = kBarFocused;
    o.config.text_color = 0xFFFFFFFF;
    o.config.text_highlight_color = 0xFFFFFFFF;
    o.software_cursor = false;   // tests that need the cursor turn it on
    return o;
}

struct Desk {
    std::unique_ptr<OrbitalServer> server;
    std::unique_ptr<InProcessTransport> transport;

    explicit Desk(ServerOptions opts = desk_options()) {
        auto s = OrbitalServer::create(std::move(opts));
        REQUIRE(s.has_value());
        server = std::move(*s);
        transport = std::make_unique<InProcessTransport>(*server, 1000);
    }
    std::unique_ptr<Window> window(int32_t x, int32_t y, int32_t w, int32_t h,
                                   std::string title = "t", uint32_t flags = 0) {
        auto win = Window::create(*transport, x, y, w, h, std::move(title), flags);
        if (!win) FAIL("Window::create: " << win.error().message());
        return std::move(*win);
    }
    // Screen pixel without alpha: opaque windows keep their own alpha byte on screen.
    uint32_t px(int32_t x, int32_t y) {
        server->composite();
        return server->screen().at(x, y) & 0xFFFFFF;
    }
};

inline uint32_t rgb(uint32_t argb) { return argb & 0xFFFFFF; }

// Drains a window's events; fails the test on a read error.
inline std::vector<EventOption> drain(Window& w) {
    auto ev = w.events();
    if (!ev) FAIL("events(): " << ev.error().message());
    return *ev;
}

inline std::string temp_dir() {
    char tmpl[] = "/tmp/orbital-test-XXXXXX";
    char* d = mkdtemp(tmpl);
    REQUIRE(d != nullptr);
    return d;
}

} // namespace orbtest
