#include "redoxfs/crypto.h"

#include <argon2.h>
#include <cerrno>
#include <cstring>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/random.h>

namespace redox::redoxfs {

struct Cipher::Ctx {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~Ctx() { EVP_CIPHER_CTX_free(ctx); }
};

Cipher::Cipher(const uint8_t data_key[16], const uint8_t tweak_key[16])
    : m_enc(std::make_unique<Ctx>()), m_dec(std::make_unique<Ctx>()) {
    std::memcpy(m_key.data(), data_key, 16);
    std::memcpy(m_key.data() + 16, tweak_key, 16);
    EVP_EncryptInit_ex(m_enc->ctx, EVP_aes_128_xts(), nullptr, m_key.data(), nullptr);
    EVP_DecryptInit_ex(m_dec->ctx, EVP_aes_128_xts(), nullptr, m_key.data(), nullptr);
}

Cipher::~Cipher() { OPENSSL_cleanse(m_key.data(), m_key.size()); }

void Cipher::crypt(std::span<uint8_t> buf, uint64_t first_unit, size_t unit, bool enc) const {
    EVP_CIPHER_CTX* ctx = enc ? m_enc->ctx : m_dec->ctx;
    size_t units = buf.size() / unit;
    for (size_t i = 0; i < units; ++i) {
        uint8_t tweak[16] = {};
        uint64_t idx = first_unit + i;
        std::memcpy(tweak, &idx, 8);
        uint8_t* p = buf.data() + i * unit;
        int outl = 0;
        if (enc) {
            EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, tweak);
            EVP_EncryptUpdate(ctx, p, &outl, p, int(unit));
        } else {
            EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, tweak);
            EVP_DecryptUpdate(ctx, p, &outl, p, int(unit));
        }
    }
}

void Cipher::encrypt(std::span<uint8_t> buf, uint64_t first_unit, size_t unit) const {
    crypt(buf, first_unit, unit, true);
}
void Cipher::decrypt(std::span<uint8_t> buf, uint64_t first_unit, size_t unit) const {
    crypt(buf, first_unit, unit, false);
}

Result<std::array<uint8_t, 16>> password_key(std::string_view password, const uint8_t salt[16]) {
    std::array<uint8_t, 16> out{};
    int rc = argon2id_hash_raw(3, 4096, 1, password.data(), password.size(), salt, 16, out.data(),
                               out.size());
    if (rc != ARGON2_OK) return err(EINVAL, std::string("argon2id: ") + argon2_error_message(rc));
    return out;
}

// Single-block AES-128 (ECB of one block) with the password key wraps each XTS key.
static Result<void> aes_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16], bool enc) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (!ctx) return err(ENOMEM, "openssl");
    int outl = 0, ok = 1;
    ok &= EVP_CipherInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key, nullptr, enc ? 1 : 0);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    ok &= EVP_CipherUpdate(ctx, out, &outl, in, 16);
    EVP_CIPHER_CTX_free(ctx);
    if (!ok || outl != 16) return err(EIO, "aes-128 key wrap failed");
    return {};
}

void random_bytes(std::span<uint8_t> out) {
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
        if (n > 0) done += size_t(n);
    }
}

Result<std::array<uint8_t, 32>> make_key_slot(KeySlot& slot, std::string_view password) {
    std::array<uint8_t, 32> keys{};
    do {
        random_bytes(keys);
    } while (std::memcmp(keys.data(), keys.data() + 16, 16) == 0);  // XTS needs distinct keys
    random_bytes(std::span<uint8_t>(slot.salt, 16));
    auto pk = TRY(password_key(password, slot.salt));
    TRY(aes_block(pk.data(), keys.data(), slot.key1, true));
    TRY(aes_block(pk.data(), keys.data() + 16, slot.key2, true));
    return keys;
}

Result<std::array<uint8_t, 32>> open_key_slot(const KeySlot& slot, std::string_view password) {
    auto pk = TRY(password_key(password, slot.salt));
    std::array<uint8_t, 32> keys{};
    TRY(aes_block(pk.data(), slot.key1, keys.data(), false));
    TRY(aes_block(pk.data(), slot.key2, keys.data() + 16, false));
    return keys;
}

} // namespace redox::redoxfs
