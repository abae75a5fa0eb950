// Intel 8254x (82540EM) register map and legacy descriptors, shared by the driver
// core and the device model. Offsets from the 8254x Software Developer's Manual.
#pragma once

#include <cstddef>
#include <cstdint>

namespace redox::e1000 {

namespace reg {
inline constexpr uint32_t Ctrl = 0x0000;
inline constexpr uint32_t Status = 0x0008;
inline constexpr uint32_t Eerd = 0x0014;
inline constexpr uint32_t Mdic = 0x0020;
inline constexpr uint32_t Icr = 0x00C0;
inline constexpr uint32_t Ics = 0x00C8;
inline constexpr uint32_t Ims = 0x00D0;
inline constexpr uint32_t Imc = 0x00D8;
inline constexpr uint32_t Rctl = 0x0100;
inline constexpr uint32_t Tctl = 0x0400;
inline constexpr uint32_t Rdbal = 0x2800;
inline constexpr uint32_t Rdbah = 0x2804;
inline constexpr uint32_t Rdlen = 0x2808;
inline constexpr uint32_t Rdh = 0x2810;
inline constexpr uint32_t Rdt = 0x2818;
inline constexpr uint32_t Tdbal = 0x3800;
inline constexpr uint32_t Tdbah = 0x3804;
inline constexpr uint32_t Tdlen = 0x3808;
inline constexpr uint32_t Tdh = 0x3810;
inline constexpr uint32_t Tdt = 0x3818;
inline constexpr uint32_t Mta = 0x5200;   // 128 dwords
inline constexpr uint32_t Ral0 = 0x5400;
inline constexpr uint32_t Rah0 = 0x5404;
} // namespace reg

inline constexpr uint32_t CtrlAsde = 1u << 5;
inline constexpr uint32_t CtrlSlu = 1u << 6;
inline constexpr uint32_t CtrlRst = 1u << 26;
inline constexpr uint32_t StatusFd = 1u << 0;
inline constexpr uint32_t StatusLu = 1u << 1;
inline constexpr uint32_t EerdStart = 1u << 0;
inline constexpr uint32_t EerdDone = 1u << 4;
inline constexpr uint32_t IntTxdw = 1u << 0;
inline constexpr uint32_t IntLsc = 1u << 2;
inline constexpr uint32_t IntRxo = 1u << 6;
inline constexpr uint32_t IntRxt0 = 1u << 7;
inline constexpr uint32_t RctlEn = 1u << 1;
inline constexpr uint32_t RctlBam = 1u << 15;
inline constexpr uint32_t RctlSecrc = 1u << 26;
inline constexpr uint32_t TctlEn = 1u << 1;
inline constexpr uint32_t TctlPsp = 1u << 3;
inline constexpr uint32_t RahAv = 1u << 31;
// MDIC: PHY register access. PHY address 1 is the internal PHY.
inline constexpr uint32_t MdicOpWrite = 1u << 26;
inline constexpr uint32_t MdicOpRead = 2u << 26;
inline constexpr uint32_t MdicReady = 1u << 28;
inline constexpr uint32_t MdicError = 1u << 30;
inline constexpr uint32_t mdic(uint32_t phy_reg, uint32_t op, uint16_t data = 0) {
    return data | (phy_reg << 16) | (1u << 21) | op;
}
inline constexpr uint32_t PhyCtrl = 0;                 // MII control register
inline constexpr uint16_t PhyCtrlAutoneg = 0x1340;     // 1000FD, autoneg enable + restart

struct RxDesc {
    uint64_t addr;
    uint16_t length;
    uint16_t checksum;
    uint8_t status;
    uint8_t errors;
    uint16_t special;
};
static_assert(sizeof(RxDesc) == 16);
static_assert(offsetof(RxDesc, status) == 12);

struct TxDesc {
    uint64_t addr;
    uint16_t length;
    uint8_t cso;
    uint8_t cmd;
    uint8_t status;
    uint8_t css;
    uint16_t special;
};
static_assert(sizeof(TxDesc) == 16);
static_assert(offsetof(TxDesc, cmd) == 11);

inline constexpr uint8_t RxStatusDd = 1u << 0;
inline constexpr uint8_t RxStatusEop = 1u << 1;
inline constexpr uint8_t TxCmdEop = 1u << 0;
inline constexpr uint8_t TxCmdIfcs = 1u << 1;
inline constexpr uint8_t TxCmdRs = 1u << 3;
inline constexpr uint8_t TxStatusDd = 1u << 0;

inline constexpr uint16_t VendorIntel = 0x8086;
inline constexpr uint16_t Device82540Em = 0x100E;
inline constexpr size_t MaxFrame = 1518;   // without FCS
inline constexpr size_t RxBufferSize = 2048; // RCTL.BSIZE = 00

} // namespace redox::e1000
