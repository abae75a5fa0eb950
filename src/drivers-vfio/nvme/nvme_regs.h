// NVMe 1.4 controller registers, queue entries and the commands the driver uses;
// shared by the driver core and the device model.
#pragma once

#include <cstddef>
#include <cstdint>

namespace redox::nvme {

namespace reg {
inline constexpr uint32_t Cap = 0x00;   // 64-bit
inline constexpr uint32_t Vs = 0x08;
inline constexpr uint32_t Intms = 0x0C;
inline constexpr uint32_t Intmc = 0x10;
inline constexpr uint32_t Cc = 0x14;
inline constexpr uint32_t Csts = 0x1C;
inline constexpr uint32_t Aqa = 0x24;
inline constexpr uint32_t Asq = 0x28;   // 64-bit
inline constexpr uint32_t Acq = 0x30;   // 64-bit
inline constexpr uint32_t Doorbells = 0x1000;
} // namespace reg

inline constexpr uint32_t CcEnable = 1u << 0;
inline constexpr uint32_t CcShnNormal = 1u << 14;
inline constexpr uint32_t CcIosqes = 6u << 16;  // 64-byte SQ entries
inline constexpr uint32_t CcIocqes = 4u << 20;  // 16-byte CQ entries
inline constexpr uint32_t CstsRdy = 1u << 0;
inline constexpr uint32_t CstsCfs = 1u << 1;
inline constexpr uint32_t CstsShstMask = 3u << 2;
inline constexpr uint32_t CstsShstDone = 2u << 2;

inline uint32_t cap_mqes(uint64_t cap) { return static_cast<uint32_t>(cap & 0xFFFF) + 1; }
inline uint32_t cap_timeout_ms(uint64_t cap) { return static_cast<uint32_t>((cap >> 24) & 0xFF) * 500; }
inline uint32_t cap_dstrd(uint64_t cap) { return static_cast<uint32_t>((cap >> 32) & 0xF); }

// Doorbell offsets for queue `qid` with stride `dstrd`.
inline uint32_t sq_doorbell(uint16_t qid, uint32_t dstrd) { return reg::Doorbells + (2u * qid) * (4u << dstrd); }
inline uint32_t cq_doorbell(uint16_t qid, uint32_t dstrd) { return reg::Doorbells + (2u * qid + 1) * (4u << dstrd); }

struct SubmissionEntry {
    uint8_t opcode;
    uint8_t flags;
    uint16_t cid;
    uint32_t nsid;
    uint64_t reserved;
    uint64_t mptr;
    uint64_t prp1;
    uint64_t prp2;
    uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
static_assert(sizeof(SubmissionEntry) == 64);
static_assert(offsetof(SubmissionEntry, prp1) == 24);
static_assert(offsetof(SubmissionEntry, cdw10) == 40);

struct CompletionEntry {
    uint32_t result;
    uint32_t reserved;
    uint16_t sq_head;
    uint16_t sq_id;
    uint16_t cid;
    uint16_t status; // bit 0 phase, bits 1..15 status field
};
static_assert(sizeof(CompletionEntry) == 16);
static_assert(offsetof(CompletionEntry, status) == 14);

namespace admin {
inline constexpr uint8_t DeleteSq = 0x00;
inline constexpr uint8_t CreateSq = 0x01;
inline constexpr uint8_t DeleteCq = 0x04;
inline constexpr uint8_t CreateCq = 0x05;
inline constexpr uint8_t Identify = 0x06;
inline constexpr uint8_t SetFeatures = 0x09;
} // namespace admin
namespace io {
inline constexpr uint8_t Flush = 0x00;
inline constexpr uint8_t Write = 0x01;
inline constexpr uint8_t Read = 0x02;
} // namespace io

inline constexpr uint32_t CnsNamespace = 0x00;
inline constexpr uint32_t CnsController = 0x01;
inline constexpr uint32_t CnsActiveNamespaces = 0x02;
inline constexpr uint32_t FeatureNumQueues = 0x07;

// Status field values (SCT 0 = generic), already shifted past the phase bit.
namespace status {
inline constexpr uint16_t Success = 0x00;
inline constexpr uint16_t InvalidOpcode = 0x01;
inline constexpr uint16_t InvalidField = 0x02;
inline constexpr uint16_t DataTransferError = 0x04;
inline constexpr uint16_t InvalidNamespace = 0x0B;
inline constexpr uint16_t LbaOutOfRange = 0x80;
inline constexpr uint16_t InvalidQueueId = 0x101;    // SCT 1, SC 0x01
} // namespace status

// Offsets in the 4 KiB identify structures.
namespace ident {
inline constexpr size_t CtrlSerial = 4;     // 20 ASCII bytes
inline constexpr size_t CtrlModel = 24;     // 40 ASCII bytes
inline constexpr size_t CtrlFirmware = 64;  // 8 ASCII bytes
inline constexpr size_t CtrlMdts = 77;
inline constexpr size_t CtrlNn = 516;
inline constexpr size_t NsSize = 0;         // u64 blocks
inline constexpr size_t NsCapacity = 8;
inline constexpr size_t NsFlbas = 26;
inline constexpr size_t NsLbaf0 = 128;      // u32 per format: lbads in bits 16..23
} // namespace ident

inline constexpr size_t PageSize = 4096;

} // namespace redox::nvme
