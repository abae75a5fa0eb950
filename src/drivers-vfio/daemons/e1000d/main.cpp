// e1000d: the 82540EM-family NIC pcid-spawner hands over (PCID_CLIENT_CHANNEL),
// served as network.pci-BB-DD.F. With the model, `--device e1000=SOCKET` connects the
// wire to a host unix datagram socket (HostWire).
//
// The loop: requests arrive on the sim wake word, and so do interrupts: the kernel's
// irq scheme rings it when the NIC's vector fires. A model's host socket is a Linux
// fd, which a Waker thread turns into wake-ups.
#include <fmt/format.h>

#include "daemons/daemon.h"
#include "host/wire.h"
#include "daemons/e1000d/NetworkScheme.h"
#include "host/channel.h"
#include "host/waker.h"
#include "model/e1000_model.h"

int main() {
    using namespace redox;
    (void)sys::set_name("e1000d");
    auto claim = host::claim_from_env();
    if (!claim) daemon::die("e1000d", claim.error().message());
    std::string scheme_name = "network." + claim->scheme_suffix();
    std::string who = "e1000d " + scheme_name;
    auto hw = host::open_claimed(*claim);
    if (!hw) daemon::die(who, hw.error().message());
    auto* model = dynamic_cast<pci::E1000Model*>(hw->model);
    std::unique_ptr<host::HostWire> wire;
    if (model && !claim->spec.path.empty()) {
        auto w = host::HostWire::connect(claim->spec.path);
        if (!w) daemon::die(who, w.error().message());
        wire = std::move(*w);
    }
    auto nic = e1000::E1000::create(*hw->dev);
    if (!nic) daemon::die(who, nic.error().message());
    const auto& mac = (*nic)->mac();
    (void)sys::write_all(2, fmt::format("{}: MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, link {}\n", who, mac[0], mac[1],
                                        mac[2], mac[3], mac[4], mac[5], (*nic)->link_up() ? "up" : "down"));

    net::NetworkScheme scheme(who, scheme_name, **nic, [&hw] { hw->count_request(); });
    if (auto r = scheme.attach(scheme_name); !r) daemon::die(who, r.error().message());
    std::vector<int> fds;
    if ((*nic)->irq_fd() >= 0) fds.push_back((*nic)->irq_fd());
    if (wire) fds.push_back(wire->fd());
    std::unique_ptr<host::Waker> waker;
    if (!fds.empty()) {
        auto w = host::Waker::start(fds);
        if (!w) daemon::die(who, w.error().message());
        waker = std::move(*w);
    }
    daemon::ready();

    auto& wake = sys::wake_word();
    bool healthy = true;
    while (!scheme.detached()) {
        uint32_t seen = wake.seq.load(std::memory_order_seq_cst);
        // The wire: frames from the host go onto the model's RX side...
        if (wire)
            while (auto f = wire->receive()) model->host_send(*f);
        if (healthy) healthy = scheme.receive((*nic)->irq_signalled());
        if (waker) waker->rearm();
        bool any = scheme.poll_once();
        // ...and what the driver transmitted (during those requests) goes to the host.
        if (model) {
            while (auto f = model->host_receive())
                if (wire) wire->send(*f);
        }
        if (any) continue;
        sys::wait_wake(seen);
    }
    return 0;
}
