#include "daemons/randd/RandScheme.h"

#include <cstring>
#include <sodium.h>

namespace redox::daemon {

RandScheme::RandScheme() {
    if (sodium_init() < 0) std::abort();
    randombytes_buf(m_key.data(), m_key.size());
}

Result<OpenResult> RandScheme::open(std::string_view path, uint64_t flags, uint16_t, const CallerCtx&) {
    if (!(path.empty() || path == "urandom" || path == "/urandom")) return err(ENOENT_);
    if ((flags & O_CREAT_) && (flags & O_EXCL_)) return err(EEXIST_);
    return OpenResult{m_next++, 0};
}

Result<size_t> RandScheme::read(uint64_t, std::span<uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {};
    std::memcpy(nonce, &m_nonce, sizeof m_nonce);
    ++m_nonce;
    crypto_stream_chacha20(buf.data(), buf.size(), nonce, m_key.data());
    return buf.size();
}

Result<size_t> RandScheme::write(uint64_t, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx& ctx) {
    if (ctx.uid != 0) return err(EPERM_);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, m_key.data(), m_key.size());
    crypto_hash_sha256_update(&st, buf.data(), buf.size());
    crypto_hash_sha256_final(&st, m_key.data());
    return buf.size();
}

Result<void> RandScheme::fstat(uint64_t, Stat& st) {
    st.st_mode = MODE_CHR | 0644;
    st.st_nlink = 1;
    st.st_blksize = 4096;
    return {};
}

Result<size_t> RandScheme::fpath(uint64_t, std::span<uint8_t> buf) { return put_path(buf, "/scheme/rand/"); }

} // namespace redox::daemon
