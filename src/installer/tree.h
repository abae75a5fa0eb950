// The root file system a config describes, as a flat list of nodes, and its wire form.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "installer/config.h"

namespace redox::installer {

// Sorted by path, so every directory comes before what it contains.
struct Node {
    enum class Type { File, Dir, Symlink } type = Type::File;
    std::string path;        // absolute, normalised ("/", "/etc/passwd")
    uint32_t mode = 0;       // permission bits only (0..07777)
    uint32_t uid = 0, gid = 0;
    std::string data;        // file content or symlink target
    std::string host_source; // non-empty: file content comes from this host file (programs)
};

// Which programs each package provides: package name -> (install path, host file path).
using PackageCatalog = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;

// Order of work: the root and the directories implied by every path (0755, root);
// [[files]] without postinstall in config order; the programs of every package that is
// not "ignore" (0755, from the catalog; a package missing from the catalog is an error
// naming its config line); /etc/passwd, /etc/group, /etc/shadow and the home
// directories (0700, owned by the user); [[files]] with postinstall; last, every
// recursive_chown, so it covers what packages and users put below it.
// A path below a symlink of the tree follows it (so "/bin/ls" lands in "/usr/bin").
redox::Result<std::vector<Node>> build_tree(const Config& cfg, const PackageCatalog& catalog);

// Same, with a fixed argon2 salt for each user (tests that compare /etc/shadow bytes);
// build_tree draws a random u64 per user as Redox's users crate does.
redox::Result<std::vector<Node>> build_tree_with_salt(const Config& cfg, const PackageCatalog& catalog,
                                                      uint64_t salt);

// Wire form (binary-safe, no escaping):
//   "RXTREE1\n" then per node one header line and three raw fields:
//   "<T> <mode octal> <uid> <gid> <path len> <data len> <source len>\n" PATH DATA SOURCE "\n"
// T is F (file), D (dir) or L (symlink); numbers are ASCII decimal except mode;
// lengths are bytes, so data may hold NULs and newlines. parse_tree rejects anything
// else (bad header, short field, relative or unnormalised path, a node before its
// parent directory, a duplicate path) with "tree: offset N: WHAT".
std::string serialize_tree(const std::vector<Node>& nodes);
redox::Result<std::vector<Node>> parse_tree(std::string_view bytes);

// Hashes a password the way Redox's users crate does: argon2i, m=4096 KiB, t=10, p=1,
// 32-byte hash, the salt being a u64 printed as upper-case hex. "" hashes to "" (no password).
redox::Result<std::string> hash_password(std::string_view password, uint64_t salt);

// Argon2 costs tens of milliseconds per password by design, a large part of a boot.
// With a memo file set, hash_password reuses the hash it made earlier for the same
// password (salt and all) instead of hashing again. Entries are keyed by a BLAKE2b of
// the password under a random key kept in the same file (mode 0600), so the file
// does not reveal passwords. An unreadable or damaged memo is ignored and rewritten.
void set_password_memo(std::string path);

} // namespace redox::installer
