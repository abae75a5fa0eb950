// RedoxFS on-disk format, VERSION 8 (see ../shared/reference/redoxfs-format.md).
// Every structure is one 4 KiB block, little-endian; this host is little-endian too
// (checked below), so the structs are the bytes on disk.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace redox::redoxfs {

static_assert(std::endian::native == std::endian::little, "RedoxFS structs assume LE");

inline constexpr uint64_t kBlockSize = 4096;
inline constexpr uint64_t kVersion = 8;
inline constexpr uint64_t kHeaderRing = 256;
inline constexpr uint32_t kRecordLevel = 5;          // 128 KiB file records
inline constexpr size_t kNameMax = 252;
inline constexpr uint64_t kAllocGcThreshold = 1024;
inline constexpr size_t kInlineMax = 3968;           // node bytes 128..4095
inline constexpr char kSignature[8] = {'R', 'e', 'd', 'o', 'x', 'F', 'S', 0};

inline constexpr uint16_t kModeType = 0xF000;
inline constexpr uint16_t kModeFile = 0x8000;
inline constexpr uint16_t kModeDir = 0x4000;
inline constexpr uint16_t kModeSymlink = 0xA000;
inline constexpr uint16_t kModeSock = 0xC000;
inline constexpr uint16_t kModePerm = 0x0FFF;
inline constexpr uint32_t kNodeInlineData = 1;

inline constexpr uint32_t kRootId = 1;

// Smallest level whose 4096 << level bytes hold n (0 for n == 0).
inline uint32_t level_for_bytes(uint64_t n) {
    if (n == 0) return 0;
    uint64_t blocks = (n + kBlockSize - 1) / kBlockSize;
    return uint32_t(std::countr_zero(std::bit_ceil(blocks)));
}
inline uint64_t level_bytes(uint32_t level) { return kBlockSize << level; }

// addr packs level (bits 0-3), decompressed level (4-7, 0 = raw) and block index (8-63).
struct BlockPtr {
    uint64_t addr = 0;
    uint64_t hash = 0;

    static BlockPtr make(uint64_t index, uint32_t level, uint32_t decomp, uint64_t hash) {
        return {(index << 8) | (uint64_t(decomp & 0xF) << 4) | (level & 0xF), hash};
    }
    static BlockPtr marker(uint32_t level) { return {0xFFFF'FFFF'FFFF'FFF0ULL | level, ~0ULL}; }
    uint64_t index() const { return addr >> 8; }
    uint32_t level() const { return uint32_t(addr & 0xF); }
    uint32_t decomp_level() const { return uint32_t((addr >> 4) & 0xF); }
    bool is_null() const { return index() == 0; }
    bool is_marker() const { return (addr | 0xF) == ~0ULL && hash == ~0ULL; }
    uint64_t bytes() const { return level_bytes(level()); }
};
static_assert(sizeof(BlockPtr) == 16);

struct KeySlot {
    uint8_t salt[16];
    uint8_t key1[16];   // XTS data key, AES-encrypted with the password key
    uint8_t key2[16];   // XTS tweak key
};
static_assert(sizeof(KeySlot) == 48);

// Where redox-sim keeps its snapshot list: in the header padding, which upstream
// hashes and carries from generation to generation but never interprets.
struct SnapshotAnchor {
    uint64_t magic;     // kSnapshotMagic when present
    BlockPtr list;      // SnapshotList block
};
inline constexpr uint64_t kSnapshotMagic = 0x50414E534D495352ULL; // "RSIMSNAP"

struct Header {
    char signature[8];
    uint64_t version;
    uint8_t uuid[16];
    uint64_t size;          // bytes, excluding the reserved area
    uint64_t generation;
    BlockPtr tree;
    BlockPtr alloc;
    KeySlot key_slots[64];
    BlockPtr release;
    uint8_t padding[904];
    uint8_t encrypted_hash[16];
    uint64_t hash;

    SnapshotAnchor snapshot_anchor() const {
        SnapshotAnchor a;
        std::memcpy(&a, padding, sizeof a);
        return a;
    }
    void set_snapshot_anchor(const SnapshotAnchor& a) { std::memcpy(padding, &a, sizeof a); }
};
static_assert(sizeof(Header) == 4096);
static_assert(offsetof(Header, tree) == 48);
static_assert(offsetof(Header, alloc) == 64);
static_assert(offsetof(Header, key_slots) == 80);
static_assert(offsetof(Header, release) == 3152);
static_assert(offsetof(Header, encrypted_hash) == 4072);
static_assert(offsetof(Header, hash) == 4088);

inline constexpr size_t kTreeEntries = 254;
struct TreeList {
    BlockPtr ptrs[kTreeEntries];
    uint64_t full[4];   // two little-endian u128 bitmaps: bit i = branch i completely full

    bool branch_full(size_t i) const { return (full[i / 64] >> (i % 64)) & 1; }
    void set_branch_full(size_t i, bool f) {
        if (f) full[i / 64] |= 1ULL << (i % 64);
        else full[i / 64] &= ~(1ULL << (i % 64));
    }
    bool all_full() const {
        return full[0] == ~0ULL && full[1] == ~0ULL && full[2] == ~0ULL &&
               full[3] == (~0ULL >> 2);
    }
    bool empty() const {
        for (auto& p : ptrs)
            if (!p.is_null()) return false;
        return true;
    }
};
static_assert(sizeof(TreeList) == 4096);

struct BlockList {
    BlockPtr ptrs[256];
    bool empty() const {
        for (auto& p : ptrs)
            if (!p.is_null()) return false;
        return true;
    }
};
static_assert(sizeof(BlockList) == 4096);

#pragma pack(push, 1)
struct NodeMeta {
    uint16_t mode;
    uint32_t uid;
    uint32_t gid;
    uint32_t links;
    uint64_t size;
    uint64_t blocks;
    uint64_t ctime;
    uint32_t ctime_nsec;
    uint64_t mtime;
    uint32_t mtime_nsec;
    uint64_t atime;
    uint32_t atime_nsec;
    uint32_t record_level;
    uint32_t flags;
    uint8_t padding[54];
};
#pragma pack(pop)
static_assert(sizeof(NodeMeta) == 128);
static_assert(offsetof(NodeMeta, record_level) == 66);

// Level data: level0[128] @0, level1[64] @128, level2[32] @192, level3[16] @224, level4[8] @240
// (indexes into ptrs).
inline constexpr size_t kL0 = 0, kL1 = 128, kL2 = 192, kL3 = 224, kL4 = 240;
struct Node {
    Node() { std::memset(static_cast<void*>(this), 0, sizeof(Node)); }
    NodeMeta m;
    union {
        BlockPtr ptrs[248];
        uint8_t inline_data[kInlineMax];
    };

    uint16_t type() const { return m.mode & kModeType; }
    bool is_dir() const { return type() == kModeDir; }
    bool is_inline() const { return m.flags & kNodeInlineData; }
};
static_assert(sizeof(Node) == 4096);
static_assert(offsetof(Node, ptrs) == 128);

inline constexpr size_t kAllocEntries = 255;
struct AllocEntry {
    uint64_t index;
    int64_t count;      // < 0: -count blocks allocated; > 0: count blocks freed
};
struct AllocList {
    BlockPtr prev;
    AllocEntry entries[kAllocEntries];
};
static_assert(sizeof(AllocList) == 4096);

struct ReleaseList {
    BlockPtr prev;
    uint32_t ids[1020];
};
static_assert(sizeof(ReleaseList) == 4096);

// DirList: packed entries (u32 node id, u8 name length, name bytes) from offset 0,
// then u16 count at 4092 and u16 entry-bytes length at 4094. (The Rust struct has no
// repr(C) and the compiler moved the u16s after the byte array; upstream images show
// this layout.) HTreeNode: 204 x (u32 hash, BlockPtr) + 16 bytes padding.
inline constexpr size_t kDirBytes = 4092;
inline constexpr size_t kDirCountOffset = 4092;
inline constexpr size_t kHTreeEntries = 204;
inline constexpr uint32_t kHashEmpty = 0xFFFF'FFFFu;

uint32_t name_hash(const void* name, size_t len);

} // namespace redox::redoxfs
