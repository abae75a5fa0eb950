// top (a live process table), shutdown and reboot (through sys:kstop).
#include "userland/coreutils/util.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace redox::userland {

namespace {

struct Snapshot {
    std::vector<ContextRow> rows;
    uint64_t uptime_ns = 0;
};

Result<Snapshot> snapshot() {
    Snapshot s;
    s.rows = context_rows(TRY(read_file("/scheme/sys/context")));
    std::istringstream stat(TRY(read_file("/scheme/sys/stat")));
    for (std::string key; stat >> key;) {
        uint64_t v = 0;
        stat >> v;
        if (key == "uptime_ns") s.uptime_ns = v;
    }
    return s;
}

std::string pad(const std::string& s, size_t n) { return std::string(n > s.size() ? n - s.size() : 0, ' ') + s; }

// One screen: uptime and memory, then the processes by CPU use since `prev`.
std::string screen(const Snapshot& now, const Snapshot* prev) {
    uint64_t secs = now.uptime_ns / 1'000'000'000;
    char head[160];
    std::snprintf(head, sizeof head, "top - %s up %llu:%02llu:%02llu, %zu processes\n",
                  format_time(uint64_t(now_realtime().tv_sec), "%H:%M:%S").c_str(), (unsigned long long)(secs / 3600),
                  (unsigned long long)(secs / 60 % 60), (unsigned long long)(secs % 60), now.rows.size());
    std::string o = head;
    if (auto fd = sys::open("/scheme/memory/", O_RDONLY_ | O_STAT_)) {
        if (auto v = sys::fstatvfs(*fd)) {
            uint64_t total = v->f_blocks * v->f_bsize / 1024, free = v->f_bfree * v->f_bsize / 1024;
            o += "KiB Mem: " + std::to_string(total) + " total, " + std::to_string(free) + " free, " +
                 std::to_string(total - free) + " used\n";
        }
        (void)sys::close(*fd);
    }
    std::map<long long, long long> before;
    if (prev)
        for (auto& r : prev->rows) before[r.pid] = r.cpu_ms;
    double interval_ms = prev && now.uptime_ns > prev->uptime_ns ? double(now.uptime_ns - prev->uptime_ns) / 1e6 : 0;
    struct Line { ContextRow row; double cpu; };
    std::vector<Line> lines;
    for (auto& r : now.rows) {
        double cpu = 0;
        if (interval_ms > 0) cpu = 100.0 * double(r.cpu_ms - (before.count(r.pid) ? before[r.pid] : 0)) / interval_ms;
        lines.push_back({r, std::max(0.0, cpu)});
    }
    std::stable_sort(lines.begin(), lines.end(), [](auto& a, auto& b) { return a.cpu > b.cpu; });
    o += "\n  PID USER     S  %CPU     TIME    CALLS COMMAND\n";
    for (auto& l : lines) {
        char cpu[16], when[32];
        std::snprintf(cpu, sizeof cpu, "%.1f", l.cpu);
        std::snprintf(when, sizeof when, "%lld:%02lld.%02lld", l.row.cpu_ms / 60000, l.row.cpu_ms / 1000 % 60, l.row.cpu_ms / 10 % 100);
        std::string user = user_name(uint32_t(l.row.euid));
        o += pad(std::to_string(l.row.pid), 5) + " " + user + std::string(user.size() < 8 ? 8 - user.size() : 0, ' ') + " " +
             l.row.stat + " " + pad(cpu, 5) + " " + pad(when, 8) + " " + pad(std::to_string(l.row.calls), 8) + " " +
             l.row.name + "\n";
    }
    return o;
}

int kstop(std::string_view prog, std::string_view verb) {
    auto fd = sys::open("/scheme/sys/kstop", O_WRONLY_);
    if (!fd) return fail(prog, "/scheme/sys/kstop", fd.error());
    auto r = sys::write_all(*fd, verb);
    (void)sys::close(*fd);
    if (!r) return fail(prog, "/scheme/sys/kstop", r.error());
    return 0;
}

} // namespace

// top [-b] [-n ITERATIONS] [-d SECONDS]: redraws every -d seconds (3 by
// default) until interrupted or -n screens are shown; -b prints screens one
// after another instead of redrawing.
int cmd_top(const Args& a) {
    auto o = parse_opts("top", a, {"b", "nd", {{"batch", 'b'}, {"iterations", 'n'}, {"delay", 'd'}}});
    if (!o) return 1;
    if (!o->operands.empty()) return usage_error("top", "extra operand '" + o->operands[0] + "'");
    long long iterations = -1;
    if (o->values.count('n') && (!parse_int(o->value('n'), iterations) || iterations < 1))
        return usage_error("top", "invalid number of iterations '" + o->value('n') + "'");
    double delay = 3;
    if (o->values.count('d')) {
        char* end = nullptr;
        std::string d = o->value('d');
        delay = std::strtod(d.c_str(), &end);
        if (!end || *end || delay <= 0) return usage_error("top", "invalid delay '" + d + "'");
    }
    std::optional<Snapshot> prev;
    for (long long i = 0; iterations < 0 || i < iterations; ++i) {
        if (i > 0 && !sys::sleep_ns(uint64_t(delay * 1e9))) return 0;  // interrupted
        auto now = snapshot();
        if (!now) return fail("top", "/scheme/sys", now.error());
        std::string text = screen(*now, prev ? &*prev : nullptr);
        out(o->has('b') ? (i ? "\n" : "") + text : "\x1b[H\x1b[2J" + text);
        prev = std::move(*now);
    }
    return 0;
}

int cmd_shutdown(const Args& a) {
    bool reboot = false;
    for (auto& s : a) {
        if (s == "-r" || s == "--reboot") reboot = true;
        else if (s != "now" && s != "-h" && s != "-P" && s != "--poweroff")
            return usage_error("shutdown", "unsupported argument '" + s + "' (only now, -h, -P, -r: the sim stops at once)");
    }
    return kstop("shutdown", reboot ? "reset" : "shutdown");
}

int cmd_reboot(const Args& a) {
    if (!a.empty()) return usage_error("reboot", "extra operand '" + a[0] + "'");
    return kstop("reboot", "reset");
}

} // namespace redox::userland
