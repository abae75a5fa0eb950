// orbinput COMMAND...: injects input into Orbital as its display would deliver it,
// through /scheme/orbital/control (root only). Each argument is one command line of
// src/orbital/daemon/control.h, e.g.
//   orbinput "mouse 100 80" "button 1 0 0" "button 0 0 0" "key 0x1E press U+61"
#include <string>

#include "schemes/libredox.h"

int main(int argc, char** argv) {
    using namespace redox;
    auto die = [](const std::string& what) {
        (void)sys::write_all(2, "orbinput: " + what + "\n");
        sys::exit(1);
    };
    if (argc < 2) die("usage: orbinput COMMAND... (key CODE [press|release] [U+XXXX], text C, mouse X Y, "
                      "mouse_relative DX DY, button L M R, scroll DX DY, display_resize W H, quit)");
    (void)sys::set_name("orbinput");
    const char* display = std::getenv("ORBITAL_DISPLAY");
    std::string root = display && *display ? display : "/scheme/orbital";
    auto fd = sys::open(root + "/control", O_WRONLY_ | O_CLOEXEC_);
    if (!fd) die(root + "/control: " + fd.error().message());
    // One write per command, so the first bad one stops the rest.
    for (int i = 1; i < argc; ++i) {
        std::string cmd = argv[i];
        if (auto w = sys::write(*fd, cmd.data(), cmd.size()); !w) die("\"" + cmd + "\": " + w.error().message());
    }
    (void)sys::close(*fd);
    sys::exit(0);
}
