// screenshot [--display] PATH: writes what Orbital shows now as a PNG file at the sim
// path PATH (e.g. /scheme/host/shot.png with `redox-sim boot --share DIR`). Reads the
// composited screen from /scheme/orbital/screen, or with --display what the display
// backend shows (/scheme/display/capture: for SDL2 the window's pixels read back from
// the renderer), after Orbital has shown its damage. Redox itself has no such tool.
#include <charconv>
#include <string>
#include <vector>

#include "orbital/core/png_io.h"
#include "schemes/libredox.h"

namespace {

using namespace redox;

[[noreturn]] void die(const std::string& what) {
    (void)sys::write_all(2, "screenshot: " + what + "\n");
    sys::exit(1);
}

} // namespace

int main(int argc, char** argv) {
    bool shown = argc == 3 && std::string_view(argv[1]) == "--display";
    if (argc != 2 + int(shown) || std::string_view(argv[argc - 1]).starts_with("-"))
        die("usage: screenshot [--display] PATH");
    std::string path = argv[argc - 1];
    (void)sys::set_name("screenshot");
    const char* display = std::getenv("ORBITAL_DISPLAY");
    std::string source = std::string(display && *display ? display : "/scheme/orbital") + "/screen";
    auto screen = sys::open(source, O_RDONLY_ | O_CLOEXEC_);
    if (!screen) die(source + ": " + screen.error().message() + " (is orbital running?)");
    if (shown) {
        // Reading Orbital's screen makes it composite and show what is damaged.
        uint32_t px = 0;
        if (auto r = sys::pread(*screen, &px, sizeof px, 0); !r) die("read screen: " + r.error().message());
        (void)sys::close(*screen);
        source = "/scheme/display/capture";
        screen = sys::open(source, O_RDONLY_ | O_CLOEXEC_);
        if (!screen) die(source + ": " + screen.error().message() + " (is displayd running?)");
    }
    // "orbital:screen/W/H" or "display:capture/W/H"
    auto where = sys::fpath(*screen);
    if (!where) die("fpath: " + where.error().message());
    int32_t size[2] = {};
    std::string_view p = *where;
    for (int i = 0; i < 2; ++i) {
        size_t slash = p.rfind('/');
        std::string_view num = p.substr(slash == std::string_view::npos ? 0 : slash + 1);
        auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), size[1 - i]);
        if (slash == std::string_view::npos || ec != std::errc() || end != num.data() + num.size() || size[1 - i] <= 0)
            die("unexpected screen path \"" + *where + "\"");
        p = p.substr(0, slash);
    }
    orbital::Image img(size[0], size[1]);
    auto bytes = std::as_writable_bytes(img.pixels());
    size_t got = 0;
    while (got < bytes.size()) {
        auto n = sys::pread(*screen, bytes.data() + got, bytes.size() - got, got);
        if (!n) die("read screen: " + n.error().message());
        if (*n == 0) die("screen ended after " + std::to_string(got) + " bytes");
        got += *n;
    }
    (void)sys::close(*screen);
    auto png = orbital::encode_png(img.view());
    if (!png) die("encode: " + png.error().message());
    auto out = sys::open(path, O_WRONLY_ | O_CREAT_ | O_TRUNC_ | O_CLOEXEC_, 0644);
    if (!out) die(path + ": " + out.error().message());
    std::string_view data(reinterpret_cast<const char*>(png->data()), png->size());
    if (auto w = sys::write_all(*out, data); !w) die(path + ": " + w.error().message());
    if (auto c = sys::close(*out); !c) die(path + ": " + c.error().message());
    sys::exit(0);
}
