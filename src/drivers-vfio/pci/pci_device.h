// The PCI access interface every driver core is written against. Two backends
// implement it: VfioDevice (a real function bound to vfio-pci) and the in-process
// device models (model/). A driver never learns which one it has.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pci/dma.h"
#include "pci/irq_event.h"
#include "pci/mmio.h"
#include "schemes/error.h"

namespace redox::pci {

// Configuration space offsets (type 0 header) and capability ids used by the drivers.
namespace cfg {
inline constexpr uint16_t VendorId = 0x00;
inline constexpr uint16_t DeviceId = 0x02;
inline constexpr uint16_t Command = 0x04;
inline constexpr uint16_t Status = 0x06;
inline constexpr uint16_t Revision = 0x08;
inline constexpr uint16_t ProgIf = 0x09;
inline constexpr uint16_t Subclass = 0x0A;
inline constexpr uint16_t Class = 0x0B;
inline constexpr uint16_t Bar0 = 0x10;
inline constexpr uint16_t CapPtr = 0x34;
inline constexpr uint16_t InterruptLine = 0x3C;
inline constexpr uint16_t InterruptPin = 0x3D;

inline constexpr uint16_t CmdMemory = 1 << 1;
inline constexpr uint16_t CmdBusMaster = 1 << 2;
inline constexpr uint16_t CmdIntxDisable = 1 << 10;
inline constexpr uint16_t StatusCapList = 1 << 4;

inline constexpr uint8_t CapMsi = 0x05;
inline constexpr uint8_t CapMsix = 0x11;
} // namespace cfg

struct PciAddress {
    uint16_t segment = 0;
    uint8_t bus = 0, device = 0, function = 0;

    // "0000:03:00.0" or "03:00.0".
    static Result<PciAddress> parse(std::string_view text);
    std::string str() const;
    bool operator==(const PciAddress&) const = default;
};

// What pcid-spawner matches on.
struct PciId {
    uint16_t vendor = 0, device = 0;
    uint8_t class_code = 0, subclass = 0, interface = 0, revision = 0;
};

class PciDevice {
public:
    virtual ~PciDevice() = default;

    // "0000:03:00.0" for a host device, "model:nvme" for a model: used in messages.
    virtual std::string name() const = 0;

    virtual Result<uint32_t> config_read(uint16_t offset, unsigned size) = 0;
    virtual Result<void> config_write(uint16_t offset, unsigned size, uint32_t value) = 0;

    // The window stays valid for the lifetime of this device.
    virtual Result<RegisterWindow> map_bar(unsigned bar) = 0;

    // Page-aligned, zeroed, physically contiguous from the device's point of view.
    virtual Result<DmaBuffer> alloc_dma(size_t size) = 0;
    // Makes `size` bytes at `virt` (page-aligned memory the caller got elsewhere,
    // e.g. from the sim's memory scheme) reachable by the device at bus address
    // `bus`. The backing undoes that when it dies; the memory stays the caller's.
    virtual Result<std::unique_ptr<DmaBuffer::Backing>> map_dma(std::byte* virt, size_t size, uint64_t bus);

    // How many vectors of this kind the function offers (0 = not supported).
    virtual unsigned irq_count(IrqMode mode) const = 0;
    // Routes `count` vectors of `mode` to fresh eventfds (replacing earlier routing).
    virtual Result<std::vector<IrqEvent>> enable_irqs(IrqMode mode, unsigned count) = 0;
    // INTx is level triggered: it stays masked after firing until the driver has
    // cleared the cause in the device and calls this.
    virtual Result<void> unmask_intx() = 0;
    // An eventfd whose every write unmasks INTx (VFIO's unmask irqfd), for whoever
    // acknowledges the interrupt; EOPNOTSUPP where unmasking is only a call.
    virtual Result<UniqueFd> intx_unmask_eventfd();

    // Helpers built on the virtuals above.
    Result<PciId> id();
    Result<void> enable_bus_master();
    // Offset of the first capability with this id, or 0.
    Result<uint16_t> find_capability(uint8_t cap_id);
};

} // namespace redox::pci
