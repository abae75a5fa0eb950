// A HostOs whose fds 1 and 2 are in-memory buffers, so tests can run Ion
// code and look at what it printed, in order.
#pragma once

#include "ion/host_os.h"
#include "ion/shell.h"

#include <string>

struct CaptureOs : ion::HostOs {
    std::string out, err, both;
    redox::Result<size_t> write(int fd, std::string_view data) override {
        if (fd == 1 || fd == 2) {
            (fd == 1 ? out : err).append(data);
            both.append(data);
            return data.size();
        }
        return HostOs::write(fd, data);
    }
};

// Runs `src` in a fresh shell; returns everything printed (stdout+stderr).
inline std::string run_ion(const std::string& src, int* status = nullptr) {
    CaptureOs os;
    ion::Shell sh(os);
    int st = sh.run_string(src, "test");
    if (status) *status = st;
    return os.both;
}
