// rand: a ChaCha20 stream (libsodium) keyed from the host's entropy. Paths ""
// and "urandom". read fills the buffer; write (uid 0 only) reseeds the key
// with SHA-256(key || data). fstat: 0644 character device owned by root.
#pragma once

#include "schemes/server.h"

#include <array>

namespace redox::daemon {

class RandScheme final : public SchemeServer {
public:
    RandScheme();
    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    // Reads, writes and fstat never block and ignore who else holds the fd.
    bool direct_io() const override { return true; }
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<uint32_t> fevent(uint64_t, uint32_t flags) override { return flags; }

private:
    std::array<uint8_t, 32> m_key{};
    uint64_t m_nonce = 0;
    uint64_t m_next = 1;
};

} // namespace redox::daemon
