// Copying between a host directory tree and a RedoxFS (redoxfs-ar and extract).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "redoxfs/filesystem.h"

namespace redox::redoxfs {

struct ArchiveStats {
    uint64_t files = 0, dirs = 0, symlinks = 0, bytes = 0;
};
using ArchiveProgress = std::function<void(const ArchiveStats&)>;

// Copies the contents of host directory `src` into directory node `into`: regular
// files, directories and symlinks with mode, uid, gid and times; hard links stay
// hard links. Anything else (devices, sockets, fifos) is an error naming the path.
Result<ArchiveStats> archive_dir(FileSystem& fs, const std::string& src, uint32_t into = kRootId,
                                 const ArchiveProgress& progress = {});

// Writes node `node` (a file, symlink or whole directory) to host path `dest`.
Result<ArchiveStats> extract(FileSystem& fs, uint32_t node, const std::string& dest,
                             const ArchiveProgress& progress = {});

} // namespace redox::redoxfs
