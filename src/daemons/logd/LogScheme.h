// log: opening any path P gives a log handle; every line written to it comes
// out as "P: line" on the console (/scheme/debug), in an optional host file,
// and in a bounded in-memory history. Partial lines wait per handle until
// their newline. Reading a handle returns the history from its offset.
#pragma once

#include "schemes/server.h"

#include <cstdio>
#include <map>
#include <string>

namespace redox::daemon {

class LogScheme final : public SchemeServer {
public:
    LogScheme(int console_fd, FILE* host_file) : m_console(console_fd), m_host(host_file) {}
    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint64_t> fsize(uint64_t id) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<void> fsync(uint64_t id) override;
    Result<uint32_t> fevent(uint64_t, uint32_t flags) override { return flags & EVENT_WRITE; }
    void on_close(uint64_t id) override;

private:
    struct Handle {
        std::string prefix;
        std::string pending;
    };
    void emit(const std::string& prefix, std::string_view line);
    int m_console;
    FILE* m_host;
    std::string m_history;
    uint64_t m_history_base = 0;  // bytes dropped from the front
    std::map<uint64_t, Handle> m_handles;
    uint64_t m_next = 1;
};

} // namespace redox::daemon
