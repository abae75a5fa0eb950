// AHCI 1.3.1 HBA/port registers, command list, command table and FIS layouts plus
// the ATA commands ahcid issues; shared by the driver core and the device model.
#pragma once

#include <cstddef>
#include <cstdint>

namespace redox::ahci {

inline constexpr unsigned AbarIndex = 5; // the HBA registers live in BAR5

namespace reg {
inline constexpr uint32_t Cap = 0x00;
inline constexpr uint32_t Ghc = 0x04;
inline constexpr uint32_t Is = 0x08;
inline constexpr uint32_t Pi = 0x0C;
inline constexpr uint32_t Vs = 0x10;
inline constexpr uint32_t PortBase = 0x100;
inline constexpr uint32_t PortStride = 0x80;
// Port-relative.
inline constexpr uint32_t Clb = 0x00;
inline constexpr uint32_t Clbu = 0x04;
inline constexpr uint32_t Fb = 0x08;
inline constexpr uint32_t Fbu = 0x0C;
inline constexpr uint32_t PIs = 0x10;
inline constexpr uint32_t PIe = 0x14;
inline constexpr uint32_t Cmd = 0x18;
inline constexpr uint32_t Tfd = 0x20;
inline constexpr uint32_t Sig = 0x24;
inline constexpr uint32_t Ssts = 0x28;
inline constexpr uint32_t Sctl = 0x2C;
inline constexpr uint32_t Serr = 0x30;
inline constexpr uint32_t Sact = 0x34;
inline constexpr uint32_t Ci = 0x38;
} // namespace reg

inline constexpr uint32_t port_reg(unsigned port, uint32_t r) { return reg::PortBase + port * reg::PortStride + r; }

inline constexpr uint32_t GhcHr = 1u << 0;
inline constexpr uint32_t GhcIe = 1u << 1;
inline constexpr uint32_t GhcAe = 1u << 31;
inline constexpr uint32_t CapS64a = 1u << 31;
inline constexpr uint32_t CmdSt = 1u << 0;
inline constexpr uint32_t CmdSud = 1u << 1;
inline constexpr uint32_t CmdPod = 1u << 2;
inline constexpr uint32_t CmdFre = 1u << 4;
inline constexpr uint32_t CmdFr = 1u << 14;
inline constexpr uint32_t CmdCr = 1u << 15;
inline constexpr uint32_t PisDhrs = 1u << 0;
inline constexpr uint32_t PisTfes = 1u << 30;
inline constexpr uint32_t TfdErr = 1u << 0;
inline constexpr uint32_t TfdDrq = 1u << 3;
inline constexpr uint32_t TfdBsy = 1u << 7;
inline constexpr uint32_t SstsDetPresent = 3;
inline constexpr uint32_t SigAta = 0x00000101;

struct CommandHeader {
    uint16_t flags;   // CFL in bits 0..4, W (write) bit 6, C (clear busy) bit 10
    uint16_t prdtl;   // PRDT entries
    uint32_t prdbc;   // bytes transferred, written by the HBA
    uint64_t ctba;    // command table, 128-byte aligned
    uint32_t reserved[4];
};
static_assert(sizeof(CommandHeader) == 32);
inline constexpr uint16_t HeaderWrite = 1u << 6;

struct PrdEntry {
    uint64_t dba;
    uint32_t reserved;
    uint32_t dbc;     // byte count - 1 in bits 0..21, interrupt bit 31
};
static_assert(sizeof(PrdEntry) == 16);

struct FisRegH2D {
    uint8_t type;     // 0x27
    uint8_t flags;    // bit 7: command
    uint8_t command;
    uint8_t feature_lo;
    uint8_t lba0, lba1, lba2;
    uint8_t device;   // bit 6: LBA
    uint8_t lba3, lba4, lba5;
    uint8_t feature_hi;
    uint16_t count;
    uint8_t icc;
    uint8_t control;
    uint32_t reserved;
};
static_assert(sizeof(FisRegH2D) == 20);
inline constexpr uint8_t FisTypeH2D = 0x27;
inline constexpr uint8_t FisTypeD2H = 0x34;

inline constexpr size_t CommandTableCfis = 0x00;
inline constexpr size_t CommandTablePrdt = 0x80;
inline constexpr size_t ReceivedFisD2H = 0x40;
inline constexpr size_t ReceivedFisSize = 256;
inline constexpr unsigned MaxPrdEntries = 8;
inline constexpr size_t CommandTableSize = CommandTablePrdt + MaxPrdEntries * sizeof(PrdEntry);

namespace ata {
inline constexpr uint8_t Identify = 0xEC;
inline constexpr uint8_t ReadDmaExt = 0x25;
inline constexpr uint8_t WriteDmaExt = 0x35;
inline constexpr uint8_t FlushCacheExt = 0xEA;
inline constexpr uint8_t ErrAbort = 0x04;
inline constexpr uint8_t ErrIdnf = 0x10; // ID not found: LBA out of range
// IDENTIFY DEVICE word offsets.
inline constexpr size_t IdSerial = 10;   // 10 words, byte-swapped ASCII
inline constexpr size_t IdFirmware = 23; // 4 words
inline constexpr size_t IdModel = 27;    // 20 words
inline constexpr size_t IdLba28 = 60;    // 2 words
inline constexpr size_t IdCmdSet2 = 83;  // bit 10: LBA48
inline constexpr size_t IdLba48 = 100;   // 4 words
} // namespace ata

} // namespace redox::ahci
