// RedoxFS encryption: AES-128-XTS over 4 KiB data units (tweak = relative block index,
// little-endian), keys kept in header key slots wrapped with an Argon2id password key.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "redoxfs/format.h"
#include "schemes/error.h"

namespace redox::redoxfs {

class Cipher {
public:
    Cipher(const uint8_t data_key[16], const uint8_t tweak_key[16]);
    ~Cipher();
    Cipher(const Cipher&) = delete;
    Cipher& operator=(const Cipher&) = delete;
    // In place; `buf` is a whole number of 4 KiB units, the first has index `first_unit`.
    // The header hash field is one 16-byte unit and uses the same call.
    void encrypt(std::span<uint8_t> buf, uint64_t first_unit, size_t unit = kBlockSize) const;
    void decrypt(std::span<uint8_t> buf, uint64_t first_unit, size_t unit = kBlockSize) const;

private:
    void crypt(std::span<uint8_t> buf, uint64_t first_unit, size_t unit, bool enc) const;
    std::array<uint8_t, 32> m_key{};
    struct Ctx;
    std::unique_ptr<Ctx> m_enc, m_dec;
};

// Argon2id (v0x13, m = 4096 KiB, t = 3, p = 1, 16-byte output) of the password and salt.
Result<std::array<uint8_t, 16>> password_key(std::string_view password, const uint8_t salt[16]);

// Fills `slot` with a fresh salt and the two keys wrapped for `password`; returns the keys.
Result<std::array<uint8_t, 32>> make_key_slot(KeySlot& slot, std::string_view password);

// Unwraps a slot's keys with `password` (they are right only if the header check passes).
Result<std::array<uint8_t, 32>> open_key_slot(const KeySlot& slot, std::string_view password);

void random_bytes(std::span<uint8_t> out);

} // namespace redox::redoxfs
