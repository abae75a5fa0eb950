// SeaHash (Ticki's hash, as the Rust `seahash` 4.x crate computes it): the checksum in
// every RedoxFS block pointer, the header hash and the H-tree name hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace redox::redoxfs {

inline constexpr uint64_t kSeaSeeds[4] = {0x16f11fe89b0d677cULL, 0xb480a793d8e6c86cULL,
                                          0x6fe2e5aaf078ebc9ULL, 0x14f994a4c5259381ULL};

uint64_t seahash_seeded(std::span<const uint8_t> buf, uint64_t a, uint64_t b, uint64_t c,
                        uint64_t d);

inline uint64_t seahash(std::span<const uint8_t> buf) {
    return seahash_seeded(buf, kSeaSeeds[0], kSeaSeeds[1], kSeaSeeds[2], kSeaSeeds[3]);
}

inline uint64_t seahash(const void* p, size_t n) {
    return seahash(std::span<const uint8_t>(static_cast<const uint8_t*>(p), n));
}

} // namespace redox::redoxfs
