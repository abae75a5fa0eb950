// The driver's end of pcid's channel: pcid-spawner starts a driver with
// PCID_CLIENT_CHANNEL=<fd>; reading it gives "ADDR SPEC". The driver keeps the fd
// open for its lifetime: that is its claim on the function.
#pragma once

#include <string>

#include "host/device_spec.h"

namespace redox::host {

struct ClaimedFunction {
    pci::PciAddress addr;
    DeviceSpec spec;
    int channel = -1;  // sim fd

    // "pci-00-03.0" (with the segment when it is not 0): the suffix of the
    // driver's scheme name, e.g. disk.pci-00-03.0.
    std::string scheme_suffix() const;
};

Result<ClaimedFunction> claim_from_env();

} // namespace redox::host
