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

// Calls on the channel for a host function, which pcid owns (it holds the
// VFIO device; a device model lives in its driver instead and answers these
// with ENODEV). meta = {request, argument}; the payload carries the rest.
enum class ChannelCall : uint64_t {
    ConfigRead = 1,   // arg OFFSET | SIZE << 16; payload out: u32 value
    ConfigWrite = 2,  // arg OFFSET | SIZE << 16; payload in: u32 value
    Bar = 3,          // arg BAR; payload out: {u64 physical address, u64 size}
    Info = 4,         // payload out: ChannelInfo
    EnableIrqs = 5,   // arg MODE | COUNT << 8; the COUNT vector handles were sent
                      // (sendfd) first, in order; payload out: u32 kIntxUnmaskBound?
    UnmaskIntx = 6,
};
struct ChannelInfo {
    uint32_t irq_counts[3];  // by pci::IrqMode
    uint32_t flags;          // kNoIommu
};
inline constexpr uint32_t kNoIommu = 1, kIntxUnmaskBound = 1;

// The driver's hardware: a device model opened in this process, or, for a host
// function, pcid's over the channel (PcidDevice). Either way wrapped so that DMA
// memory and interrupts come from the kernel's memory and irq schemes.
Result<HostedDevice> open_claimed(const ClaimedFunction& claim);

} // namespace redox::host
