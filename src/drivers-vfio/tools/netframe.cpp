// netframe: raw Ethernet frames through a network.<name> scheme, one per call.
//   netframe send /scheme/network.NAME FILE   sends FILE's bytes as one frame
//   netframe recv /scheme/network.NAME FILE   waits for one frame, writes it to FILE
//   netframe mac /scheme/network.NAME         prints the MAC address
#include <fmt/format.h>

#include "schemes/libredox.h"

namespace {

using namespace redox;

int fail(const std::string& what) {
    (void)sys::write_all(2, "netframe: " + what + "\n");
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    const char* usage = "usage: netframe send|recv DEVICE FILE, or netframe mac DEVICE";
    if (argc < 3) return fail(usage);
    std::string verb = argv[1], dev = argv[2];
    if (verb == "mac" && argc == 3) {
        auto fd = sys::open(dev + "/mac", O_RDONLY_);
        if (!fd) return fail(dev + "/mac: " + fd.error().message());
        uint8_t m[6];
        auto n = sys::read(*fd, m, sizeof m);
        if (!n || *n != 6) return fail(dev + "/mac: short read");
        (void)sys::write_all(1, fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n", m[0], m[1], m[2], m[3], m[4], m[5]));
        return 0;
    }
    if (argc != 4 || (verb != "send" && verb != "recv")) return fail(usage);
    std::string file = argv[3];
    if (verb == "send") {
        auto in = sys::open(file, O_RDONLY_);
        if (!in) return fail(file + ": " + in.error().message());
        auto frame = sys::read_all(*in);
        if (!frame) return fail(file + ": " + frame.error().message());
        auto out = sys::open(dev, O_WRONLY_);
        if (!out) return fail(dev + ": " + out.error().message());
        auto n = sys::write(*out, frame->data(), frame->size());
        if (!n) return fail(dev + ": " + n.error().message());
        return 0;
    }
    auto in = sys::open(dev, O_RDONLY_);
    if (!in) return fail(dev + ": " + in.error().message());
    std::string frame(2048, '\0');
    auto n = sys::read(*in, frame.data(), frame.size());
    if (!n) return fail(dev + ": " + n.error().message());
    frame.resize(*n);
    auto out = sys::open(file, O_WRONLY_ | O_CREAT_ | O_TRUNC_);
    if (!out) return fail(file + ": " + out.error().message());
    if (auto w = sys::write_all(*out, frame); !w) return fail(file + ": " + w.error().message());
    return 0;
}
