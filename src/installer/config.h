// The installer's TOML config (Redox `installer` crate, reference §8): what goes into a
// root file system. A config is an embedded default ("minimal", "base", "server",
// "desktop"; their sources are src/installer/configs/*.toml) or a host file.
//
// Merging: `include = [..]` paths are relative to the including file; an include that
// does not exist there but names an embedded config ("base" or "base.toml") uses the
// embedded one, so host configs can build on the defaults. Includes are applied in
// order, then the file itself: [packages], [users.*], [groups.*] replace key by key,
// [[files]] are appended, [general] fields replace only when set.
//
// Every rejected input is one redox::Error whose context reads
// "config FILE:LINE: WHAT" (errnum EINVAL, or ENOENT for a missing file/include).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemes/error.h"

namespace redox::installer {

struct General {
    bool prompt = false;              // ask for missing passwords (never done here: no I/O)
    uint64_t filesystem_size_mib = 0; // 0 = unset
    uint64_t efi_partition_size_mib = 0;
    bool skip_partitions = false;
    std::string encrypt_disk;         // RedoxFS encryption password; empty = none
    bool live_disk = false;
    std::string write_bootloader;     // host path, empty = none
    bool no_mount = false;
    std::string cookbook;             // host path of a cookbook; unused by the sim
};

// `name = {}` (default), `name = "ignore"`, `name = "RECIPE"`, `name = { version, git, path }`.
struct PackageSpec {
    std::string recipe;               // the string form other than "ignore"
    bool ignore = false;
    std::string version, git, path;
    std::string origin;               // "file.toml:14"
};

struct FileEntry {
    std::string path, data;           // data = content, or the target when symlink
    bool symlink = false, directory = false, append = false;
    std::optional<uint32_t> mode;
    uint32_t uid = 0, gid = 0;
    bool recursive_chown = false;
    bool postinstall = false;         // applied after packages and users
    std::string origin;
};

struct User {
    std::string name, password;       // password: plaintext, "" = no password
    std::optional<uint32_t> uid, gid; // unset: next free id from 1000
    std::string fullname, home, shell;// defaults: NAME, /home/NAME, /bin/ion
    std::string origin;
};

struct Group {
    std::string name;
    std::optional<uint32_t> gid;
    std::vector<std::string> members;
    std::string origin;
};

struct Config {
    General general;
    std::map<std::string, PackageSpec> packages;
    std::vector<FileEntry> files;
    std::map<std::string, User> users;
    std::map<std::string, Group> groups;
    std::string source;               // what was loaded: an embedded name or a host path
};

// name_or_path: an embedded config name, or a host file path (anything containing '/' or
// ending in ".toml" is always a path).
redox::Result<Config> load_config(std::string_view name_or_path);

// Parses TOML text as if it were the file `display_name` in `dir` (includes resolve
// against dir). For tests and for configs that do not live on disk.
redox::Result<Config> load_config_text(std::string_view text, std::string_view display_name,
                                       std::string_view dir);

std::vector<std::string> embedded_config_names();

// The TOML text of an embedded config ("base" or "base.toml").
std::optional<std::string_view> embedded_config(std::string_view name);

} // namespace redox::installer
