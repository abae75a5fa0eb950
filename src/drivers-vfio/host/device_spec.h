// The PCI functions a sim is booted with, as `redox-sim boot` names them and as pcid
// hands them to a driver through its channel:
//
//   e1000[=SOCKET]   82540EM model; frames go to / come from the host unix datagram
//                    socket SOCKET (a path the test or user has bound), else nowhere
//   nvme=IMAGE       NVMe model, one namespace backed by the host file IMAGE
//   ahci=IMAGE       AHCI model, one SATA disk on port 0 backed by IMAGE
//   xhci[=SOCKET]    xHCI model with a USB boot keyboard on port 1; each byte of a
//                    datagram from the host socket SOCKET presses that HID usage
//   vfio=ADDR        the host function ADDR (0000:03:00.0), bound to vfio-pci
//
// A model spec may end in `,remove-after=N`: the device is surprise-removed after the
// driver has served N requests (a fault for tests). Paths may not contain commas.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/model_device.h"
#include "pci/pci_device.h"

namespace redox::host {

struct DeviceSpec {
    std::string kind;                     // e1000, nvme, ahci, xhci or vfio
    std::string path;                     // IMAGE, SOCKET or the vfio address text
    std::optional<uint64_t> remove_after; // models only

    // "nvme=IMAGE" etc.; parse_vfio takes the argument of --vfio.
    static Result<DeviceSpec> parse(std::string_view text);
    static Result<DeviceSpec> parse_vfio(std::string_view addr);
    std::string text() const;
    bool is_model() const { return kind != "vfio"; }
};

// A device the driver process owns: the PciDevice plus, for models, the object that
// plays the hardware (its registers are function calls, so it lives in the driver).
struct HostedDevice {
    std::unique_ptr<pci::PciDevice> dev;
    pci::ModelDevice* model = nullptr;       // null for VFIO
    std::optional<uint64_t> remove_after;
    uint64_t served = 0;

    // Count one served request; removes the model once remove_after is reached.
    void count_request();
};

// Opens the hardware behind a spec in this process (the model, or the VFIO device):
// pcid and the host-side tools do; a driver in the sim calls open_claimed()
// (host/channel.h), which leaves a host function with pcid.
Result<HostedDevice> open_device(const DeviceSpec& spec);

} // namespace redox::host
