// CRC-32 (IEEE 802.3, reflected, as GPT uses); check value of "123456789" is 0xCBF43926.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace redox::block {

uint32_t crc32(std::span<const std::byte> data, uint32_t crc = 0);

} // namespace redox::block
