// Shared pieces of the RedoxFS subcommands: option parsing, opening images with a
// password file, one-line failures and terminal progress.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "redoxfs/filesystem.h"

namespace redox::redoxfs::cli {

struct Args {
    std::vector<std::string> positional;
    std::optional<std::string> password_file, snapshot, size;
    bool encrypt = false, foreground = false, trim = false;
    std::string bad;   // first unknown option, if any
};
Args parse_args(std::span<char*> argv);

// Reads the first line of a password file (without the newline).
Result<std::string> read_password(const std::string& path);
// Accepts plain bytes or K/M/G/T suffixes (powers of 1024).
Result<uint64_t> parse_size(const std::string& s);

// Asks for a password on the terminal (stdin, without echo); ENOTTY when stdin is
// not a terminal.
Result<std::string> ask_password(const std::string& prompt);

// Opens an image; an encrypted one is unlocked with --password-file F, or, without
// one, with a password asked on the terminal (three tries).
Result<std::unique_ptr<FileSystem>> open_image(const std::string& image, bool writable, const Args& a,
                                               bool tolerate_damage = false);

// "redox-sim: WHAT IMAGE: WHY" on stderr; returns 1.
int fail(const std::string& what, const Error& e);

// Rewrites one status line on stderr when it is a terminal.
class Progress {
public:
    explicit Progress(std::string label);
    ~Progress();
    void update(const std::string& status);

private:
    std::string m_label;
    bool m_tty = false;
    bool m_shown = false;
    uint64_t m_last_ms = 0;
};

} // namespace redox::redoxfs::cli
