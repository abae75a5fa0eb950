// echo, true, false, sleep, env, seq, pwd, basename, dirname, which, xargs:
// small tools that need no file tree walking.
#include "userland/coreutils/util.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace redox::userland {

int cmd_echo(const Args& a) {
    size_t i = 0;
    bool newline = true;
    if (!a.empty() && a[0] == "-n") { newline = false; i = 1; }
    std::string line;
    for (; i < a.size(); ++i) {
        line += a[i];
        if (i + 1 < a.size()) line += ' ';
    }
    if (newline) line += '\n';
    out(line);
    return 0;
}

int cmd_true(const Args&) { return 0; }
int cmd_false(const Args&) { return 1; }

int cmd_sleep(const Args& a) {
    if (a.empty()) { errout("sleep: missing operand\n"); return 1; }
    double total = 0;
    for (auto& s : a) {
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        double mult = 1;
        if (end && *end) {
            if (!std::strcmp(end, "s")) mult = 1;
            else if (!std::strcmp(end, "m")) mult = 60;
            else if (!std::strcmp(end, "h")) mult = 3600;
            else { errout("sleep: invalid time interval '" + s + "'\n"); return 1; }
        }
        if (v < 0) { errout("sleep: invalid time interval '" + s + "'\n"); return 1; }
        total += v * mult;
    }
    auto r = sys::sleep_ns(uint64_t(total * 1e9));
    if (!r) return 130;
    return 0;
}

int cmd_env(const Args& a) {
    size_t i = 0;
    bool clear = false;
    std::vector<std::string> unset;
    for (; i < a.size() && a[i].starts_with('-'); ++i) {
        if (a[i] == "-i" || a[i] == "-" || a[i] == "--ignore-environment") clear = true;
        else if (a[i] == "-u" && i + 1 < a.size()) unset.push_back(a[++i]);
        else if (a[i] == "--") { ++i; break; }
        else return usage_error("env", "invalid option '" + a[i] + "'", 125);
    }
    if (clear) {
        std::vector<std::string> names;
        for (char** e = environ; *e; ++e)
            if (std::strncmp(*e, "REDOX_SIM", 9) != 0) names.push_back(std::string(*e).substr(0, std::string(*e).find('=')));
        unset.insert(unset.end(), names.begin(), names.end());
    }
    for (auto& n : unset) unsetenv(n.c_str());
    if (i < a.size()) {
        sys::SpawnSpec spec;
        for (; i < a.size() && a[i].find('=') != std::string::npos; ++i) spec.env.push_back(a[i]);
        if (i < a.size()) {
            spec.path = a[i];
            spec.argv.assign(a.begin() + long(i), a.end());
            auto pid = sys::spawn(spec);
            if (!pid) return fail("env", a[i], pid.error()) + 126;
            auto r = sys::waitpid(*pid, 0);
            return r && sys::exited(r->second) ? sys::exit_code(r->second) : 1;
        }
        for (auto& e : spec.env) setenv(e.substr(0, e.find('=')).c_str(), e.substr(e.find('=') + 1).c_str(), 1);
    }
    std::string s;
    for (char** e = environ; *e; ++e) {
        if (!std::strncmp(*e, "REDOX_SIM=", 10)) continue;
        s += *e;
        s += '\n';
    }
    out(s);
    return 0;
}

int cmd_seq(const Args& a) {
    // Negative numbers are operands, not options.
    Args ops;
    std::string sep = "\n";
    bool equal_width = false;
    for (size_t i = 0; i < a.size(); ++i) {
        long long v;
        if (a[i] == "-w") equal_width = true;
        else if (a[i] == "-s" && i + 1 < a.size()) sep = a[++i];
        else if (a[i].starts_with("-s") && !parse_int(a[i], v)) sep = a[i].substr(2);
        else ops.push_back(a[i]);
    }
    if (ops.empty()) return usage_error("seq", "missing operand");
    if (ops.size() > 3) return usage_error("seq", "extra operand '" + ops[3] + "'");
    long long n[3];
    for (size_t i = 0; i < ops.size(); ++i)
        if (!parse_int(ops[i], n[i])) return usage_error("seq", "invalid argument: '" + ops[i] + "'");
    long long first = 1, incr = 1, last = n[0];
    if (ops.size() == 2) { first = n[0]; last = n[1]; }
    if (ops.size() == 3) { first = n[0]; incr = n[1]; last = n[2]; }
    if (incr == 0) return usage_error("seq", "invalid Zero increment value: '0'");
    size_t width = equal_width ? std::max(std::to_string(first).size(), std::to_string(last).size()) : 0;
    std::string text;
    bool any = false;
    for (long long v = first; incr > 0 ? v <= last : v >= last; v += incr) {
        std::string s = std::to_string(std::llabs(v));
        size_t digits = width > 0 && v < 0 ? width - 1 : width;
        if (s.size() < digits) s = std::string(digits - s.size(), '0') + s;
        if (v < 0) s = "-" + s;
        if (any) text += sep;
        text += s;
        any = true;
    }
    if (any) text += "\n";
    out(text);
    return 0;
}

int cmd_pwd(const Args& a) {
    if (!a.empty() && a[0] != "-L" && a[0] != "-P") return usage_error("pwd", "invalid option '" + a[0] + "'");
    out(sys::cwd() + "\n");
    return 0;
}

int cmd_basename(const Args& a) {
    if (a.empty()) return usage_error("basename", "missing operand");
    if (a.size() > 2) return usage_error("basename", "extra operand '" + a[2] + "'");
    std::string b = base_name(a[0]);
    if (a.size() == 2 && b.size() > a[1].size() && b.ends_with(a[1])) b.resize(b.size() - a[1].size());
    out(b + "\n");
    return 0;
}

int cmd_dirname(const Args& a) {
    if (a.empty()) return usage_error("dirname", "missing operand");
    std::string text;
    for (auto p : a) {
        while (p.size() > 1 && p.ends_with('/')) p.pop_back();
        size_t slash = p.rfind('/');
        if (slash == std::string::npos) p = ".";
        else {
            p = p.substr(0, slash);
            while (p.size() > 1 && p.ends_with('/')) p.pop_back();
            if (p.empty()) p = "/";
        }
        text += p + "\n";
    }
    out(text);
    return 0;
}

namespace {

// The file PATH lookup would run for `name`, if any.
std::optional<std::string> find_in_path(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        auto st = sys::stat(name);
        if (st && (st->st_mode & MODE_TYPE) != MODE_DIR && (st->st_mode & 0111)) return name;
        return std::nullopt;
    }
    const char* path = std::getenv("PATH");
    std::string p = path ? path : "/usr/bin";
    size_t pos = 0;
    while (pos <= p.size()) {
        size_t colon = p.find(':', pos);
        std::string dir = p.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
        if (dir.empty()) dir = ".";
        std::string cand = join_path(dir, name);
        auto st = sys::stat(cand);
        if (st && (st->st_mode & MODE_TYPE) != MODE_DIR && (st->st_mode & 0111)) return cand;
        if (colon == std::string::npos) break;
        pos = colon + 1;
    }
    return std::nullopt;
}

} // namespace

int cmd_which(const Args& a) {
    auto o = parse_opts("which", a, {"a", ""});
    if (!o) return 1;
    if (o->operands.empty()) return 1;
    int rc = 0;
    std::string text;
    for (auto& n : o->operands) {
        if (auto p = find_in_path(n)) text += *p + "\n";
        else rc = 1;
    }
    out(text);
    return rc;
}

// xargs [-n N] [-I STR] [-0] [-d C] [-t] [CMD [ARG...]]: run CMD (echo by
// default) with the words of standard input appended (or substituted for STR).
int cmd_xargs(const Args& a) {
    auto o = parse_opts("xargs", a, {"0tr", "nIdL", {{"max-args", 'n'}, {"null", '0'}, {"verbose", 't'}, {"delimiter", 'd'},
                                                      {"no-run-if-empty", 'r'}}, true});
    if (!o) return 1;
    long long per = 0;
    if (o->values.count('n') && (!parse_int(o->value('n'), per) || per < 1))
        return usage_error("xargs", "invalid number for -n option: '" + o->value('n') + "'");
    if (o->values.count('L') && (!parse_int(o->value('L'), per) || per < 1))
        return usage_error("xargs", "invalid number for -L option: '" + o->value('L') + "'");
    std::string replace = o->value('I');
    Args cmd = o->operands.empty() ? Args{"echo"} : o->operands;
    auto input = sys::read_all(0);
    if (!input) return fail("xargs", "standard input", input.error());
    std::vector<std::string> words;
    if (o->has('0') || o->values.count('d') || !replace.empty() || o->values.count('L')) {
        char d = o->has('0') ? '\0' : o->values.count('d') ? (o->value('d') == "\\n" ? '\n' : o->value('d')[0]) : '\n';
        size_t pos = 0;
        while (pos < input->size()) {
            size_t e = input->find(d, pos);
            if (e == std::string::npos) e = input->size();
            if (e > pos || d != '\n') words.push_back(input->substr(pos, e - pos));
            pos = e + 1;
        }
    } else {
        std::string cur;
        char quote = 0;
        bool in_word = false;
        for (char c : *input) {
            if (quote) { if (c == quote) quote = 0; else cur += c; continue; }
            if (c == '\'' || c == '"') { quote = c; in_word = true; continue; }
            if (c == ' ' || c == '\n' || c == '\t') {
                if (in_word) { words.push_back(cur); cur.clear(); in_word = false; }
                continue;
            }
            cur += c;
            in_word = true;
        }
        if (in_word) words.push_back(cur);
    }
    if (words.empty() && (o->has('r') || !replace.empty())) return 0;
    if (!replace.empty() && per == 0) per = 1;
    int rc = 0;
    size_t i = 0;
    do {
        Args argv = cmd;
        size_t n = per > 0 ? size_t(per) : words.size();
        std::vector<std::string> chunk(words.begin() + long(i), words.begin() + long(std::min(words.size(), i + n)));
        i += n;
        if (!replace.empty()) {
            for (auto& arg : argv) {
                for (size_t p = arg.find(replace); p != std::string::npos; p = arg.find(replace, p + chunk[0].size()))
                    arg.replace(p, replace.size(), chunk[0]);
            }
        } else {
            argv.insert(argv.end(), chunk.begin(), chunk.end());
        }
        if (o->has('t')) {
            std::string line;
            for (size_t k = 0; k < argv.size(); ++k) line += (k ? " " : "") + argv[k];
            errout(line + "\n");
        }
        sys::SpawnSpec spec;
        spec.path = argv[0];
        spec.argv = argv;
        auto pid = sys::spawn(spec);
        if (!pid) return fail("xargs", argv[0], pid.error()) + (pid.error().errnum == ENOENT_ ? 126 : 125);
        auto r = sys::waitpid(*pid, 0);
        if (!r) return fail("xargs", "waiting for " + argv[0], r.error());
        if (!sys::exited(r->second)) return 125;
        if (sys::exit_code(r->second) == 255) return 124;
        if (sys::exit_code(r->second) != 0) rc = 123;
    } while (i < words.size());
    return rc;
}

} // namespace redox::userland

namespace redox::userland {

// yes [STRING...]: the line until the reader goes away.
int cmd_yes(const Args& a) {
    std::string line = "y";
    if (!a.empty()) {
        line = a[0];
        for (size_t i = 1; i < a.size(); ++i) line += " " + a[i];
    }
    line += '\n';
    std::string block;
    while (block.size() < 8192) block += line;
    for (;;)
        if (!sys::write_all(1, block)) return 1;  // the pipe's reader closed it
}

int cmd_readlink(const Args& a) {
    auto o = parse_opts("readlink", a, {"n", "", {{"no-newline", 'n'}}});
    if (!o) return 1;
    if (o->operands.empty()) return usage_error("readlink", "missing operand");
    int rc = 0;
    std::string text;
    for (auto& p : o->operands) {
        auto t = read_link(p);
        if (!t) { rc = 1; continue; }  // as GNU: nothing printed for a path that is not a link
        text += *t;
        if (!o->has('n')) text += '\n';
    }
    out(text);
    return rc;
}

namespace {

// One of printf's backslash escapes, the one at s[i] (a '\\'), onto r; i ends
// on its last character. With `percent_b` (a %b argument) octal is \0NNN and
// \c ends all output (stop = true); in the format octal is \NNN.
void unescape_one(std::string_view s, size_t& i, bool percent_b, bool& stop, std::string& r) {
    if (i + 1 == s.size()) { r += '\\'; return; }
    char c = s[++i];
    switch (c) {
    case 'n': r += '\n'; return;
    case 't': r += '\t'; return;
    case 'r': r += '\r'; return;
    case 'a': r += '\a'; return;
    case 'b': r += '\b'; return;
    case 'f': r += '\f'; return;
    case 'v': r += '\v'; return;
    case 'e': r += '\x1b'; return;
    case '\\': r += '\\'; return;
    case 'c':
        if (percent_b) stop = true;
        else r += "\\c";
        return;
    }
    const bool octal = c >= '0' && c <= '7' && (!percent_b || c == '0');
    if (!octal) {
        r += '\\';
        r += c;
        return;
    }
    if (percent_b) ++i;  // past the 0 of \0NNN
    int v = 0;
    for (int n = 0; n < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++n) v = v * 8 + (s[i++] - '0');
    --i;
    r += char(v);
}

// A %b argument with its escapes.
std::string unescape_b(std::string_view s, bool& stop) {
    std::string r;
    for (size_t i = 0; i < s.size() && !stop; ++i) {
        if (s[i] == '\\') unescape_one(s, i, true, stop, r);
        else r += s[i];
    }
    return r;
}

// One conversion through the C library's printf.
template <typename T>
std::string format_one(const std::string& spec, T value) {
    int n = std::snprintf(nullptr, 0, spec.c_str(), value);
    if (n <= 0) return {};
    std::string r(size_t(n), '\0');
    std::snprintf(r.data(), r.size() + 1, spec.c_str(), value);
    return r;
}

} // namespace

// printf FORMAT [ARG...]: the format again for arguments left over, as POSIX.
int cmd_printf(const Args& a) {
    if (a.empty()) return usage_error("printf", "missing operand");
    const std::string& fmt = a[0];
    size_t next = 1;
    int rc = 0;
    bool stop = false;
    std::string text;
    auto arg = [&]() -> std::string { return next < a.size() ? a[next++] : std::string(); };
    // A numeric argument: decimal, 0x hex, 0 octal, or 'c for the code of c.
    auto numeric = [&](auto parse) {
        std::string s = arg();
        using T = decltype(parse(s.c_str(), (char**)nullptr));
        if (s.empty()) return T(0);
        if (s[0] == '\'' || s[0] == '"') return T(s.size() > 1 ? uint8_t(s[1]) : 0);
        char* end = nullptr;
        errno = 0;
        T v = parse(s.c_str(), &end);
        if (*end != '\0' || errno) {
            errout("printf: '" + s + "': expected a numeric value\n");
            rc = 1;
        }
        return v;
    };
    auto integer = [&] { return numeric([](const char* p, char** e) { return std::strtoll(p, e, 0); }); };
    auto real = [&] { return numeric([](const char* p, char** e) { return std::strtod(p, e); }); };
    do {
        const size_t first = next;
        for (size_t i = 0; i < fmt.size() && !stop; ++i) {
            if (fmt[i] == '\\') {
                unescape_one(fmt, i, false, stop, text);
                continue;
            }
            if (fmt[i] != '%') { text += fmt[i]; continue; }
            if (i + 1 < fmt.size() && fmt[i + 1] == '%') { text += '%'; ++i; continue; }
            // %[flags][width][.precision]conversion; * takes the width from an argument
            std::string spec = "%";
            size_t j = i + 1;
            while (j < fmt.size() && std::strchr("-+ #0", fmt[j])) spec += fmt[j++];
            auto digits = [&] {
                if (j < fmt.size() && fmt[j] == '*') { spec += std::to_string(std::atoi(arg().c_str())); ++j; return; }
                while (j < fmt.size() && std::isdigit(uint8_t(fmt[j]))) spec += fmt[j++];
            };
            digits();
            if (j < fmt.size() && fmt[j] == '.') { spec += fmt[j++]; digits(); }
            if (j >= fmt.size()) return usage_error("printf", "missing conversion in '" + fmt + "'");
            const char conv = fmt[j];
            i = j;
            std::string v;
            switch (conv) {
            case 'd': case 'i':
                v = format_one(spec + "lld", integer());
                break;
            case 'u': case 'x': case 'X': case 'o':
                v = format_one(spec + "ll" + conv, (unsigned long long)integer());
                break;
            case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
                v = format_one(spec + conv, real());
                break;
            case 'c': {
                std::string s = arg();
                if (!s.empty()) v = format_one(spec + "c", s[0]);
                break;
            }
            case 's': case 'b': {
                std::string s = arg();
                if (conv == 'b') s = unescape_b(s, stop);
                v = format_one(spec + "s", s.c_str());
                break;
            }
            default:
                return usage_error("printf", std::string("invalid conversion '%") + conv + "'");
            }
            text += v;
        }
        if (next == first) break;  // the format took no argument: once only
    } while (next < a.size() && !stop);
    out(text);
    return rc;
}

} // namespace redox::userland
