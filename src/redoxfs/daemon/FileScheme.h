// The `file` scheme served from a RedoxFS image (the sim's root file system).
//
// Paths are relative to the image's root, '/'-separated; `.` and `..` are resolved
// here, symlinks inside the image are followed (not the last component with
// O_NOFOLLOW). A symlink that leaves the image (a target under /scheme/ or with a
// `NAME:` prefix, e.g. /dev/null -> /scheme/null) answers EXDEV_; the client reads the
// link with O_SYMLINK|O_NOFOLLOW and opens its target itself, as with ramfs.
// Handles are POSITIONED (the kernel keeps offsets). Who may do what follows the Unix
// rules on each node's uid/gid/mode with the caller's uid/gid (root passes), checked
// by RedoxFS itself for directory walks and changes and here for opens.
// Every successful change is committed as one RedoxFS transaction before the answer;
// fsync also waits for the host's storage. fmap hands out a memfd holding a copy of
// the file; stores into a shared writable mapping are written back to the file at
// fsync and when the file's last handle closes. A private read-only executable
// fmap of a file (how spawn loads a program) gets a sealed exec image instead
// (schemes/exec_image.h), cached until the file's bytes change.
// Cost: reads and writes copy once between RedoxFS's block cache and the request
// arena; directory listings re-read the directory.
#pragma once

#include "redoxfs/daemon/ImageDisk.h"
#include "redoxfs/filesystem.h"
#include "schemes/exec_image.h"
#include "schemes/server.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace redox::rfsd {

class FileScheme final : public SchemeServer {
public:
    // `set_durable` switches the disk's flushes to reach the storage (for fsync);
    // empty when nothing outlives the daemon (a private mapping).
    FileScheme(std::string name, std::unique_ptr<redoxfs::FileSystem> fs, std::function<void(bool)> set_durable)
        : m_name(std::move(name)), m_fs(std::move(fs)), m_set_durable(std::move(set_durable)) {}

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
    Result<void> fsync(uint64_t id) override;
    Result<void> ftruncate(uint64_t id, uint64_t len, const CallerCtx& ctx) override;
    Result<void> futimens(uint64_t id, std::span<const TimeSpec> times, const CallerCtx& ctx) override;
    Result<size_t> getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) override;
    Result<void> unlink(std::string_view path, uint64_t flags, const CallerCtx& ctx) override;
    Result<int> mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t flags, const CallerCtx& ctx) override;
    Result<uint32_t> fevent(uint64_t, uint32_t flags) override { return flags; }
    // Snapshots from inside the sim (`sim snapshot-fs`), root only: a call on any
    // handle whose payload is "snapshot create NAME", "snapshot delete NAME" or
    // "snapshot list"; the answer (list: one name per line) comes back in the payload.
    Result<size_t> call(uint64_t id, std::span<uint8_t> payload, std::span<const uint64_t> meta,
                        const CallerCtx& ctx) override;
    void on_close(uint64_t id) override;

    // Commit what is pending (the daemon's last act before it exits).
    Result<void> commit(bool durable);

private:
    struct Handle {
        uint32_t ino;
        uint64_t flags;
        std::string path;   // canonical, relative to the root, for fpath and frename
    };
    struct Resolved {
        std::optional<uint32_t> node;   // empty: the last component does not exist
        uint32_t parent = redoxfs::kRootId;
        std::string name;               // the last component
        std::string path;               // canonical path of the result
    };
    // A file's pages handed out by fmap.
    struct Mapping {
        int memfd = -1;
        bool shared_write = false;
    };

    Result<Handle*> handle(uint64_t id);
    Result<Resolved> resolve(std::string_view path, const redoxfs::Caller& c, bool nofollow);
    Result<OpenResult> add_handle(uint32_t ino, uint64_t flags, std::string path);
    // Commits after a successful change; the result passes through.
    template <class T> Result<T> changed(Result<T> r);
    Result<void> write_back(uint32_t ino);
    Result<void> sticky_check(uint32_t dir, uint32_t node, const CallerCtx& ctx);

    std::string m_name;
    std::unique_ptr<redoxfs::FileSystem> m_fs;
    std::function<void(bool)> m_set_durable;
    std::map<uint64_t, Handle> m_handles;
    std::map<uint32_t, uint32_t> m_open_count;   // by node
    std::map<uint32_t, Mapping> m_mappings;      // by node
    sys::ExecImageCache m_exec_images;           // by node
    uint64_t m_next = 1;
};

} // namespace redox::rfsd
