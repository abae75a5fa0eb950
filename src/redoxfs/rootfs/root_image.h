// The sim's root file system as a RedoxFS image, built from the installer's tree and
// kept in a cache so that booting an unchanged config costs no copying at all.
//
// The cache lives in $XDG_CACHE_HOME/redox-sim (or ~/.cache/redox-sim); an image is
// named after a hash of everything that goes into it (the tree, the size, and for
// each program its host path, size, mtime and inode, and the redox-sim binary that
// writes it). Passwords enter the name only through a digest keyed with a random
// secret kept in the cache directory (mode 0600), so an image's name tells nothing
// about them; an encrypted root image is encrypted from its first block on. Images are built under an exclusive lock on the cache directory into a
// temporary file and renamed into place, so parallel boots build once and never see
// half an image. Cached images are never written: the daemon maps them copy-on-write.
#pragma once

#include "installer/tree.h"
#include "schemes/error.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace redox::redoxfs {

// Maps a node's host_source (a sim path such as /scheme/initfs/bin/ls) to the host
// file holding its bytes.
using HostPathOf = std::function<Result<std::string>(const std::string& source)>;

struct RootImageSpec {
    std::vector<installer::Node> nodes;
    HostPathOf host_path_of;
    uint64_t size = 0;                       // bytes
    // Nodes whose content differs from build to build for the same config (the salted
    // password hashes in /etc/shadow) are left out of the hash; key_extra stands in
    // for what they depend on.
    std::set<std::string> unstable_paths;
    std::string key_extra;
    // Secrets the image depends on (user passwords): in the key as a keyed digest only.
    std::vector<std::string> key_secrets;
    // Set: the image is encrypted with this password (the config's encrypt_disk).
    std::optional<std::string> password;
};

struct RootImage {
    std::string path;
    bool built = false;   // false: found in the cache
};

// $XDG_CACHE_HOME/redox-sim or $HOME/.cache/redox-sim.
Result<std::string> default_cache_dir();

// Returns the cached image for `spec`, building it first when it is missing.
Result<RootImage> cached_root_image(const RootImageSpec& spec, const std::string& cache_dir);

// Checks that `path` is a writable RedoxFS image the daemon can serve (opens it
// read-only to see that it mounts, with `password` when it is encrypted). ENOKEY:
// encrypted and no password given, or the password is wrong (the context says which).
Result<void> check_root_image(const std::string& path, const std::optional<std::string>& password = {});

// Writes a fresh RedoxFS holding exactly `spec.nodes` to `path`; `progress` (if set)
// hears (nodes written, bytes written) now and then.
Result<void> write_root_image(const RootImageSpec& spec, const std::string& path,
                              const std::function<void(size_t, uint64_t)>& progress = {});

} // namespace redox::redoxfs
