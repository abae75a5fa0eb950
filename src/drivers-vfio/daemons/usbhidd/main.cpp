// usbhidd: `usbhidd /scheme/usb.NAME/portN [keyboard|mouse]` reads a HID boot
// keyboard's or boot mouse's reports from xhcid and sends them to inputd as key or
// mouse events (/scheme/input/producer). Without the second argument: keyboard.
#include "daemons/daemon.h"
#include "daemons/usbhidd/boot_keyboard.h"
#include "daemons/usbhidd/boot_mouse.h"

int main(int argc, char** argv) {
    using namespace redox;
    std::string kind = argc == 3 ? argv[2] : "keyboard";
    if (argc < 2 || argc > 3 || (kind != "keyboard" && kind != "mouse"))
        daemon::die("usbhidd", "usage: usbhidd /scheme/usb.NAME/portN [keyboard|mouse]");
    std::string port = argv[1];
    (void)sys::set_name("usbhidd");
    auto reports = sys::open(port + "/reports", O_RDONLY_);
    if (!reports) daemon::die("usbhidd", port + "/reports: " + reports.error().message());
    auto producer = input::Producer::open();
    if (!producer) daemon::die("usbhidd", "input producer: " + producer.error().message());
    usbhid::BootKeyboard keyboard;
    usbhid::BootMouse mouse;
    uint8_t buf[64];
    for (;;) {
        auto n = sys::read(*reports, buf, sizeof buf);
        if (!n) daemon::die("usbhidd", port + "/reports: " + n.error().message());
        if (*n == 0) return 0;  // the device is gone
        auto events = kind == "mouse" ? mouse.report({buf, *n}) : keyboard.report({buf, *n});
        if (events.empty()) continue;
        if (auto r = producer->send(events); !r) daemon::die("usbhidd", "input producer: " + r.error().message());
    }
}
