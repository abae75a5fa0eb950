// SeaHash against published vectors and the RedoxFS header vector.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "redoxfs/seahash.h"

using redox::redoxfs::seahash;
using redox::redoxfs::seahash_seeded;

static uint64_t h(const std::string& s) { return seahash(s.data(), s.size()); }

TEST_CASE("seahash matches the crate's published vectors") {
    CHECK(h("to be or not to be") == 1988685042348123509ULL);
    CHECK(h("123") == 17880861427118377629ULL);
    CHECK(h("foobar") == 5348458858952426560ULL);
    std::string s = "123";
    CHECK(seahash_seeded(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), 3), 4, 5, 6, 7) ==
          6322058387033640399ULL);
}

TEST_CASE("seahash of an all-zero RedoxFS header is the documented value") {
    std::vector<uint8_t> zero(4072, 0);
    CHECK(seahash(zero) == 0xe81ffcb86026ff96ULL);
}

TEST_CASE("seahash tail handling: every length up to 80 differs and is stable") {
    std::vector<uint8_t> buf(80);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = uint8_t(i * 7 + 1);
    std::vector<uint64_t> seen;
    for (size_t n = 0; n <= buf.size(); ++n) {
        uint64_t v = seahash(std::span<const uint8_t>(buf.data(), n));
        CHECK(v == seahash(std::span<const uint8_t>(buf.data(), n)));
        for (uint64_t o : seen) CHECK(o != v);
        seen.push_back(v);
    }
}
