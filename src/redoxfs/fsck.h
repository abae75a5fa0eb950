// Offline consistency check of a RedoxFS image: every block checksum, the header
// ring, node tree flags, H-tree order, block counts, link counts, and that the
// allocation log agrees with what the trees reach. Problems name the path.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "redoxfs/filesystem.h"

namespace redox::redoxfs {

struct FsckReport {
    std::vector<std::string> errors;
    std::vector<std::string> warnings;
    uint64_t nodes = 0, files = 0, dirs = 0, used_blocks = 0;
    bool ok() const { return errors.empty(); }
};

FsckReport fsck(FileSystem& fs, const std::function<void(uint64_t nodes)>& progress = {});

} // namespace redox::redoxfs
