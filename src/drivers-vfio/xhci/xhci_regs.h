// xHCI 1.2 registers, TRBs and contexts (32-byte contexts, HCCPARAMS1.CSZ = 0) used by
// xhcid; shared by the driver core and the device model.
#pragma once

#include <cstddef>
#include <cstdint>

namespace redox::xhci {

namespace cap {
inline constexpr uint32_t Caplength = 0x00; // u8, HCIVERSION u16 at 0x02
inline constexpr uint32_t Hcsparams1 = 0x04;
inline constexpr uint32_t Hcsparams2 = 0x08;
inline constexpr uint32_t Hccparams1 = 0x10;
inline constexpr uint32_t Dboff = 0x14;
inline constexpr uint32_t Rtsoff = 0x18;
} // namespace cap

namespace op { // relative to CAPLENGTH
inline constexpr uint32_t Usbcmd = 0x00;
inline constexpr uint32_t Usbsts = 0x04;
inline constexpr uint32_t Pagesize = 0x08;
inline constexpr uint32_t Crcr = 0x18;   // 64-bit
inline constexpr uint32_t Dcbaap = 0x30; // 64-bit
inline constexpr uint32_t Config = 0x38;
inline constexpr uint32_t Portsc = 0x400; // + 0x10 * (port - 1)
} // namespace op

namespace rt { // relative to RTSOFF, interrupter 0
inline constexpr uint32_t Iman = 0x20;
inline constexpr uint32_t Imod = 0x24;
inline constexpr uint32_t Erstsz = 0x28;
inline constexpr uint32_t Erstba = 0x30; // 64-bit
inline constexpr uint32_t Erdp = 0x38;   // 64-bit
} // namespace rt

inline constexpr uint32_t CmdRun = 1u << 0;
inline constexpr uint32_t CmdHcrst = 1u << 1;
inline constexpr uint32_t CmdInte = 1u << 2;
inline constexpr uint32_t StsHch = 1u << 0;
inline constexpr uint32_t StsEint = 1u << 3;
inline constexpr uint32_t StsPcd = 1u << 4;
inline constexpr uint32_t StsCnr = 1u << 11;
inline constexpr uint32_t ImanIp = 1u << 0;
inline constexpr uint32_t ImanIe = 1u << 1;
inline constexpr uint64_t ErdpEhb = 1u << 3;
inline constexpr uint64_t CrcrRcs = 1u << 0;

inline constexpr uint32_t PortCcs = 1u << 0;
inline constexpr uint32_t PortPed = 1u << 1;
inline constexpr uint32_t PortPr = 1u << 4;
inline constexpr uint32_t PortPp = 1u << 9;
inline constexpr uint32_t PortCsc = 1u << 17;
inline constexpr uint32_t PortPec = 1u << 18;
inline constexpr uint32_t PortPrc = 1u << 21;
inline constexpr uint32_t PortChangeBits = 0x7Fu << 17; // CSC..CEC, write 1 to clear
inline constexpr uint32_t port_speed(uint32_t portsc) { return (portsc >> 10) & 0xF; }
inline constexpr uint32_t SpeedFull = 1, SpeedLow = 2, SpeedHigh = 3, SpeedSuper = 4;

struct Trb {
    uint64_t param;
    uint32_t status;
    uint32_t control;
};
static_assert(sizeof(Trb) == 16);

inline constexpr uint32_t TrbCycle = 1u << 0;
inline constexpr uint32_t TrbToggle = 1u << 1; // Link TRB: toggle cycle
inline constexpr uint32_t TrbIsp = 1u << 2;
inline constexpr uint32_t TrbIoc = 1u << 5;
inline constexpr uint32_t TrbIdt = 1u << 6;
inline constexpr uint32_t TrbDirIn = 1u << 16;  // Data/Status stage direction
inline constexpr uint32_t trb_type(uint32_t control) { return (control >> 10) & 0x3F; }
inline constexpr uint32_t type_bits(uint32_t type) { return type << 10; }
inline constexpr uint32_t slot_bits(uint32_t slot) { return slot << 24; }

namespace trb {
inline constexpr uint32_t Normal = 1;
inline constexpr uint32_t Setup = 2;
inline constexpr uint32_t Data = 3;
inline constexpr uint32_t Status = 4;
inline constexpr uint32_t Link = 6;
inline constexpr uint32_t EnableSlot = 9;
inline constexpr uint32_t DisableSlot = 10;
inline constexpr uint32_t AddressDevice = 11;
inline constexpr uint32_t ConfigureEndpoint = 12;
inline constexpr uint32_t NoOpCommand = 23;
inline constexpr uint32_t TransferEvent = 32;
inline constexpr uint32_t CommandCompletion = 33;
inline constexpr uint32_t PortStatusChange = 34;
} // namespace trb

namespace cc { // completion codes
inline constexpr uint32_t Success = 1;
inline constexpr uint32_t DataBuffer = 2;
inline constexpr uint32_t TrbError = 5;
inline constexpr uint32_t Stall = 6;
inline constexpr uint32_t NoSlots = 9;
inline constexpr uint32_t SlotNotEnabled = 11;
inline constexpr uint32_t ShortPacket = 13;
inline constexpr uint32_t Parameter = 17;
inline constexpr uint32_t ContextState = 19;
} // namespace cc

struct ErstEntry {
    uint64_t base;
    uint32_t size;
    uint32_t reserved;
};
static_assert(sizeof(ErstEntry) == 16);

// 32-byte contexts as raw dwords; the field helpers below name the bits used.
struct Context {
    uint32_t dw[8];
};
static_assert(sizeof(Context) == 32);
inline constexpr size_t InputControlIndex = 0; // input context: control, slot, ep0 (DCI 1), ...
inline constexpr uint32_t EpTypeControl = 4;
inline constexpr uint32_t EpTypeInterruptIn = 7;
inline constexpr uint32_t SlotStateAddressed = 2;
inline constexpr uint32_t SlotStateConfigured = 3;
inline constexpr uint32_t EpStateRunning = 1;

// Device context index of endpoint `address` (0x81 -> 3).
inline constexpr unsigned endpoint_dci(uint8_t address) {
    return (address & 0x0F) * 2u + ((address & 0x80) ? 1u : 0u);
}

// USB control request (setup packet).
struct SetupPacket {
    uint8_t request_type;
    uint8_t request;
    uint16_t value;
    uint16_t index;
    uint16_t length;
};
static_assert(sizeof(SetupPacket) == 8);

} // namespace redox::xhci
