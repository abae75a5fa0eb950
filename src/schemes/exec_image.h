// Exec images: what a file daemon hands out for a private, read-only,
// executable mapping of a whole file (fmap with MAP_PRIVATE | PROT_EXEC and no
// PROT_WRITE), which is how spawn loads a program. The image is a sealed memfd
// snapshot of the file's bytes: the kernel-sim execs it directly instead of the
// spawning process reading the program through the scheme into a memfd of its
// own. Snapshots are POSIX's MAP_PRIVATE semantics (later writes to the file
// may or may not show) and what Redox does (exec reads the file into memory):
// a running program never changes under a later write to its file.
//
// Sealed against write, shrink and grow, so no holder of the fd can change the
// bytes another process execs. One image per file version, cached: the second
// spawn of a program costs no copy at all. The daemon drops a file's image
// whenever the file's bytes change (forget), and checks the size and stamp (a
// modification time or version) it was made at before reuse, so a recycled
// inode never gets a stale image.
// A dropped image's fd is closed a second later, not at once: the kernel-sim
// takes the fd number from the daemon after the reply, and by then the daemon
// may have handled a write to the file; the number must still be that image.
#pragma once

#include "schemes/error.h"
#include "schemes/protocol.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace redox::sys {

// Client side: the exec image of open file `fd` of `size` bytes (fmap of the
// whole file, private and executable): a Linux fd the caller closes. Files
// on initfs give the build's program file itself, read-only.
Result<int> exec_image(int fd, uint64_t size);

// True for the fmap flags that ask for an exec image.
inline bool wants_exec_image(uint64_t flags) {
    return (flags & MAP_PRIVATE_) && (flags & PROT_EXEC_) && !(flags & PROT_WRITE_);
}

class ExecImageCache {
public:
    // Fills `fd` (a memfd already `size` bytes long) with the file's bytes.
    using Fill = std::function<Result<void>(int fd, uint64_t size)>;

    ExecImageCache() = default;
    ExecImageCache(const ExecImageCache&) = delete;
    ExecImageCache& operator=(const ExecImageCache&) = delete;
    ~ExecImageCache();

    // The sealed image of file `key` at (size, stamp), made with `fill` when
    // there is none yet, named after the file (`name`, its last path component:
    // the host sees the process as memfd:NAME). The fd stays owned by the cache (the scheme framework
    // lends it to the kernel-sim, which duplicates it for the caller).
    Result<int> get(uint64_t key, uint64_t size, uint64_t stamp, std::string_view name, const Fill& fill);
    // The file's bytes changed or the file is gone.
    void forget(uint64_t key);

private:
    struct Image {
        int fd = -1;
        uint64_t size = 0;
        uint64_t stamp = 0;
    };
    void close_retired(bool all);
    std::map<uint64_t, Image> m_images;
    std::vector<std::pair<int, uint64_t>> m_retired;  // fd, when (ms, monotonic)
};

} // namespace redox::sys
