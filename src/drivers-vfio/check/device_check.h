// End-to-end checks of one PCI function with the driver core its class selects
// (as pcid-spawner would): the same code runs against a device model and against a
// real function through VFIO, so `redox-sim drivers-check` proves a host device the
// way the unit tests prove the models.
//
//   network (02:00)  e1000: MAC, link, ARP request for 10.0.2.2 answered
//   storage (01:08)  nvme: identify, GPT if present, optional write/read-back
//   storage (01:06)  ahci: IDENTIFY, GPT if present, optional write/read-back
//   usb (0c:03:30)   xhci: enumerate, optional wait for a key press
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pci/pci_device.h"

namespace redox::check {

struct CheckLine {
    bool ok;
    std::string text;
};

struct CheckOptions {
    // Disk write test at this LBA (the original sectors are restored afterwards).
    std::optional<uint64_t> write_lba;
    // Milliseconds to wait for a key press on a USB keyboard (0: do not wait).
    int key_wait_ms = 0;
    int timeout_ms = 3000;
    // Called while waiting for network or keyboard input: a model's host side
    // (ARP responder, key presses) runs here. Empty for real devices.
    std::function<void()> pump;
    // Called with each line as soon as it is known (a watcher may react to it,
    // e.g. start typing once the keyboard is enumerated).
    std::function<void(const CheckLine&)> report;
};

// Never throws or crashes on a faulty device: failures are FAIL lines.
std::vector<CheckLine> check_device(pci::PciDevice& dev, const CheckOptions& opts);

// The ARP request e1000 checks send, and a reply as slirp would give (for models).
std::vector<uint8_t> arp_request(const std::array<uint8_t, 6>& mac);
std::optional<std::vector<uint8_t>> arp_reply_for(std::span<const uint8_t> frame);

} // namespace redox::check
