// SeaHash from its specification: four 64-bit lanes, each 8-byte little-endian word is
// xored into the next lane and diffused; the final word is zero-padded; the result
// diffuses the xor of the lanes with the input length.
#include "redoxfs/seahash.h"

#include <cstring>

namespace redox::redoxfs {

static inline uint64_t diffuse(uint64_t x) {
    x *= 0x6eed0e9da4d94a4fULL;
    uint64_t a = x >> 32;
    uint64_t b = x >> 60;
    x ^= a >> b;
    x *= 0x6eed0e9da4d94a4fULL;
    return x;
}

uint64_t seahash_seeded(std::span<const uint8_t> buf, uint64_t a, uint64_t b, uint64_t c,
                        uint64_t d) {
    const uint8_t* p = buf.data();
    size_t n = buf.size();
    size_t i = 0;
    // Whole 32-byte rounds keep the lanes in place (a,b,c,d each take one word).
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        std::memcpy(w, p + i, 32);
        a = diffuse(a ^ w[0]);
        b = diffuse(b ^ w[1]);
        c = diffuse(c ^ w[2]);
        d = diffuse(d ^ w[3]);
    }
    // The tail rotates lanes one word at a time, as the reference state machine does.
    while (i < n) {
        uint64_t w = 0;
        size_t take = n - i < 8 ? n - i : 8;
        std::memcpy(&w, p + i, take);
        uint64_t na = diffuse(a ^ w);
        a = b;
        b = c;
        c = d;
        d = na;
        i += take;
    }
    return diffuse(a ^ b ^ c ^ d ^ uint64_t(n));
}

} // namespace redox::redoxfs
