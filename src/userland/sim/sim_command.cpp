#include "userland/sim/sim_command.h"

#include "daemons/inputd/producer.h"
#include "schemes/libredox.h"

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace redox::simctl {

namespace {

struct Ctx {
    const Sink& out;
    const Sink& err;
    int fail(const std::string& msg) const {
        err("sim: " + msg + "\n");
        return 1;
    }
};

Result<std::string> slurp(const std::string& path) {
    int fd = TRY(sys::open(path, O_RDONLY_));
    auto text = sys::read_all(fd);
    (void)sys::close(fd);
    return text;
}

Result<void> write_control(const std::string& path, const std::string& line) {
    int fd = TRY(sys::open(path, O_WRONLY_));
    auto r = sys::write_all(fd, line);
    (void)sys::close(fd);
    return r;
}

std::set<std::string> schemes() {
    std::set<std::string> out;
    if (auto t = slurp("/scheme/sys/scheme")) {
        std::istringstream in(*t);
        for (std::string l; std::getline(in, l);)
            if (!l.empty()) out.insert(l);
    }
    return out;
}

struct Proc {
    int pid;
    std::string name;
};

// The process table from sys:context (PID ... NAME, NAME last).
std::vector<Proc> processes() {
    std::vector<Proc> out;
    auto t = slurp("/scheme/sys/context");
    if (!t) return out;
    std::istringstream in(*t);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::vector<std::string> f;
        for (std::string w; ls >> w;) f.push_back(w);
        if (f.size() < 9 || f[5] != "R") continue;
        std::string name = f[8];
        for (size_t i = 9; i < f.size(); ++i) name += " " + f[i];
        out.push_back(Proc{std::atoi(f[0].c_str()), name});
    }
    return out;
}

// A pid, or the one running process whose name (or program's base name) is `who`.
Result<int> find_process(const std::string& who) {
    int pid = 0;
    auto [end, ec] = std::from_chars(who.data(), who.data() + who.size(), pid);
    if (ec == std::errc() && end == who.data() + who.size() && pid > 0) return pid;
    std::vector<int> found;
    for (auto& p : processes()) {
        std::string base = p.name.substr(0, p.name.find(' '));
        base = base.substr(base.rfind('/') + 1);
        if (p.name == who || base == who) found.push_back(p.pid);
    }
    if (found.empty()) return err(ESRCH_, "no process named " + who);
    if (found.size() > 1) return err(EINVAL_, fmt::format("{} processes are named {}; give a pid", found.size(), who));
    return found[0];
}

int signal_number(const std::string& s) {
    static const std::map<std::string, int> names = {
        {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
        {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
        {"TSTP", SIGTSTP}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}};
    std::string n = s.starts_with("SIG") ? s.substr(3) : s;
    if (auto it = names.find(n); it != names.end()) return it->second;
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && v > 0 && v < 65 ? v : 0;
}

bool proc_alive(int pid) {
    auto st = slurp(fmt::format("/scheme/proc/{}/status", pid));
    return st && st->find("State: Z") == std::string::npos && st->find("Zombie") == std::string::npos;
}

int wait_scheme(const Ctx& c, std::span<const std::string> a) {
    if (a.size() < 1 || a.size() > 2) return c.fail("usage: sim wait-scheme NAME [TIMEOUT]");
    uint64_t limit = 10'000'000'000ull;
    if (a.size() == 2 && !parse_duration(a[1], limit)) return c.fail("wait-scheme: bad timeout '" + a[1] + "'");
    for (uint64_t waited = 0;; waited += 5'000'000) {
        if (schemes().count(a[0])) return 0;
        if (waited >= limit) return c.fail(fmt::format("scheme {} did not appear within {:.3g} s", a[0], double(limit) / 1e9));
        (void)sys::sleep_ns(5'000'000);
    }
}

int kill_cmd(const Ctx& c, std::span<const std::string> a) {
    if (a.size() < 1 || a.size() > 2) return c.fail("usage: sim kill DAEMON|PID [SIGNAL]");
    int sig = a.size() == 2 ? signal_number(a[1]) : SIGTERM;
    if (!sig) return c.fail("kill: unknown signal '" + a[1] + "'");
    auto pid = find_process(a[0]);
    if (!pid) return c.fail("kill: " + pid.error().context);
    if (auto r = sys::kill(*pid, sig); !r) return c.fail(fmt::format("kill {}: {}", *pid, r.error().message()));
    // SIGKILL cannot be caught: wait until the process is gone (and its schemes
    // with it), so the scenario's next line sees the result.
    if (sig == SIGKILL) {
        for (int i = 0; i < 5000 && proc_alive(*pid); ++i) (void)sys::sleep_ns(1'000'000);
        if (proc_alive(*pid)) return c.fail(fmt::format("kill: pid {} did not exit", *pid));
    }
    return 0;
}

int restart(const Ctx& c, std::span<const std::string> a) {
    if (a.size() != 1) return c.fail("usage: sim restart DAEMON|PID");
    auto pid = find_process(a[0]);
    if (!pid) return c.fail("restart: " + pid.error().context);
    auto cmdline = slurp(fmt::format("/scheme/proc/{}/cmdline", *pid));
    if (!cmdline || cmdline->empty()) return c.fail(fmt::format("restart: cannot read the command line of pid {}", *pid));
    std::vector<std::string> argv;
    std::string word;
    for (char ch : *cmdline) {
        if (ch == '\0' || ch == '\n') { if (!word.empty()) argv.push_back(word); word.clear(); }
        else word += ch;
    }
    if (!word.empty()) argv.push_back(word);
    if (argv.empty()) return c.fail("restart: empty command line");
    auto before = schemes();
    (void)sys::kill(*pid, SIGKILL);
    for (int i = 0; i < 2000 && proc_alive(*pid); ++i) (void)sys::sleep_ns(1'000'000);
    if (proc_alive(*pid)) return c.fail(fmt::format("restart: pid {} does not exit", *pid));
    std::vector<std::string> lost;
    for (int i = 0; i < 200; ++i) {
        auto now = schemes();
        lost.clear();
        for (auto& s : before)
            if (!now.count(s)) lost.push_back(s);
        if (!lost.empty()) break;
        (void)sys::sleep_ns(1'000'000);
    }
    sys::SpawnSpec spec;
    spec.path = argv[0];
    spec.argv = argv;
    spec.fds = {{0, 0}, {1, 1}, {2, 2}};
    auto child = sys::spawn(spec);
    if (!child) return c.fail("restart: spawn " + argv[0] + ": " + child.error().message());
    for (int i = 0; i < 2000; ++i) {
        auto now = schemes();
        bool all = std::all_of(lost.begin(), lost.end(), [&](const std::string& s) { return now.count(s) > 0; });
        if (all) {
            c.out(fmt::format("restarted {} as pid {}\n", a[0], *child));
            return 0;
        }
        (void)sys::sleep_ns(5'000'000);
    }
    return c.fail("restart: " + argv[0] + " did not register its schemes again");
}

int show(const Ctx& c, const std::string& path) {
    auto t = slurp(path);
    if (!t) return c.fail(path + ": " + t.error().message());
    c.out(*t);
    return 0;
}

int time_cmd(const Ctx& c, std::span<const std::string> a) {
    if (a.empty()) return show(c, "/scheme/sys/time");
    if (a.size() != 2 || a[0] != "advance") return c.fail("usage: sim time [advance DURATION]");
    uint64_t ns = 0;
    if (!parse_duration(a[1], ns)) return c.fail("time: bad duration '" + a[1] + "'");
    auto r = write_control("/scheme/sys/time", fmt::format("advance {}", ns));
    if (!r) {
        if (r.error().errnum == EINVAL_) return c.fail("time: the clock is real (boot with --virtual-time)");
        return c.fail("time: " + r.error().message());
    }
    return 0;
}

int fault(const Ctx& c, std::span<const std::string> a) {
    if (a.empty() || (a.size() == 1 && a[0] == "list")) return show(c, "/scheme/sys/fault");
    std::string line;
    for (auto& w : a) line += (line.empty() ? "" : " ") + w;
    if (auto r = write_control("/scheme/sys/fault", line); !r) {
        if (r.error().errnum == EINVAL_)
            return c.fail("fault: bad rule '" + line +
                          "' (SCHEME OPCODE ERRNO [--count N] [--after N] [--path GLOB]; see sim log)");
        return c.fail("fault: " + r.error().message());
    }
    return 0;
}

int trace(const Ctx& c, std::span<const std::string> a) {
    if (a.empty()) return show(c, "/scheme/sys/trace");
    if (a.size() != 1 || (a[0] != "on" && a[0] != "off")) return c.fail("usage: sim trace on|off");
    if (auto r = write_control("/scheme/sys/trace", a[0]); !r) {
        if (r.error().errnum == ENODEV_) return c.fail("trace: no trace file (boot with --trace FILE)");
        return c.fail("trace: " + r.error().message());
    }
    return 0;
}

// Input as a device would deliver it, through inputd's producer: it reaches the
// consumer of the active VT (Orbital on the desktop).
int input(const Ctx& c, std::span<const std::string> a) {
    auto usage = [&] {
        return c.fail("usage: sim input key CODE [press|release] [U+XXXX] | text STRING | mouse X Y | "
                      "click X Y | button L M R | scroll DX DY");
    };
    if (a.empty()) return usage();
    std::vector<std::string> lines;
    auto join = [&](size_t from) {
        std::string l;
        for (size_t i = from; i < a.size(); ++i) l += " " + a[i];
        return l;
    };
    const std::string& kind = a[0];
    if (kind == "key" && a.size() >= 2 && a.size() <= 4) lines.push_back("key" + join(1));
    else if (kind == "text" && a.size() >= 2) {
        std::string text = join(1).substr(1);
        for (unsigned char ch : text) lines.push_back(fmt::format("text U+{:04X}", unsigned(ch)));
    } else if (kind == "mouse" && a.size() == 3) lines.push_back("mouse" + join(1));
    else if (kind == "button" && a.size() == 4) lines.push_back("button" + join(1));
    else if (kind == "scroll" && a.size() == 3) lines.push_back("scroll" + join(1));
    else if (kind == "click" && a.size() == 3) {
        lines.push_back("mouse " + a[1] + " " + a[2]);
        lines.push_back("button 1 0 0");
        lines.push_back("button 0 0 0");
    } else return usage();
    std::vector<input::Event> events;
    for (auto& l : lines) {
        auto evs = input::parse_commands(l);
        if (!evs) return c.fail("input: " + evs.error().message());
        events.insert(events.end(), evs->begin(), evs->end());
    }
    auto producer = input::Producer::open();
    if (!producer) return c.fail("input: /scheme/input/producer: " + producer.error().message() + " (is inputd running?)");
    if (auto r = producer->send(events); !r) return c.fail("input: /scheme/input/producer: " + r.error().message());
    return 0;
}

// RedoxFS snapshots of the root file system, through the file scheme's call.
int snapshot_fs(const Ctx& c, std::span<const std::string> a) {
    std::string cmd;
    if (a.size() == 1 && a[0] == "--list") cmd = "snapshot list";
    else if (a.size() == 2 && a[0] == "--delete") cmd = "snapshot delete " + a[1];
    else if (a.size() == 1 && !a[0].starts_with("-")) cmd = "snapshot create " + a[0];
    else return c.fail("usage: sim snapshot-fs NAME | --list | --delete NAME");
    auto fd = sys::open("/scheme/file/", O_RDONLY_ | O_DIRECTORY_);
    if (!fd) return c.fail("snapshot-fs: /scheme/file/: " + fd.error().message());
    std::vector<char> buf(4096, 0);
    std::memcpy(buf.data(), cmd.data(), std::min(cmd.size(), buf.size() - 1));
    auto r = sys::call(*fd, buf.data(), buf.size(), 0, {});
    (void)sys::close(*fd);
    if (!r) {
        int e = r.error().errnum;
        if (e == ENOSYS_ || e == EBADF_) return c.fail("snapshot-fs: the root file system has no snapshots (boot on RedoxFS)");
        if (e == EEXIST_) return c.fail("snapshot-fs: a snapshot named " + a.back() + " exists");
        return c.fail("snapshot-fs: " + r.error().message());
    }
    if (cmd == "snapshot list") c.out(std::string(buf.data(), std::min<size_t>(*r, buf.size())));
    return 0;
}

// Run a program of the sim and wait for it; its status is ours.
int run_program(const Ctx& c, const std::vector<std::string>& argv) {
    sys::SpawnSpec spec;
    spec.path = argv[0];
    spec.argv = argv;
    spec.fds = {{0, 0}, {1, 1}, {2, 2}};
    auto pid = sys::spawn(spec);
    if (!pid) return c.fail(argv[0] + ": " + pid.error().message());
    auto st = sys::waitpid(*pid, 0);
    if (!st) return c.fail(argv[0] + ": waitpid: " + st.error().message());
    return sys::exited(st->second) ? sys::exit_code(st->second) : 128 + sys::term_signal(st->second);
}

} // namespace

bool parse_duration(std::string_view text, uint64_t& ns) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || v < 0) return false;
    std::string_view unit(end, size_t(text.data() + text.size() - end));
    double scale = 0;
    if (unit.empty() || unit == "s") scale = 1e9;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "us") scale = 1e3;
    else if (unit == "ns") scale = 1;
    else if (unit == "m") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else return false;
    ns = uint64_t(v * scale);
    return true;
}

int run(std::span<const std::string> args, const Sink& out, const Sink& err) {
    Ctx c{out, err};
    if (args.size() < 2) {
        return c.fail("usage: sim wait-scheme|kill|restart|log|time|fault|trace|ps|input|screenshot|snapshot-fs ...");
    }
    const std::string& cmd = args[1];
    auto rest = args.subspan(2);
    if (cmd == "wait-scheme") return wait_scheme(c, rest);
    if (cmd == "kill") return kill_cmd(c, rest);
    if (cmd == "restart") return restart(c, rest);
    if (cmd == "log") return rest.empty() ? show(c, "/scheme/sys/log") : c.fail("usage: sim log");
    if (cmd == "ps") return rest.empty() ? show(c, "/scheme/sys/context") : c.fail("usage: sim ps");
    if (cmd == "time") return time_cmd(c, rest);
    if (cmd == "fault") return fault(c, rest);
    if (cmd == "trace") return trace(c, rest);
    if (cmd == "input") return input(c, rest);
    if (cmd == "snapshot-fs") return snapshot_fs(c, rest);
    if (cmd == "screenshot") {
        if (rest.size() != 1) return c.fail("usage: sim screenshot FILE");
        return run_program(c, {"screenshot", rest[0]});
    }
    return c.fail("unknown command '" + cmd +
                  "' (wait-scheme, kill, restart, log, ps, time, fault, trace, input, screenshot, snapshot-fs)");
}

} // namespace redox::simctl
