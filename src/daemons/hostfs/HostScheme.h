// host: a host directory shared into the sim (`redox-sim boot --share DIR`),
// at /scheme/host/. Paths are relative to DIR and never leave it (`..` and
// absolute symlinks out of DIR are refused). Files are POSITIONED; reads and
// writes go straight to the host file with pread/pwrite into the request's
// arena buffer. Anyone may open; host permissions of the sim's user apply.
#pragma once

#include "schemes/server.h"

#include <map>
#include <string>

namespace redox::daemon {

class HostScheme final : public SchemeServer {
public:
    explicit HostScheme(int root_fd) : m_root(root_fd) {}
    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    // Reads, writes and fstat never block and ignore who else holds the fd.
    bool direct_io() const override { return true; }
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint64_t> fsize(uint64_t id) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<void> fsync(uint64_t id) override;
    Result<void> ftruncate(uint64_t id, uint64_t len, const CallerCtx& ctx) override;
    Result<void> fchmod(uint64_t id, uint16_t mode, const CallerCtx& ctx) override;
    Result<size_t> getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) override;
    Result<void> unlink(std::string_view path, uint64_t flags, const CallerCtx& ctx) override;
    Result<void> frename(uint64_t id, std::string_view path, const CallerCtx& ctx) override;
    Result<uint32_t> fevent(uint64_t, uint32_t flags) override { return flags; }
    void on_close(uint64_t id) override;

private:
    struct Handle {
        int fd;
        std::string path;
        bool dir;
    };
    Result<Handle*> handle(uint64_t id);
    int m_root;
    std::map<uint64_t, Handle> m_handles;
    uint64_t m_next = 1;
};

} // namespace redox::daemon
