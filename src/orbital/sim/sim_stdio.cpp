#include "orbital/sim/sim_stdio.h"

#include <string_view>

#include "schemes/libredox.h"

namespace redox::orbital {

std::FILE* sim_stream(int sim_fd) {
    cookie_io_functions_t io{};
    io.write = [](void* cookie, const char* buf, size_t len) -> ssize_t {
        int fd = int(reinterpret_cast<intptr_t>(cookie));
        if (!sys::write_all(fd, std::string_view(buf, len))) return -1;
        return ssize_t(len);
    };
    std::FILE* f = fopencookie(reinterpret_cast<void*>(intptr_t(sim_fd)), "w", io);
    if (f) std::setvbuf(f, nullptr, _IOLBF, 4096);
    return f;
}

} // namespace redox::orbital
