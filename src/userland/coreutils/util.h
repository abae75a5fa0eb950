// Helpers shared by the coreutils commands: output through libredox fds,
// option parsing in the GNU style, reading inputs, formatting sizes and modes.
#pragma once

#include "schemes/libredox.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace redox::userland {

using Args = std::vector<std::string>;

// Standard output and error; outside a sim (the helpers' unit tests) the host's.
void out(std::string_view s);
void errout(std::string_view s);
// "PROG: WHAT: why" on stderr; returns 1.
inline int fail(std::string_view prog, std::string_view what, const Error& e) {
    errout(std::string(prog) + ": " + std::string(what) + ": " + e.message() + "\n");
    return 1;
}
// "PROG: message" on stderr; returns `code`.
int usage_error(std::string_view prog, std::string_view msg, int code = 1);

// Parsed command line: short flags (possibly grouped, "-la"), options taking a
// value ("-n 5", "-n5"), long options mapped to short letters, "--" ending
// options, and the remaining operands in order.
struct Opts {
    std::set<char> flags;
    std::map<char, std::string> values;
    std::vector<std::string> operands;
    bool has(char c) const { return flags.count(c) != 0; }
    std::string value(char c, std::string def = {}) const {
        auto it = values.find(c);
        return it == values.end() ? def : it->second;
    }
};
struct OptSpec {
    std::string_view flags;        // letters without a value
    std::string_view with_value;   // letters that take a value
    std::map<std::string, char> longs = {};  // "--all" -> 'a' (name without dashes)
    bool stop_at_operand = false;  // options end at the first operand (env, xargs)
};
// On a bad option prints "PROG: invalid option -- 'x'" and returns nullopt.
std::optional<Opts> parse_opts(std::string_view prog, const Args& a, const OptSpec& spec);

// Parse a decimal number; false if it is not one.
bool parse_int(std::string_view s, long long& v);

// The whole content of a file ("-" = standard input).
Result<std::string> read_input(const std::string& path);
// Split text into lines without their '\n' (a final line without one counts).
std::vector<std::string> split_lines(std::string_view text);
std::string join_path(std::string_view dir, std::string_view name);
std::string base_name(std::string_view path);

// "1.5K"-style sizes (powers of 1024), as GNU's -h.
std::string human_size(uint64_t n);
// "drwxr-xr-x".
std::string mode_string(uint16_t mode);
// "2026-11-23 11:20" in UTC.
std::string format_time(uint64_t secs, const char* fmt = "%Y-%m-%d %H:%M");

// Account names from /etc/passwd and /etc/group (Redox format, `;`-separated).
std::string user_name(uint32_t uid);
std::string group_name(uint32_t gid);
std::optional<uint32_t> user_id(std::string_view name);
std::optional<uint32_t> group_id(std::string_view name);

// Stat of the path itself (a symlink is not followed).
Result<Stat> lstat(std::string_view path);
// The target of a symlink.
Result<std::string> read_link(std::string_view path);
// Now, from the `time` scheme's realtime clock.
TimeSpec now_realtime();
// A mode operand: octal ("755") or symbolic ("u+x,go-w", "a=r") applied to `base`.
std::optional<uint16_t> parse_mode(std::string_view spec, uint16_t base, bool is_dir);

// One row of /scheme/sys/context: PID PPID PGID RUID EUID STAT CPU(ms) CALLS NAME.
struct ContextRow {
    long long pid = 0, ppid = 0, pgid = 0, ruid = 0, euid = 0, cpu_ms = 0, calls = 0;
    std::string stat, name;
};
std::vector<ContextRow> context_rows(const std::string& text);

// Text of a kernel file such as /scheme/sys/context.
Result<std::string> read_file(std::string_view path);

#include "userland/coreutils/commands.h"

#define COREUTILS_DECLARE(name) int cmd_##name(const Args&);
COREUTILS_COMMANDS(COREUTILS_DECLARE)
#undef COREUTILS_DECLARE

} // namespace redox::userland
