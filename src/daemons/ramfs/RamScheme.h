// ramfs: an in-memory file system serving the `file` scheme (the sim's root
// until RedoxFS serves it) or any other name. Paths are relative to the
// scheme root. Files are POSITIONED (the kernel keeps offsets). Permission
// checks follow Unix rules with the caller's uid/gid; root bypasses them.
// Opening a symlink whose target leaves the tree (e.g. /dev/null ->
// /scheme/null) answers EXDEV_; the client reads the link with
// O_SYMLINK|O_NOFOLLOW and opens its target.
// Cost: reads and writes copy between the tree and the request arena.
#pragma once

#include "daemons/ramfs/RamFs.h"
#include "schemes/exec_image.h"
#include "schemes/server.h"

namespace redox::daemon {

class RamScheme final : public SchemeServer {
public:
    RamScheme(std::string name, uint64_t capacity) : m_name(std::move(name)), m_fs(capacity) {}
    RamFs& fs() { return m_fs; }

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    // Reads, writes and fstat never block and ignore who else holds the fd.
    bool direct_io() const override { return true; }
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint64_t> fsize(uint64_t id) override;
    Result<void> fchmod(uint64_t id, uint16_t mode, const CallerCtx& ctx) override;
    Result<void> fchown(uint64_t id, uint32_t uid, uint32_t gid, const CallerCtx& ctx) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<void> frename(uint64_t id, std::string_view path, const CallerCtx& ctx) override;
    Result<void> flink(uint64_t id, std::string_view path, const CallerCtx& ctx) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<void> fstatvfs(uint64_t id, StatVfs& st) override;
    Result<void> ftruncate(uint64_t id, uint64_t len, const CallerCtx& ctx) override;
    Result<void> futimens(uint64_t id, std::span<const TimeSpec> times, const CallerCtx& ctx) override;
    Result<size_t> getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) override;
    Result<void> unlink(std::string_view path, uint64_t flags, const CallerCtx& ctx) override;
    // Only exec images (schemes/exec_image.h): a private read-only executable
    // mapping of a whole file, which is how spawn loads a program.
    Result<int> mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t flags, const CallerCtx& ctx) override;
    Result<uint32_t> fevent(uint64_t, uint32_t flags) override { return flags; }
    void on_close(uint64_t id) override;

private:
    struct Handle {
        uint64_t ino;
        uint64_t flags;
        std::string path;
    };
    Result<Handle*> handle(uint64_t id);
    std::string m_name;
    RamFs m_fs;
    std::map<uint64_t, Handle> m_handles;
    std::map<uint64_t, int> m_open_count;  // by inode
    sys::ExecImageCache m_exec_images;     // by inode, stamped with its version
    uint64_t m_next = 1;
};

} // namespace redox::daemon
