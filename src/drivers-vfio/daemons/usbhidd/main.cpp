// usbhidd: `usbhidd /scheme/usb.NAME/portN` reads a HID boot keyboard's reports from
// xhcid and sends them to inputd as key events (/scheme/input/producer).
#include "daemons/daemon.h"
#include "daemons/usbhidd/boot_keyboard.h"

int main(int argc, char** argv) {
    using namespace redox;
    if (argc != 2) daemon::die("usbhidd", "usage: usbhidd /scheme/usb.NAME/portN");
    std::string port = argv[1];
    (void)sys::set_name("usbhidd");
    auto reports = sys::open(port + "/reports", O_RDONLY_);
    if (!reports) daemon::die("usbhidd", port + "/reports: " + reports.error().message());
    auto producer = input::Producer::open();
    if (!producer) daemon::die("usbhidd", "input producer: " + producer.error().message());
    usbhid::BootKeyboard keyboard;
    uint8_t buf[64];
    for (;;) {
        auto n = sys::read(*reports, buf, sizeof buf);
        if (!n) daemon::die("usbhidd", port + "/reports: " + n.error().message());
        if (*n == 0) return 0;  // the device is gone
        auto events = keyboard.report({buf, *n});
        if (events.empty()) continue;
        if (auto r = producer->send(events); !r) daemon::die("usbhidd", "input producer: " + r.error().message());
    }
}
