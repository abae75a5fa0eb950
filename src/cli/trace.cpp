// `redox-sim trace FILE`: print a scheme-call trace (boot --trace FILE) the
// way strace prints system calls, filtered by pid, scheme or opcode, or as a
// per-call summary table with -c.
#include "cli/command.h"
#include "schemes/names.h"
#include "schemes/protocol.h"

#include <charconv>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace redox::cli {

namespace {

struct Record {
    uint64_t start_ns = 0, dur_ns = 0;
    uint32_t pid = 0;
    std::string scheme, op;
    uint64_t number = 0, len = 0;
    int64_t offset = -1;
    uint64_t result = 0;
    std::string path;
};

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out(1);
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c == '\t') { out.emplace_back(); continue; }
        if (c == '\\' && i + 1 < line.size()) {
            char n = line[++i];
            out.back() += n == 't' ? '\t' : n == 'n' ? '\n' : n;
            continue;
        }
        out.back() += c;
    }
    return out;
}

template <typename T>
bool number(const std::string& s, T& v) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size();
}

bool parse(const std::string& line, Record& r) {
    auto f = split_tabs(line);
    if (f.size() != 10) return false;
    r.scheme = f[3];
    r.op = f[4];
    r.path = f[9];
    return number(f[0], r.start_ns) && number(f[1], r.dur_ns) && number(f[2], r.pid) && number(f[5], r.number) &&
           number(f[6], r.len) && number(f[7], r.offset) && number(f[8], r.result);
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') { out += "\\n"; continue; }
        out += c;
    }
    return out + "\"";
}

std::string call_text(const Record& r) {
    std::string args;
    if (r.op == "open" || r.op == "openat" || r.op == "unlinkat" || r.op == "rmdir" || r.op == "unlink")
        args = quoted(r.path);
    else if (r.op == "read" || r.op == "write" || r.op == "getdents")
        args = r.offset >= 0 ? fmt::format("#{}, {}, @{}", r.number, r.len, r.offset) : fmt::format("#{}, {}", r.number, r.len);
    else if (r.op == "dup" || r.op == "frename" || r.op == "flink")
        args = fmt::format("#{}, {}", r.number, quoted(r.path));
    else
        args = fmt::format("#{}", r.number);
    std::string res = is_error(r.result) ? "-1 " + errno_name(demux_error(r.result)) : std::to_string(r.result);
    return fmt::format("{}.{}({}) = {}", r.scheme, r.op, args, res);
}

int trace_main(std::span<char*> argv) {
    std::string file;
    std::set<uint32_t> pids;
    std::set<std::string> schemes, ops;
    bool summary = false;
    for (size_t i = 0; i < argv.size(); ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argv.size() ? argv[++i] : nullptr; };
        if (a == "--pid" || a == "-p") {
            const char* v = value();
            uint32_t pid = 0;
            if (!v || !number(std::string(v), pid)) return fail("trace: --pid needs a sim pid");
            pids.insert(pid);
        } else if (a == "--scheme" || a == "-s") {
            const char* v = value();
            if (!v) return fail("trace: --scheme needs a scheme name");
            schemes.insert(v);
        } else if (a == "--op" || a == "-e") {
            const char* v = value();
            if (!v || !opcode_from_name(v)) return fail(fmt::format("trace: --op needs an opcode name{}", v ? fmt::format(" ('{}' is none)", v) : ""));
            ops.insert(opcode_name(*opcode_from_name(v)));
        } else if (a == "-c") {
            summary = true;
        } else if (!a.starts_with('-') && file.empty()) {
            file = a;
        } else {
            return fail("trace: unknown option '" + a + "'");
        }
    }
    if (file.empty()) return fail("trace: usage: redox-sim trace FILE [--pid N] [--scheme NAME] [--op OPCODE] [-c]");
    std::ifstream in(file);
    if (!in) return fail("trace: cannot open " + file);
    struct Sum { uint64_t calls = 0, errors = 0, ns = 0; };
    std::map<std::pair<std::string, std::string>, Sum> sums;
    std::string line;
    size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        Record r;
        if (!parse(line, r)) return fail(fmt::format("trace: {}:{}: not a trace record", file, lineno));
        if (!pids.empty() && !pids.count(r.pid)) continue;
        if (!schemes.empty() && !schemes.count(r.scheme)) continue;
        if (!ops.empty() && !ops.count(r.op)) continue;
        if (summary) {
            auto& s = sums[{r.scheme, r.op}];
            ++s.calls;
            s.errors += is_error(r.result);
            s.ns += r.dur_ns;
            continue;
        }
        fmt::print("{:>12.6f} [{:>3}] {} <{:.6f}>\n", double(r.start_ns) / 1e9, r.pid, call_text(r),
                   double(r.dur_ns) / 1e9);
    }
    if (summary) {
        fmt::print("{:<12} {:<12} {:>9} {:>7} {:>12} {:>10}\n", "scheme", "call", "calls", "errors", "total us", "avg us");
        for (auto& [k, s] : sums)
            fmt::print("{:<12} {:<12} {:>9} {:>7} {:>12.1f} {:>10.2f}\n", k.first, k.second, s.calls, s.errors,
                       double(s.ns) / 1e3, double(s.ns) / 1e3 / double(s.calls));
    }
    return 0;
}

} // namespace

REDOX_SIM_COMMAND("trace", "trace FILE [--pid N] [--scheme NAME] [--op OPCODE] [-c]", trace_main);

} // namespace redox::cli
