// ps, kill, free, df, dmesg, uname, hostname, date, id, whoami: the system's
// state as the kernel's `sys` and `proc` schemes and fstatvfs report it.
#include "userland/coreutils/util.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <sstream>

namespace redox::userland {

namespace {

std::string command_line(long long pid, const std::string& fallback) {
    auto text = read_file("/scheme/proc/" + std::to_string(pid) + "/cmdline");
    if (!text || text->empty()) return fallback;
    std::string s = *text;
    while (!s.empty() && s.back() == '\0') s.pop_back();
    std::replace(s.begin(), s.end(), '\0', ' ');
    return s;
}

std::string pad(const std::string& s, size_t n, bool left = true) {
    std::string fill(n > s.size() ? n - s.size() : 0, ' ');
    return left ? fill + s : s + fill;
}

} // namespace

// ps: the kernel's table as it is; `ps aux` / `ps -ef` / `ps -e`: one line per
// process with its user and full command line.
int cmd_ps(const Args& a) {
    bool full = false;
    for (auto& s : a) {
        std::string f = s.starts_with('-') ? s.substr(1) : s;
        if (f.empty() || f.find_first_not_of("auxefwAl") != std::string::npos) return usage_error("ps", "unsupported option '" + s + "' (try ps, ps aux, ps -ef)");
        full = true;
    }
    auto text = read_file("/scheme/sys/context");
    if (!text) return fail("ps", "/scheme/sys/context", text.error());
    if (!full) { out(*text); return 0; }
    std::string o = "USER       PID  PPID  PGID STAT     TIME COMMAND\n";
    for (auto& r : context_rows(*text)) {
        char when[32];
        std::snprintf(when, sizeof when, "%lld:%02lld", r.cpu_ms / 60000, (r.cpu_ms / 1000) % 60);
        o += pad(user_name(uint32_t(r.euid)), 8, false) + " " + pad(std::to_string(r.pid), 5) + " " +
             pad(std::to_string(r.ppid), 5) + " " + pad(std::to_string(r.pgid), 5) + " " + pad(r.stat, 4, false) + " " +
             pad(when, 8) + " " + command_line(r.pid, r.name) + "\n";
    }
    out(o);
    return 0;
}

namespace {

const std::pair<const char*, int> kSignals[] = {
    {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL}, {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},
    {"BUS", SIGBUS}, {"FPE", SIGFPE}, {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"WINCH", SIGWINCH},
};

std::optional<int> signal_number(std::string s) {
    long long n;
    if (parse_int(s, n)) return n >= 0 && n < 65 ? std::optional<int>(int(n)) : std::nullopt;
    if (s.starts_with("SIG")) s = s.substr(3);
    for (auto& [name, num] : kSignals)
        if (s == name) return num;
    return std::nullopt;
}

} // namespace

int cmd_kill(const Args& a) {
    int sig = SIGTERM;
    size_t i = 0;
    if (!a.empty() && (a[0] == "-l" || a[0] == "-L")) {
        std::string o;
        for (auto& [name, num] : kSignals) o += std::to_string(num) + ") SIG" + name + "\n";
        out(o);
        return 0;
    }
    if (!a.empty() && a[0] == "-s") {
        if (a.size() < 2) return usage_error("kill", "option requires an argument -- 's'");
        auto s = signal_number(a[1]);
        if (!s) return usage_error("kill", "invalid signal '" + a[1] + "'");
        sig = *s;
        i = 2;
    } else if (!a.empty() && a[0].size() > 1 && a[0][0] == '-' && a[0] != "--") {
        auto s = signal_number(a[0].substr(1));
        if (!s) return usage_error("kill", "invalid signal '" + a[0].substr(1) + "'");
        sig = *s;
        i = 1;
    }
    if (i < a.size() && a[i] == "--") ++i;
    if (i >= a.size()) return usage_error("kill", "missing pid");
    int rc = 0;
    for (; i < a.size(); ++i) {
        long long pid;
        if (!parse_int(a[i], pid)) { rc = usage_error("kill", "invalid pid '" + a[i] + "'"); continue; }
        if (auto r = sys::kill(int(pid), sig); !r) rc = fail("kill", "(" + a[i] + ")", r.error());
    }
    return rc;
}

namespace {

// Byte counts in the unit a -b/-k/-m/-g/-h option picked.
struct Unit {
    uint64_t div = 1024;
    bool human = false;
    std::string show(uint64_t bytes) const { return human ? human_size(bytes) : std::to_string(bytes / div); }
};

Unit unit_from(const Opts& o, uint64_t def) {
    Unit u{def, false};
    if (o.has('b')) u.div = 1;
    if (o.has('k')) u.div = 1024;
    if (o.has('m')) u.div = 1024 * 1024;
    if (o.has('g')) u.div = 1024 * 1024 * 1024;
    if (o.has('h')) u.human = true;
    return u;
}

} // namespace

// free: RAM from fstatvfs on the `memory` scheme (as Redox's free does).
int cmd_free(const Args& a) {
    auto o = parse_opts("free", a, {"bkmgh", "", {{"bytes", 'b'}, {"kibi", 'k'}, {"mebi", 'm'}, {"gibi", 'g'}, {"human", 'h'}}});
    if (!o) return 1;
    if (!o->operands.empty()) return usage_error("free", "extra operand '" + o->operands[0] + "'");
    auto fd = sys::open("/scheme/memory/", O_RDONLY_ | O_STAT_);
    if (!fd) return fail("free", "/scheme/memory", fd.error());
    auto vfs = sys::fstatvfs(*fd);
    (void)sys::close(*fd);
    if (!vfs) return fail("free", "fstatvfs /scheme/memory", vfs.error());
    uint64_t total = vfs->f_blocks * vfs->f_bsize, free = vfs->f_bfree * vfs->f_bsize;
    uint64_t avail = vfs->f_bavail * vfs->f_bsize, used = total - free;
    Unit u = unit_from(*o, 1024);
    std::string text = "               total        used        free      shared  buff/cache   available\n";
    text += "Mem:    " + pad(u.show(total), 12) + pad(u.show(used), 12) + pad(u.show(free), 12) + pad(u.show(0), 12) +
            pad(u.show(0), 12) + pad(u.show(avail), 12) + "\n";
    text += "Swap:   " + pad(u.show(0), 12) + pad(u.show(0), 12) + pad(u.show(0), 12) + "\n";
    out(text);
    return 0;
}

// df: every scheme that answers fstatvfs (except `memory`, which is RAM), or
// the file systems holding the operands.
int cmd_df(const Args& a) {
    auto o = parse_opts("df", a, {"hkm", "", {{"human-readable", 'h'}}});
    if (!o) return 1;
    struct Row { std::string fs, mount; StatVfs v; };
    std::vector<Row> rows;
    int rc = 0;
    auto add = [&](const std::string& path, bool quiet) {
        auto fd = sys::open(path, O_RDONLY_ | O_STAT_);
        if (!fd) { if (!quiet) rc = fail("df", path, fd.error()); return; }
        auto vfs = sys::fstatvfs(*fd);
        auto where = sys::fpath(*fd);
        (void)sys::close(*fd);
        if (!vfs) { if (!quiet) rc = fail("df", path, vfs.error()); return; }
        std::string scheme = "?";
        if (where && where->starts_with("/scheme/")) scheme = where->substr(8, where->find('/', 8) - 8);
        for (auto& r : rows) if (r.fs == scheme) return;
        rows.push_back({scheme, scheme == "file" ? "/" : "/scheme/" + scheme, *vfs});
    };
    if (o->operands.empty()) {
        add("/", true);
        if (auto names = sys::read_dir("/scheme/")) {
            std::sort(names->begin(), names->end(), [](auto& x, auto& y) { return x.name < y.name; });
            for (auto& n : *names)
                if (n.name != "memory" && n.name != "file") add("/scheme/" + n.name + "/", true);
        }
    } else {
        for (auto& p : o->operands) add(p, false);
    }
    Unit u = unit_from(*o, 1024);
    std::string text = std::string("Filesystem     ") + (u.human ? "  Size" : "1K-blocks") + "      Used Available Use% Mounted on\n";
    for (auto& r : rows) {
        uint64_t total = r.v.f_blocks * r.v.f_bsize, used = (r.v.f_blocks - r.v.f_bfree) * r.v.f_bsize;
        uint64_t avail = r.v.f_bavail * r.v.f_bsize;
        uint64_t pct = used + avail ? (used * 100 + used + avail - 1) / (used + avail) : 0;
        text += pad(r.fs, 14, false) + " " + pad(u.show(total), u.human ? 6 : 9) + " " + pad(u.show(used), 9) + " " +
                pad(u.show(avail), 9) + " " + pad(std::to_string(pct) + "%", 4) + " " + r.mount + "\n";
    }
    out(text);
    return rc;
}

int cmd_dmesg(const Args& a) {
    if (!a.empty()) return usage_error("dmesg", "unsupported option '" + a[0] + "'");
    auto text = read_file("/scheme/sys/log");
    if (!text) return fail("dmesg", "/scheme/sys/log", text.error());
    out(*text);
    return 0;
}

int cmd_uname(const Args& a) {
    auto o = parse_opts("uname", a, {"asnrvmpio", "", {{"all", 'a'}, {"kernel-name", 's'}, {"nodename", 'n'},
                                                       {"kernel-release", 'r'}, {"kernel-version", 'v'}, {"machine", 'm'},
                                                       {"operating-system", 'o'}}});
    if (!o) return 1;
    auto text = read_file("/scheme/sys/uname");
    if (!text) return fail("uname", "/scheme/sys/uname", text.error());
    // Lines: kernel name, release, machine, node name.
    auto f = split_lines(*text);
    f.resize(4);
    bool all = o->has('a');
    bool any = o->has('s') || o->has('n') || o->has('r') || o->has('v') || o->has('m') || o->has('p') || o->has('i') || o->has('o');
    std::vector<std::string> parts;
    if (all || o->has('s') || !any) parts.push_back(f[0]);
    if (all || o->has('n')) parts.push_back(f[3]);
    if (all || o->has('r')) parts.push_back(f[1]);
    if (o->has('v')) parts.push_back(f[1]);
    if (all || o->has('m')) parts.push_back(f[2]);
    if (o->has('p') || o->has('i')) parts.push_back(f[2]);
    if (o->has('o')) parts.push_back("Redox");
    std::string line;
    for (size_t i = 0; i < parts.size(); ++i) line += (i ? " " : "") + parts[i];
    out(line + "\n");
    return 0;
}

// stty [size]: the terminal's size, from the pty's winsize handle on stdin
// (what relibc's TIOCGWINSZ reads). Changing settings is not supported.
int cmd_stty(const Args& a) {
    if (a.size() > 1 || (a.size() == 1 && a[0] != "size"))
        return usage_error("stty", "unsupported arguments (only `stty` and `stty size`)");
    uint16_t ws[4] = {};
    auto h = sys::dup(0, "winsize");
    if (!h) {
        errout("stty: standard input: not a terminal\n");
        return 1;
    }
    auto n = sys::read(*h, ws, sizeof ws);
    (void)sys::close(*h);
    if (!n || *n != sizeof ws) {
        errout("stty: standard input: not a terminal\n");
        return 1;
    }
    if (a.empty()) out("rows " + std::to_string(ws[0]) + "; columns " + std::to_string(ws[1]) + ";\n");
    else out(std::to_string(ws[0]) + " " + std::to_string(ws[1]) + "\n");
    return 0;
}

int cmd_hostname(const Args& a) {
    if (a.size() > 1) return usage_error("hostname", "extra operand '" + a[1] + "'");
    if (a.size() == 1) {
        if (a[0].starts_with('-')) return usage_error("hostname", "invalid option '" + a[0] + "'");
        auto fd = sys::open("/etc/hostname", O_WRONLY_ | O_CREAT_ | O_TRUNC_, 0644);
        if (!fd) return fail("hostname", "/etc/hostname", fd.error());
        auto r = sys::write_all(*fd, a[0] + "\n");
        (void)sys::close(*fd);
        return r ? 0 : fail("hostname", "/etc/hostname", r.error());
    }
    auto text = read_file("/etc/hostname");
    if (!text) return fail("hostname", "/etc/hostname", text.error());
    std::string name = *text;
    while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
    out(name + "\n");
    return 0;
}

// date [-u] [-d @SECONDS] [+FORMAT]: the sim has no time zones, so always UTC.
int cmd_date(const Args& a) {
    auto o = parse_opts("date", a, {"uR", "d", {{"utc", 'u'}, {"date", 'd'}, {"rfc-email", 'R'}}});
    if (!o) return 1;
    int64_t secs = now_realtime().tv_sec;
    if (o->values.count('d')) {
        long long v;
        std::string d = o->value('d');
        if (!d.starts_with('@') || !parse_int(d.substr(1), v)) return usage_error("date", "invalid date '" + d + "' (expected @SECONDS)");
        secs = v;
    }
    std::string fmt = o->has('R') ? "%a, %d %b %Y %H:%M:%S +0000" : "%a %b %e %H:%M:%S UTC %Y";
    for (auto& op : o->operands) {
        if (!op.starts_with('+')) return usage_error("date", "invalid date '" + op + "'");
        fmt = op.substr(1);
    }
    // %Z and %z: the sim's clock is UTC.
    std::string f2;
    for (size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] == '%' && i + 1 < fmt.size() && (fmt[i + 1] == 'Z' || fmt[i + 1] == 'z')) {
            f2 += fmt[i + 1] == 'Z' ? "UTC" : "+0000";
            ++i;
        } else if (fmt[i] == '%' && i + 1 < fmt.size()) {
            f2 += fmt.substr(i, 2);
            ++i;
        } else {
            f2 += fmt[i];
        }
    }
    out(format_time(uint64_t(secs), f2.c_str()) + "\n");
    return 0;
}

namespace {

// Supplementary groups of a user: the groups that list them as a member.
std::vector<uint32_t> member_groups(const std::string& user) {
    std::vector<uint32_t> gids;
    auto text = read_file("/etc/group");
    if (!text) return gids;
    for (auto& line : split_lines(*text)) {
        std::vector<std::string> f;
        std::stringstream in(line);
        for (std::string part; std::getline(in, part, ';');) f.push_back(part);
        if (f.size() < 4) continue;
        std::stringstream members(f[3]);
        long long gid;
        for (std::string m; std::getline(members, m, ',');)
            if (m == user && parse_int(f[2], gid)) gids.push_back(uint32_t(gid));
    }
    return gids;
}

} // namespace

int cmd_id(const Args& a) {
    auto o = parse_opts("id", a, {"ugGnr", "", {{"user", 'u'}, {"group", 'g'}, {"groups", 'G'}, {"name", 'n'}, {"real", 'r'}}});
    if (!o) return 1;
    uint32_t uid, gid;
    if (!o->operands.empty()) {
        auto u = user_id(o->operands[0]);
        if (!u || user_name(*u) == std::to_string(*u)) return usage_error("id", "'" + o->operands[0] + "': no such user");
        uid = *u;
        gid = uid;
        if (auto text = read_file("/etc/passwd")) {
            for (auto& line : split_lines(*text)) {
                std::stringstream in(line);
                std::vector<std::string> f;
                for (std::string part; std::getline(in, part, ';');) f.push_back(part);
                long long g;
                if (f.size() > 2 && f[1] == std::to_string(uid) && parse_int(f[2], g)) gid = uint32_t(g);
            }
        }
    } else {
        auto ids = sys::ids();
        if (!ids) return fail("id", "getting ids", ids.error());
        uid = o->has('r') ? ids->ruid : ids->euid;
        gid = o->has('r') ? ids->rgid : ids->egid;
    }
    std::vector<uint32_t> groups{gid};
    for (uint32_t g : member_groups(user_name(uid)))
        if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
    bool names = o->has('n');
    if (o->has('u')) { out((names ? user_name(uid) : std::to_string(uid)) + "\n"); return 0; }
    if (o->has('g')) { out((names ? group_name(gid) : std::to_string(gid)) + "\n"); return 0; }
    if (o->has('G')) {
        std::string line;
        for (size_t i = 0; i < groups.size(); ++i) line += (i ? " " : "") + (names ? group_name(groups[i]) : std::to_string(groups[i]));
        out(line + "\n");
        return 0;
    }
    std::string line = "uid=" + std::to_string(uid) + "(" + user_name(uid) + ") gid=" + std::to_string(gid) + "(" + group_name(gid) + ") groups=";
    for (size_t i = 0; i < groups.size(); ++i) line += (i ? "," : "") + std::to_string(groups[i]) + "(" + group_name(groups[i]) + ")";
    out(line + "\n");
    return 0;
}

int cmd_whoami(const Args& a) {
    if (!a.empty()) return usage_error("whoami", "extra operand '" + a[0] + "'");
    auto ids = sys::ids();
    if (!ids) return fail("whoami", "getting ids", ids.error());
    out(user_name(ids->euid) + "\n");
    return 0;
}

} // namespace redox::userland
