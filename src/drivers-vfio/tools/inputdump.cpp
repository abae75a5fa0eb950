// inputdump COUNT: opens an inputd consumer on a new VT, makes that VT active and
// prints the next COUNT events as `sim input` commands (key 0x1e press U+61,
// mouse_relative 5 -3, button 1 0 0, scroll 0 1), one a line. For checking what a
// keyboard or mouse driver delivers.
#include <charconv>
#include <fmt/format.h>

#include "daemons/inputd/producer.h"
#include "schemes/libredox.h"

using namespace redox;

static int fail(const std::string& what) {
    (void)sys::write_all(2, "inputdump: " + what + "\n");
    return 1;
}

int main(int argc, char** argv) {
    size_t count = 0;
    std::string_view arg = argc == 2 ? argv[1] : "";
    auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), count);
    if (arg.empty() || ec != std::errc() || p != arg.data() + arg.size()) return fail("usage: inputdump COUNT");
    auto fd = sys::open("/scheme/input/consumer", O_RDONLY_);
    if (!fd) return fail("/scheme/input/consumer: " + fd.error().message());
    auto path = sys::fpath(*fd);
    if (!path) return fail("fpath: " + path.error().message());
    uint64_t vt = 0;
    auto slash = path->rfind('/');
    std::from_chars(path->data() + slash + 1, path->data() + path->size(), vt);
    if (auto r = input::activate_vt(vt); !r) return fail(fmt::format("activate VT {}: {}", vt, r.error().message()));
    (void)sys::write_all(1, "inputdump: ready\n");
    for (size_t seen = 0; seen < count;) {
        input::Event ev[8];
        auto n = sys::read(*fd, ev, sizeof ev);
        if (!n) return fail("read: " + n.error().message());
        for (size_t i = 0; i < *n / sizeof(input::Event) && seen < count; ++i, ++seen) {
            const auto& e = ev[i];
            std::string line;
            if (e.code == input::kCodeKey) {
                line = fmt::format("key {:#04x} {}", e.b & 0xff, (e.b & 0x100) ? "press" : "release");
                if (e.a) line += fmt::format(" U+{:02X}", uint32_t(e.a));
            } else if (e.code == input::kCodeMouseRelative) {
                line = fmt::format("mouse_relative {} {}", e.a, e.b);
            } else if (e.code == input::kCodeMouse) {
                line = fmt::format("mouse {} {}", e.a, e.b);
            } else if (e.code == input::kCodeButton) {
                line = fmt::format("button {} {} {}", e.a & 1, (e.a >> 1) & 1, (e.a >> 2) & 1);
            } else if (e.code == input::kCodeScroll) {
                line = fmt::format("scroll {} {}", e.a, e.b);
            } else {
                line = fmt::format("event {} {} {}", e.code, e.a, e.b);
            }
            (void)sys::write_all(1, line + "\n");
        }
    }
    return 0;
}
