#include "userland/coreutils/util.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <unistd.h>

namespace redox::userland {

static void write_stream(int fd, std::string_view s) {
    if (sys::in_sim()) {
        (void)sys::write_all(fd, s);
        return;
    }
    while (!s.empty()) {
        ssize_t n = ::write(fd, s.data(), s.size());
        if (n <= 0) return;
        s.remove_prefix(size_t(n));
    }
}

void out(std::string_view s) { write_stream(1, s); }
void errout(std::string_view s) { write_stream(2, s); }

int usage_error(std::string_view prog, std::string_view msg, int code) {
    errout(std::string(prog) + ": " + std::string(msg) + "\n");
    return code;
}

std::optional<Opts> parse_opts(std::string_view prog, const Args& a, const OptSpec& spec) {
    Opts o;
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a[i];
        if (s == "--") {
            o.operands.insert(o.operands.end(), a.begin() + long(i) + 1, a.end());
            break;
        }
        if (s.starts_with("--")) {
            std::string name = s.substr(2), val;
            bool has_val = false;
            if (auto eq = name.find('='); eq != std::string::npos) {
                val = name.substr(eq + 1);
                name = name.substr(0, eq);
                has_val = true;
            }
            auto it = spec.longs.find(name);
            if (it == spec.longs.end()) {
                usage_error(prog, "unrecognized option '" + s + "'");
                return std::nullopt;
            }
            char c = it->second;
            if (spec.with_value.find(c) != std::string_view::npos) {
                if (!has_val) {
                    if (i + 1 >= a.size()) {
                        usage_error(prog, "option '" + s + "' requires an argument");
                        return std::nullopt;
                    }
                    val = a[++i];
                }
                o.values[c] = val;
            } else {
                o.flags.insert(c);
            }
            continue;
        }
        if (s.size() < 2 || s[0] != '-') {
            if (spec.stop_at_operand) {
                o.operands.insert(o.operands.end(), a.begin() + long(i), a.end());
                break;
            }
            o.operands.push_back(s);
            continue;
        }
        for (size_t j = 1; j < s.size(); ++j) {
            char c = s[j];
            if (spec.with_value.find(c) != std::string_view::npos) {
                if (j + 1 < s.size()) o.values[c] = s.substr(j + 1);
                else if (i + 1 < a.size()) o.values[c] = a[++i];
                else {
                    usage_error(prog, std::string("option requires an argument -- '") + c + "'");
                    return std::nullopt;
                }
                break;
            }
            if (spec.flags.find(c) == std::string_view::npos) {
                usage_error(prog, std::string("invalid option -- '") + c + "'");
                return std::nullopt;
            }
            o.flags.insert(c);
        }
    }
    return o;
}

bool parse_int(std::string_view s, long long& v) {
    if (s.empty()) return false;
    std::string str(s);
    char* end = nullptr;
    errno = 0;
    v = std::strtoll(str.c_str(), &end, 10);
    return errno == 0 && end && *end == 0;
}

Result<std::string> read_input(const std::string& path) {
    if (path == "-") return sys::read_all(0);
    int fd = TRY(sys::open(path, O_RDONLY_));
    auto text = sys::read_all(fd);
    (void)sys::close(fd);
    return text;
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        lines.emplace_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return lines;
}

std::string join_path(std::string_view dir, std::string_view name) {
    if (dir.empty()) return std::string(name);
    if (dir.ends_with('/')) return std::string(dir) + std::string(name);
    return std::string(dir) + "/" + std::string(name);
}

std::string base_name(std::string_view path) {
    while (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos || path == "/") return std::string(path);
    return std::string(path.substr(slash + 1));
}

std::string human_size(uint64_t n) {
    const char* units = "BKMGTPE";
    if (n < 1024) return std::to_string(n);
    double v = double(n);
    int u = 0;
    while (v >= 1024 && u < 6) { v /= 1024; ++u; }
    char buf[32];
    // GNU rounds up and shows one decimal below 10.
    if (v < 10) std::snprintf(buf, sizeof buf, "%.1f%c", std::ceil(v * 10) / 10, units[u]);
    else std::snprintf(buf, sizeof buf, "%.0f%c", std::ceil(v), units[u]);
    return buf;
}

std::string mode_string(uint16_t m) {
    std::string s;
    switch (m & MODE_TYPE) {
    case MODE_DIR: s = "d"; break;
    case MODE_SYMLINK: s = "l"; break;
    case MODE_CHR: s = "c"; break;
    case MODE_FIFO: s = "p"; break;
    case MODE_SOCK: s = "s"; break;
    default: s = "-";
    }
    const char* rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i) s += (m & (0400 >> i)) ? rwx[i] : '-';
    if (m & 04000) s[3] = (m & 0100) ? 's' : 'S';
    if (m & 02000) s[6] = (m & 0010) ? 's' : 'S';
    if (m & 01000) s[9] = (m & 0001) ? 't' : 'T';
    return s;
}

std::string format_time(uint64_t secs, const char* fmt) {
    time_t t = time_t(secs);
    tm tmv;
    gmtime_r(&t, &tmv);
    char buf[128];
    size_t n = std::strftime(buf, sizeof buf, fmt, &tmv);
    return std::string(buf, n);
}

std::vector<ContextRow> context_rows(const std::string& text) {
    std::vector<ContextRow> rows;
    auto lines = split_lines(text);
    for (size_t i = 1; i < lines.size(); ++i) {
        std::istringstream in(lines[i]);
        ContextRow r;
        if (!(in >> r.pid >> r.ppid >> r.pgid >> r.ruid >> r.euid >> r.stat >> r.cpu_ms >> r.calls)) continue;
        std::getline(in >> std::ws, r.name);
        rows.push_back(r);
    }
    return rows;
}

Result<std::string> read_file(std::string_view path) {
    int fd = TRY(sys::open(path, O_RDONLY_));
    auto text = sys::read_all(fd);
    (void)sys::close(fd);
    return text;
}

Result<Stat> lstat(std::string_view path) {
    int fd = TRY(sys::open(path, O_RDONLY_ | O_STAT_ | O_NOFOLLOW_ | O_SYMLINK_));
    auto st = sys::fstat(fd);
    (void)sys::close(fd);
    return st;
}

Result<std::string> read_link(std::string_view path) {
    int fd = TRY(sys::open(path, O_RDONLY_ | O_NOFOLLOW_ | O_SYMLINK_));
    auto st = sys::fstat(fd);
    if (!st || (st->st_mode & MODE_TYPE) != MODE_SYMLINK) {
        (void)sys::close(fd);
        return st ? err(EINVAL_, "not a symbolic link") : std::unexpected(st.error());
    }
    char buf[4096];
    auto n = sys::read(fd, buf, sizeof buf);
    (void)sys::close(fd);
    if (!n) return std::unexpected(n.error());
    return std::string(buf, *n);
}

TimeSpec now_realtime() {
    TimeSpec ts{};
    if (auto fd = sys::open("/scheme/time/1", O_RDONLY_)) {
        (void)sys::read(*fd, &ts, sizeof ts);
        (void)sys::close(*fd);
    }
    return ts;
}

std::optional<uint16_t> parse_mode(std::string_view spec, uint16_t base, bool is_dir) {
    if (spec.empty()) return std::nullopt;
    if (spec.find_first_not_of("01234567") == std::string_view::npos) {
        if (spec.size() > 4) return std::nullopt;
        return uint16_t(std::strtoul(std::string(spec).c_str(), nullptr, 8));
    }
    uint16_t mode = base & 07777;
    size_t pos = 0;
    while (pos <= spec.size()) {
        size_t comma = spec.find(',', pos);
        std::string_view clause = spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        size_t i = 0;
        uint16_t who = 0;
        for (; i < clause.size() && std::string_view("ugoa").find(clause[i]) != std::string_view::npos; ++i)
            who |= clause[i] == 'u' ? 04700 : clause[i] == 'g' ? 02070 : clause[i] == 'o' ? 01007 : 07777;
        if (who == 0) who = 07777;
        if (i >= clause.size()) return std::nullopt;
        while (i < clause.size()) {
            char op = clause[i++];
            if (op != '+' && op != '-' && op != '=') return std::nullopt;
            uint16_t bits = 0;
            for (; i < clause.size() && std::string_view("rwxXst").find(clause[i]) != std::string_view::npos; ++i) {
                switch (clause[i]) {
                case 'r': bits |= 0444; break;
                case 'w': bits |= 0222; break;
                case 'x': bits |= 0111; break;
                case 'X': if (is_dir || (mode & 0111)) bits |= 0111; break;
                case 's': bits |= 06000; break;
                case 't': bits |= 01000; break;
                }
            }
            bits &= who;
            if (op == '+') mode |= bits;
            else if (op == '-') mode &= uint16_t(~bits);
            else mode = uint16_t((mode & ~who) | bits);
        }
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return mode;
}

namespace {

// Rows of a `;`-separated account file: passwd is name;uid;gid;..., group is
// name;x;gid;members.
std::vector<std::vector<std::string>> account_rows(std::string_view path) {
    std::vector<std::vector<std::string>> rows;
    auto text = read_file(path);
    if (!text) return rows;
    for (auto& line : split_lines(*text)) {
        std::vector<std::string> f;
        size_t pos = 0;
        for (;;) {
            size_t semi = line.find(';', pos);
            f.push_back(line.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos));
            if (semi == std::string::npos) break;
            pos = semi + 1;
        }
        rows.push_back(std::move(f));
    }
    return rows;
}

std::string name_of(std::string_view path, size_t id_field, uint32_t id) {
    for (auto& f : account_rows(path))
        if (f.size() > id_field && f[id_field] == std::to_string(id)) return f[0];
    return std::to_string(id);
}

std::optional<uint32_t> id_of(std::string_view path, size_t id_field, std::string_view name) {
    long long v;
    if (parse_int(name, v) && v >= 0) return uint32_t(v);
    for (auto& f : account_rows(path))
        if (f.size() > id_field && f[0] == name && parse_int(f[id_field], v)) return uint32_t(v);
    return std::nullopt;
}

} // namespace

std::string user_name(uint32_t uid) { return name_of("/etc/passwd", 1, uid); }
std::string group_name(uint32_t gid) { return name_of("/etc/group", 2, gid); }
std::optional<uint32_t> user_id(std::string_view name) { return id_of("/etc/passwd", 1, name); }
std::optional<uint32_t> group_id(std::string_view name) { return id_of("/etc/group", 2, name); }

} // namespace redox::userland
