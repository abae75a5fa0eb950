// null and zero (one binary, run as `zerod null` or `zerod zero`, as on Redox).
// Any path opens. read: null gives EOF, zero fills the buffer with zeros;
// write swallows everything. fstat: a 0666 character device. Anyone may open.
// Cost: zero writes the zeros straight into the request's arena buffer.
#pragma once

#include "schemes/server.h"

namespace redox::daemon {

class ZeroScheme final : public SchemeServer {
public:
    explicit ZeroScheme(bool zero) : m_zero(zero) {}
    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    // Reads, writes and fstat never block and ignore who else holds the fd.
    bool direct_io() const override { return true; }
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<uint32_t> fevent(uint64_t, uint32_t flags) override { return flags; }

private:
    bool m_zero;
    uint64_t m_next = 1;
};

} // namespace redox::daemon
