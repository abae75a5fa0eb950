// cat, ls, ps.
#include "userland/coreutils/util.h"

#include <algorithm>
#include <ctime>

namespace redox::userland {

int cmd_cat(const Args& a) {
    Args files = a.empty() ? Args{"-"} : a;
    int rc = 0;
    std::vector<char> buf(1 << 16);
    for (auto& f : files) {
        int fd = 0;
        if (f != "-") {
            auto o = sys::open(f, O_RDONLY_);
            if (!o) { rc = fail("cat", f, o.error()); continue; }
            fd = *o;
        }
        for (;;) {
            auto n = sys::read(fd, buf.data(), buf.size());
            if (!n) { rc = fail("cat", f, n.error()); break; }
            if (*n == 0) break;
            if (!sys::write_all(1, std::string_view(buf.data(), *n))) return 1;
        }
        if (fd != 0) (void)sys::close(fd);
    }
    return rc;
}

static std::string mode_string(uint16_t m) {
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
    return s;
}

static std::string human(uint64_t n) {
    const char* units = "BKMGT";
    double v = double(n);
    int u = 0;
    while (v >= 1024 && u < 4) { v /= 1024; ++u; }
    char buf[32];
    if (u == 0) std::snprintf(buf, sizeof buf, "%llu", (unsigned long long)n);
    else std::snprintf(buf, sizeof buf, "%.1f%c", v, units[u]);
    return buf;
}

static void list_one(const std::string& dir, const std::string& name, bool longf, bool hum, std::string& o) {
    if (!longf) { o += name + "\n"; return; }
    std::string path = dir.empty() ? name : (dir == "/" ? "/" + name : dir + "/" + name);
    auto fd = sys::open(path, O_RDONLY_ | O_STAT_ | O_NOFOLLOW_ | O_SYMLINK_);
    if (!fd) { o += "?????????? " + name + "\n"; return; }
    auto st = sys::fstat(*fd);
    std::string target;
    if (st && (st->st_mode & MODE_TYPE) == MODE_SYMLINK) {
        char buf[4096];
        if (auto n = sys::read(*fd, buf, sizeof buf)) target = std::string(buf, *n);
    }
    (void)sys::close(*fd);
    if (!st) { o += "?????????? " + name + "\n"; return; }
    char when[32];
    time_t t = time_t(st->mtime);
    tm tmv;
    gmtime_r(&t, &tmv);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tmv);
    char line[512];
    std::snprintf(line, sizeof line, "%s %3u %5u %5u %8s %s ", mode_string(st->st_mode).c_str(), st->st_nlink,
                  st->st_uid, st->st_gid, hum ? human(st->st_size).c_str() : std::to_string(st->st_size).c_str(), when);
    o += line + name + (target.empty() ? "" : " -> " + target) + "\n";
}

static int ls_dir(const std::string& path, bool all, bool longf, bool hum, bool rec, bool header, std::string& o) {
    auto entries = sys::read_dir(path);
    if (!entries) return fail("ls", "cannot access '" + path + "'", entries.error());
    std::sort(entries->begin(), entries->end(), [](auto& x, auto& y) { return x.name < y.name; });
    if (header) o += path + ":\n";
    for (auto& e : *entries) {
        if (!all && e.name.starts_with('.')) continue;
        list_one(path, e.name, longf, hum, o);
    }
    int rc = 0;
    if (rec) {
        for (auto& e : *entries) {
            if (e.kind != DT_DIR_ || (!all && e.name.starts_with('.'))) continue;
            o += "\n";
            rc |= ls_dir(path == "/" ? "/" + e.name : path + "/" + e.name, all, longf, hum, rec, true, o);
        }
    }
    return rc;
}

int cmd_ls(const Args& a) {
    bool all = false, longf = false, hum = false, rec = false;
    Args paths;
    for (auto& s : a) {
        if (s.size() > 1 && s[0] == '-') {
            for (char c : s.substr(1)) {
                if (c == 'a') all = true;
                else if (c == 'l') longf = true;
                else if (c == 'h') hum = true;
                else if (c == 'R') rec = true;
                else { errout(std::string("ls: invalid option -- '") + c + "'\n"); return 2; }
            }
        } else {
            paths.push_back(s);
        }
    }
    if (paths.empty()) paths.push_back(".");
    std::string o;
    int rc = 0;
    for (size_t i = 0; i < paths.size(); ++i) {
        auto st = sys::stat(paths[i]);
        if (!st) { rc = fail("ls", "cannot access '" + paths[i] + "'", st.error()); continue; }
        if ((st->st_mode & MODE_TYPE) != MODE_DIR) { list_one("", paths[i], longf, hum, o); continue; }
        if (i > 0) o += "\n";
        rc |= ls_dir(paths[i], all, longf, hum, rec, paths.size() > 1 || rec, o);
    }
    out(o);
    return rc ? 2 : 0;
}

int cmd_ps(const Args&) {
    auto fd = sys::open("/scheme/sys/context", O_RDONLY_);
    if (!fd) return fail("ps", "/scheme/sys/context", fd.error());
    auto text = sys::read_all(*fd);
    (void)sys::close(*fd);
    if (!text) return fail("ps", "read", text.error());
    out(*text);
    return 0;
}

} // namespace redox::userland
