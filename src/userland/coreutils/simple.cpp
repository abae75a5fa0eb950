// echo, true, false, sleep, env, uname, kill, mkdir, rm, touch.
#include "userland/coreutils/util.h"

#include <csignal>
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
    if (!a.empty()) {
        sys::SpawnSpec spec;
        size_t i = 0;
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

int cmd_uname(const Args& a) {
    auto fd = sys::open("/scheme/sys/uname", O_RDONLY_);
    if (!fd) return fail("uname", "/scheme/sys/uname", fd.error());
    auto text = sys::read_all(*fd);
    (void)sys::close(*fd);
    if (!text) return fail("uname", "read", text.error());
    std::vector<std::string> f;
    size_t pos = 0;
    while (pos < text->size()) {
        size_t nl = text->find('\n', pos);
        if (nl == std::string::npos) nl = text->size();
        f.push_back(text->substr(pos, nl - pos));
        pos = nl + 1;
    }
    f.resize(4);
    // Fields: kernel name, release, machine, node name.
    bool all = false, s = false, r = false, m = false, n = false;
    for (auto& o : a) {
        if (o == "-a" || o == "--all") all = true;
        else if (o == "-s") s = true;
        else if (o == "-r") r = true;
        else if (o == "-m") m = true;
        else if (o == "-n") n = true;
        else { errout("uname: invalid option '" + o + "'\n"); return 1; }
    }
    if (!all && !r && !m && !n) s = true;
    std::vector<std::string> outv;
    if (all || s) outv.push_back(f[0]);
    if (all || n) outv.push_back(f[3]);
    if (all || r) outv.push_back(f[1]);
    if (all || m) outv.push_back(f[2]);
    std::string line;
    for (size_t i = 0; i < outv.size(); ++i) line += (i ? " " : "") + outv[i];
    out(line + "\n");
    return 0;
}

int cmd_kill(const Args& a) {
    int sig = SIGTERM;
    size_t i = 0;
    if (!a.empty() && a[0].size() > 1 && a[0][0] == '-') {
        std::string s = a[0].substr(1);
        if (s == "9" || s == "KILL") sig = SIGKILL;
        else if (s == "15" || s == "TERM") sig = SIGTERM;
        else if (s == "2" || s == "INT") sig = SIGINT;
        else if (s == "1" || s == "HUP") sig = SIGHUP;
        else if (s == "17" || s == "CHLD") sig = SIGCHLD;
        else if (s == "0") sig = 0;
        else { errout("kill: invalid signal '" + s + "'\n"); return 1; }
        i = 1;
    }
    if (i >= a.size()) { errout("kill: missing pid\n"); return 1; }
    int rc = 0;
    for (; i < a.size(); ++i) {
        char* end = nullptr;
        long pid = std::strtol(a[i].c_str(), &end, 10);
        if (!end || *end) { errout("kill: invalid pid '" + a[i] + "'\n"); rc = 1; continue; }
        if (auto r = sys::kill(int(pid), sig); !r) rc = fail("kill", a[i], r.error());
    }
    return rc;
}

int cmd_mkdir(const Args& a) {
    bool parents = false;
    uint16_t mode = 0755;
    std::vector<std::string> dirs;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "-p") parents = true;
        else if (a[i] == "-m" && i + 1 < a.size()) mode = uint16_t(std::strtoul(a[++i].c_str(), nullptr, 8));
        else dirs.push_back(a[i]);
    }
    int rc = 0;
    for (auto& d : dirs) {
        std::vector<std::string> todo{d};
        if (parents) {
            todo.clear();
            std::string p = sys::canonicalize(d);
            for (size_t pos = 1; pos <= p.size(); ++pos)
                if (pos == p.size() || p[pos] == '/') todo.push_back(p.substr(0, pos));
        }
        for (auto& t : todo) {
            auto fd = sys::open(t, O_CREAT_ | O_DIRECTORY_ | O_RDONLY_ | (parents ? 0 : O_EXCL_), mode);
            if (!fd) {
                if (parents && fd.error().errnum == EEXIST_) continue;
                rc = fail("mkdir", "cannot create directory '" + d + "'", fd.error());
                break;
            }
            (void)sys::close(*fd);
        }
    }
    return rc;
}

static Result<void> remove_path(const std::string& p, bool recursive) {
    auto st = TRY(sys::stat(p));
    if ((st.st_mode & MODE_TYPE) == MODE_DIR) {
        if (!recursive) return err(EISDIR_);
        auto entries = TRY(sys::read_dir(p));
        for (auto& e : entries) TRY(remove_path(p + "/" + e.name, true));
        return sys::unlink(p, AT_REMOVEDIR_);
    }
    return sys::unlink(p, 0);
}

int cmd_rm(const Args& a) {
    bool recursive = false, force = false;
    std::vector<std::string> paths;
    for (auto& s : a) {
        if (s.size() > 1 && s[0] == '-') {
            for (char c : s.substr(1)) {
                if (c == 'r' || c == 'R') recursive = true;
                else if (c == 'f') force = true;
            }
        } else {
            paths.push_back(s);
        }
    }
    int rc = 0;
    for (auto& p : paths) {
        auto r = remove_path(p, recursive);
        if (!r && !(force && r.error().errnum == ENOENT_)) rc = fail("rm", "cannot remove '" + p + "'", r.error());
    }
    return rc;
}

int cmd_touch(const Args& a) {
    int rc = 0;
    for (auto& p : a) {
        auto fd = sys::open(p, O_CREAT_ | O_WRONLY_, 0644);
        if (!fd) { rc = fail("touch", "cannot touch '" + p + "'", fd.error()); continue; }
        (void)sys::close(*fd);
    }
    return rc;
}

} // namespace redox::userland
