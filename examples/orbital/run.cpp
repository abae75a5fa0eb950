#include "run.h"

#include <cstdio>

#include "apps.h"

namespace redox::examples {

int run_orbital_demo(std::span<char*> args, std::string_view prog,
                     const std::vector<std::string>& defaults) {
    auto fail = [&](const std::string& msg) {
        std::fprintf(stderr, "%.*s: %s\n", int(prog.size()), prog.data(), msg.c_str());
        return 1;
    };
    auto opts = orbital::parse_host_args(args);
    if (!opts) return fail(opts.error().message());
    if (opts->apps.empty()) opts->apps = defaults;
    auto host = orbital::AppHost::create(*opts);
    if (!host) {
        std::string what = opts->headless ? "headless display" : "SDL2 display";
        if (!opts->config_path.empty() && host.error().context.find(opts->config_path) != std::string::npos)
            what = "config";
        return fail(what + ": " + host.error().message() +
                    (opts->headless ? "" : " (use --headless without a display)"));
    }
    for (const std::string& name : opts->apps) {
        std::unique_ptr<orbital::App> app;
        if (name == "hello") app = make_hello_app((*host)->transport());
        else if (name == "paint") app = make_paint_app((*host)->transport());
        else if (name == "events") app = make_event_printer_app((*host)->transport(), stdout);
        else return fail("unknown app \"" + name + "\" (hello, paint, events)");
        if (!app) return fail("app " + name + " failed to start");
        (*host)->add(std::move(app));
    }
    if (auto r = (*host)->run(); !r) {
        std::string what = opts->screenshot_path.empty() ? "run" : "screenshot " + opts->screenshot_path;
        return fail(what + ": " + r.error().message());
    }
    return 0;
}

} // namespace redox::examples
