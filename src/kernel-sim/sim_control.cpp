#include "kernel-sim/sim_control.h"

#include "schemes/names.h"

#include <charconv>
#include <fmt/format.h>

namespace redox::kernel {

bool glob_match(std::string_view p, std::string_view t) {
    // Iterative matcher with one backtrack point per `*`.
    size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) { ++pi; ++ti; }
        else if (pi < p.size() && p[pi] == '*') { star = pi++; mark = ti; }
        else if (star != std::string_view::npos) { pi = star + 1; ti = ++mark; }
        else return false;
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

namespace {

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

Result<uint64_t> count_arg(std::string_view flag, std::string_view v) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size())
        return err(EINVAL_, fmt::format("{} {}: not a number", flag, v));
    return n;
}

std::string escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\t') out += "\\t";
        else if (c == '\n') out += "\\n";
        else if (c == '\\') out += "\\\\";
        else out += c;
    }
    return out;
}

} // namespace

Result<void> Faults::add(std::string_view line) {
    auto w = words(line);
    if (w.size() == 1 && w[0] == "clear") {
        m_rules.clear();
        return {};
    }
    if (w.size() < 3) return err(EINVAL_, "expected SCHEME OPCODE ERRNO [--count N] [--after N] [--path GLOB]");
    FaultRule r;
    r.scheme = std::string(w[0]);
    if (w[1] != "*") {
        auto op = opcode_from_name(w[1]);
        if (!op) return err(EINVAL_, fmt::format("unknown opcode '{}'", w[1]));
        r.opcode = int(*op);
    }
    auto e = errno_from_name(w[2]);
    if (!e) return err(EINVAL_, fmt::format("unknown errno '{}'", w[2]));
    r.errnum = *e;
    for (size_t i = 3; i < w.size(); ++i) {
        if (i + 1 >= w.size()) return err(EINVAL_, fmt::format("{} needs a value", w[i]));
        if (w[i] == "--count") r.count = TRY(count_arg(w[i], w[i + 1]));
        else if (w[i] == "--after") r.after = TRY(count_arg(w[i], w[i + 1]));
        else if (w[i] == "--path") r.path_glob = std::string(w[i + 1]);
        else return err(EINVAL_, fmt::format("unknown fault option '{}'", w[i]));
        ++i;
    }
    m_rules.push_back(std::move(r));
    return {};
}

int Faults::check(const std::string& scheme, const KRequest& r) {
    for (auto& rule : m_rules) {
        if (rule.scheme != "*" && rule.scheme != scheme) continue;
        if (rule.opcode >= 0 && rule.opcode != int(r.op)) continue;
        const std::string& path = r.path.empty() && r.file ? r.file->path : r.path;
        if (!rule.path_glob.empty() && !glob_match(rule.path_glob, path)) continue;
        if (rule.count && rule.injected >= rule.count) continue;
        if (rule.matched++ < rule.after) continue;
        ++rule.injected;
        return rule.errnum;
    }
    return 0;
}

std::string Faults::describe() const {
    std::string out;
    for (auto& r : m_rules) {
        out += fmt::format("{} {} {}", r.scheme, r.opcode < 0 ? std::string("*") : opcode_name(unsigned(r.opcode)),
                           errno_name(r.errnum));
        if (r.count) out += fmt::format(" --count {}", r.count);
        if (r.after) out += fmt::format(" --after {}", r.after);
        if (!r.path_glob.empty()) out += " --path " + r.path_glob;
        out += fmt::format(" (matched {}, injected {})\n", r.matched, r.injected);
    }
    return out;
}

Tracer::~Tracer() {
    if (m_file) std::fclose(m_file);
}

Result<void> Tracer::open(const std::string& host_path) {
    m_file = std::fopen(host_path.c_str(), "w");
    if (!m_file) return err(errno, "--trace " + host_path);
    m_enabled = true;
    return {};
}

void Tracer::record(uint64_t start_ns, uint64_t dur_ns, uint32_t pid, const std::string& scheme, const KRequest& r,
                    uint64_t result) {
    if (!enabled()) return;
    fmt::print(m_file, "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", start_ns, dur_ns, pid, escape(scheme),
               opcode_name(unsigned(r.op)), r.number, r.len, r.offset == ~0ull ? -1 : int64_t(r.offset), result,
               escape(r.path));
}

void Tracer::flush() {
    if (m_file) std::fflush(m_file);
}

} // namespace redox::kernel
