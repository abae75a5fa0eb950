// What every daemon shares: init's readiness protocol. init starts a daemon
// with INIT_NOTIFY=<fd> (the write end of a pipe); the daemon writes one byte
// once its scheme is registered, and init goes on.
#pragma once

#include "schemes/libredox.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace redox::daemon {

inline void ready() {
    if (const char* fd = std::getenv("INIT_NOTIFY")) {
        int n = std::atoi(fd);
        char byte = 0;
        (void)sys::write(n, &byte, 1);
        (void)sys::close(n);
        unsetenv("INIT_NOTIFY");
    }
}

// One line on the daemon's stderr (the console or log), then exit(1).
[[noreturn]] inline void die(std::string_view who, std::string_view what) {
    std::string line = std::string(who) + ": " + std::string(what) + "\n";
    (void)sys::write_all(2, line);
    sys::exit(1);
}

} // namespace redox::daemon
