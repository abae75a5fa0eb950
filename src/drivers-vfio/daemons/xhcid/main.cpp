// xhcid: the xHCI controller pcid-spawner hands over (PCID_CLIENT_CHANNEL), served as
// usb.pci-BB-DD.F. Every connected device is enumerated at start; for each HID boot
// keyboard or mouse xhcid starts `usbhidd /scheme/usb.NAME/portN keyboard|mouse`
// (from its own directory), as Redox's xhcid spawns the class drivers. With the
// model, `--device xhci=SOCKET` connects the keyboard and the mouse to a host socket:
// xhcid sends one byte (0) when it is up; then a datagram of 0xFF and four bytes
// (buttons, dx, dy, wheel) moves the model mouse, and each byte of any other datagram
// is a key press (HID usage) on the model keyboard.
#include <fmt/format.h>

#include "daemons/daemon.h"
#include "daemons/xhcid/UsbScheme.h"
#include "host/channel.h"
#include "host/waker.h"
#include "host/wire.h"
#include "model/xhci_model.h"

int main(int argc, char** argv) {
    using namespace redox;
    (void)sys::set_name("xhcid");
    auto claim = host::claim_from_env();
    if (!claim) daemon::die("xhcid", claim.error().message());
    std::string scheme_name = "usb." + claim->scheme_suffix();
    std::string who = "xhcid " + scheme_name;
    auto hw = host::open_claimed(*claim);
    if (!hw) daemon::die(who, hw.error().message());
    auto* model = dynamic_cast<pci::XhciModel*>(hw->model);
    auto hc = xhci::Xhci::create(*hw->dev);
    if (!hc) daemon::die(who, hc.error().message());
    for (const auto& d : (*hc)->devices())
        (void)sys::write_all(2, fmt::format("{}: port {}: {:04x}:{:04x}{}\n", who, d.port, d.descriptor.vendor,
                                            d.descriptor.product, d.keyboard ? " keyboard" : d.mouse ? " mouse" : ""));

    usbd::UsbScheme scheme(who, scheme_name, **hc);
    if (auto r = scheme.attach(scheme_name); !r) daemon::die(who, r.error().message());
    std::unique_ptr<host::HostWire> wire;
    if (model && !claim->spec.path.empty()) {
        auto w = host::HostWire::connect(claim->spec.path);
        if (!w) daemon::die(who, w.error().message());
        wire = std::move(*w);
    }
    // Interrupts ring the sim wake word (the irq scheme); a model's host socket
    // needs a Waker thread.
    std::vector<int> fds;
    if ((*hc)->irq_fd() >= 0) fds.push_back((*hc)->irq_fd());
    if (wire) fds.push_back(wire->fd());
    std::unique_ptr<host::Waker> waker;
    if (!fds.empty()) {
        auto w = host::Waker::start(fds);
        if (!w) daemon::die(who, w.error().message());
        waker = std::move(*w);
    }

    std::string dir = argc > 0 ? std::string(argv[0]) : std::string();
    dir = dir.find('/') == std::string::npos ? "/usr/lib/drivers" : dir.substr(0, dir.rfind('/'));
    for (const auto& d : (*hc)->devices()) {
        if (!d.keyboard && !d.mouse) continue;
        sys::SpawnSpec s;
        s.path = dir + "/usbhidd";
        s.argv = {"usbhidd", "/scheme/" + scheme_name + "/port" + std::to_string(d.port), d.mouse ? "mouse" : "keyboard"};
        if (auto pid = sys::spawn(s); !pid) (void)sys::write_all(2, who + ": usbhidd: " + pid.error().message() + "\n");
    }
    daemon::ready();
    if (wire) {
        const uint8_t hello = 0;
        wire->send({&hello, 1});
    }

    auto& wake = sys::wake_word();
    bool healthy = true;
    while (!scheme.detached()) {
        uint32_t seen = wake.seq.load(std::memory_order_seq_cst);
        if (wire)
            while (auto msg = wire->receive()) {
                if (msg->size() == 5 && (*msg)[0] == 0xFF) {
                    model->move_mouse((*msg)[1], int8_t((*msg)[2]), int8_t((*msg)[3]), int8_t((*msg)[4]));
                    continue;
                }
                for (uint8_t usage : *msg)
                    if (usage) model->press_key(usage);
            }
        if (healthy) healthy = scheme.poll();
        if (waker) waker->rearm();
        if (scheme.poll_once()) continue;
        sys::wait_wake(seen);
    }
    return 0;
}
