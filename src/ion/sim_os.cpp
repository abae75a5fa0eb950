#include "ion/sim_os.h"

#include "daemons/ptyd/Termios.h"
#include "schemes/libredox.h"

#include <cstdlib>
#include <cstring>
#include <optional>

extern char** environ;

namespace ion {

namespace sys = redox::sys;
using redox::err;

namespace {

constexpr size_t kPipeCapacity = 64 * 1024;  // the pipe scheme's buffer
constexpr uint64_t kFeedTimeoutMs = 50;

bool would_block(const redox::Error& e) {
    return e.errnum == redox::EWOULDBLOCK_ || e.errnum == redox::EAGAIN_;
}

// Permission bits that apply to the caller (root may run anything with an x bit).
bool may(const redox::Stat& st, const redox::ProcIds& ids, unsigned bit) {
    if (ids.euid == 0) return bit != 1 || (st.st_mode & 0111) || (st.st_mode & redox::MODE_TYPE) == redox::MODE_DIR;
    if (st.st_uid == ids.euid) return st.st_mode & (bit << 6);
    if (st.st_gid == ids.egid) return st.st_mode & (bit << 3);
    return st.st_mode & bit;
}

}  // namespace

SimOs::~SimOs() {
    for (auto& f : m_feeds) (void)sys::close(f.fd);
}

Result<int> SimOs::open(const std::string& path, int flags) {
    uint64_t f = 0;
    if ((flags & kRead) && (flags & kWrite)) f |= redox::O_RDWR_;
    else if (flags & kWrite) f |= redox::O_WRONLY_;
    else f |= redox::O_RDONLY_;
    if (flags & kCreate) f |= redox::O_CREAT_;
    if (flags & kTruncate) f |= redox::O_TRUNC_;
    if (flags & kAppend) f |= redox::O_APPEND_;
    // New files get 0644: relibc's default umask (022) applied to 0666.
    auto fd = sys::open(path, f, 0644);
    if (!fd) return err(fd.error().errnum, path);
    return *fd;
}

Result<size_t> SimOs::read(int fd, std::span<char> buf) {
    while (!m_feeds.empty()) {
        pump_feeds();
        if (m_feeds.empty()) break;
        auto ready = sys::fevent(fd, redox::EVENT_READ);
        if (ready && (*ready & redox::EVENT_READ)) break;
        await_progress(fd, redox::EVENT_READ);
    }
    for (;;) {
        auto n = sys::read(fd, buf.data(), buf.size());
        if (n) return *n;
        if (n.error().errnum != redox::EINTR_) return err(n.error().errnum, "read");
    }
}

Result<size_t> SimOs::write(int fd, std::string_view data) {
    for (;;) {
        auto n = sys::write(fd, data.data(), data.size());
        if (n) return *n;
        if (n.error().errnum != redox::EINTR_) return err(n.error().errnum, "write");
    }
}

void SimOs::close(int fd) { (void)sys::close(fd); }

Result<int> SimOs::dup(int fd) {
    auto n = sys::dup(fd);
    if (!n) return err(n.error().errnum, "dup");
    return *n;
}

Result<std::pair<int, int>> SimOs::pipe() {
    auto p = sys::pipe();
    if (!p) return err(p.error().errnum, "pipe");
    return *p;
}

Result<int> SimOs::memory_file(std::string_view data) {
    auto [rd, wr] = TRY(pipe());
    size_t now = std::min(data.size(), kPipeCapacity);
    if (auto r = sys::write_all(wr, data.substr(0, now)); !r) {
        close(rd);
        close(wr);
        return err(r.error().errnum, "pipe");
    }
    if (now == data.size()) {
        close(wr);
        return rd;
    }
    if (auto r = sys::fcntl(wr, redox::F_SETFL_, redox::O_NONBLOCK_); !r) {
        close(rd);
        close(wr);
        return err(r.error().errnum, "pipe");
    }
    m_feeds.push_back(Feed{wr, std::string(data.substr(now)), 0});
    return rd;
}

void SimOs::pump_feeds() {
    for (size_t i = 0; i < m_feeds.size();) {
        Feed& f = m_feeds[i];
        bool drop = false;
        while (f.pos < f.data.size()) {
            auto n = sys::write(f.fd, f.data.data() + f.pos, f.data.size() - f.pos);
            if (!n) {
                // EPIPE: the program stopped reading; the rest is not wanted.
                drop = !would_block(n.error());
                break;
            }
            f.pos += *n;
        }
        if (drop || f.pos == f.data.size()) {
            (void)sys::close(f.fd);
            m_feeds.erase(m_feeds.begin() + long(i));
        } else {
            ++i;
        }
    }
}

void SimOs::await_progress(int fd, uint32_t flags) {
    // A fresh queue each time: closing it drops every subscription, so the
    // feeds' pipes are released as soon as the feeds are done.
    auto q = sys::open("/scheme/event", redox::O_RDWR_);
    if (!q) {
        (void)sys::sleep_ns(kFeedTimeoutMs * 1'000'000);
        return;
    }
    std::vector<redox::Event> subs;
    for (auto& f : m_feeds) subs.push_back({uint64_t(f.fd), redox::EVENT_WRITE, 0});
    if (fd >= 0) subs.push_back({uint64_t(fd), flags, 0});
    subs.push_back({redox::EVENT_TIMEOUT_ID, 0, kFeedTimeoutMs});
    if (sys::write(*q, subs.data(), subs.size() * sizeof(redox::Event))) {
        redox::Event ev[8];
        (void)sys::read(*q, ev, sizeof ev);
    } else {
        (void)sys::sleep_ns(kFeedTimeoutMs * 1'000'000);
    }
    (void)sys::close(*q);
}

bool SimOs::isatty(int fd) {
    auto p = sys::fpath(fd);
    if (!p) return false;
    return p->starts_with("/scheme/debug") || p->starts_with("/scheme/pty");
}

Result<int> SimOs::spawn(const SpawnRequest& req) {
    if (req.argv.empty()) return err(redox::EINVAL_, "empty command");
    sys::SpawnSpec spec;
    spec.path = req.argv[0];
    spec.argv = req.argv;
    spec.env = req.env;
    spec.inherit_env = false;
    spec.cwd = req.cwd;
    spec.fds = {{0, req.stdio[0]}, {1, req.stdio[1]}, {2, req.stdio[2]}};
    spec.pgid = req.pgid;
    auto pid = sys::spawn(spec);
    if (!pid) return err(pid.error().errnum, req.argv[0]);
    return *pid;
}

Result<int> SimOs::wait(int pid) {
    while (!m_feeds.empty()) {
        pump_feeds();
        if (m_feeds.empty()) break;
        auto r = sys::waitpid(pid, sys::WNOHANG_);
        if (!r) return err(r.error().errnum, "waitpid");
        if (r->first == pid) {
            int st = r->second;
            return sys::exited(st) ? sys::exit_code(st) : 128 + sys::term_signal(st);
        }
        await_progress(-1, 0);
    }
    for (;;) {
        auto r = sys::waitpid(pid, 0);
        if (r) {
            int st = r->second;
            return sys::exited(st) ? sys::exit_code(st) : 128 + sys::term_signal(st);
        }
        if (r.error().errnum != redox::EINTR_) return err(r.error().errnum, "waitpid");
    }
}

Result<void> SimOs::kill(int pid, int sig) {
    if (auto r = sys::kill(pid, sig); !r) return err(r.error().errnum, "kill");
    return {};
}

Result<JobStatus> SimOs::wait_job(int pid, bool block) {
    // While feeding a program's stdin, poll and write the feeds in between.
    while (block && !m_feeds.empty()) {
        pump_feeds();
        if (m_feeds.empty()) break;
        auto r = wait_job(pid, false);
        if (!r || r->state != JobStatus::Running) return r;
        await_progress(-1, 0);
    }
    for (;;) {
        auto r = sys::waitpid(pid, sys::WUNTRACED_ | (block ? 0 : sys::WNOHANG_));
        if (!r) {
            if (r.error().errnum == redox::EINTR_) continue;
            return err(r.error().errnum, "waitpid");
        }
        if (r->first != pid) return JobStatus{};
        int st = r->second;
        if ((st & 0xff) == 0x7f) return JobStatus{JobStatus::Stopped, (st >> 8) & 0xff};
        return JobStatus{JobStatus::Exited, sys::exited(st) ? sys::exit_code(st) : 128 + sys::term_signal(st)};
    }
}

int SimOs::pgid() {
    auto i = sys::ids();
    return i ? int(i->pgid) : 0;
}

Result<void> SimOs::become_group_leader() {
    if (auto r = sys::setpgid(0, 0); !r) return err(r.error().errnum, "setpgid");
    return {};
}

Result<int> SimOs::foreground_group(int fd) {
    auto h = sys::dup(fd, "pgrp");
    if (!h) return err(redox::ENOTTY_, "tcgetpgrp");
    uint64_t g = 0;
    auto n = sys::read(*h, &g, sizeof g);
    (void)sys::close(*h);
    if (!n || *n != sizeof g) return err(redox::ENOTTY_, "tcgetpgrp");
    return int(g);
}

Result<void> SimOs::set_foreground_group(int fd, int pgid) {
    auto h = sys::dup(fd, "pgrp");
    if (!h) return err(redox::ENOTTY_, "tcsetpgrp");
    uint64_t g = uint64_t(pgid);
    auto n = sys::write(*h, &g, sizeof g);
    (void)sys::close(*h);
    if (!n) return err(n.error().errnum, "tcsetpgrp");
    return {};
}

Result<void> SimOs::set_terminal_raw(int fd) {
    namespace pt = redox::ptyd;
    auto h = sys::dup(fd, "termios");
    if (!h) return err(redox::ENOTTY_, "termios");
    pt::Termios t{};
    auto n = sys::read(*h, &t, sizeof t);
    if (!n || *n != sizeof t) {
        (void)sys::close(*h);
        return err(redox::ENOTTY_, "termios");
    }
    m_saved_termios.assign(reinterpret_cast<uint8_t*>(&t), reinterpret_cast<uint8_t*>(&t) + sizeof t);
    t.c_iflag &= ~pt::ICRNL;
    t.c_lflag &= ~(pt::ICANON | pt::ECHO | pt::ISIG | pt::IEXTEN);
    t.c_cc[pt::VMIN] = 1;
    t.c_cc[pt::VTIME] = 0;
    auto w = sys::write(*h, &t, sizeof t);
    (void)sys::close(*h);
    if (!w) return err(w.error().errnum, "termios");
    return {};
}

void SimOs::restore_terminal(int fd) {
    if (m_saved_termios.empty()) return;
    if (auto h = sys::dup(fd, "termios")) {
        (void)sys::write(*h, m_saved_termios.data(), m_saved_termios.size());
        (void)sys::close(*h);
    }
}

redox::Error SimOs::exec(const SpawnRequest& req) {
    auto pid = spawn(req);
    if (!pid) return pid.error();
    auto st = wait(*pid);
    sys::exit(st ? *st : 1);
}

Result<void> SimOs::chdir(const std::string& path) {
    if (auto r = sys::chdir(path); !r) return err(r.error().errnum, path);
    return {};
}

Result<std::string> SimOs::getcwd() { return sys::cwd(); }

FileStat SimOs::stat(const std::string& path, bool follow) {
    FileStat fs;
    if (path.empty()) return fs;
    auto link = sys::open(path, redox::O_RDONLY_ | redox::O_STAT_ | redox::O_NOFOLLOW_);
    std::optional<redox::Stat> st;
    if (link) {
        auto s = sys::fstat(*link);
        (void)sys::close(*link);
        if (s && (s->st_mode & redox::MODE_TYPE) == redox::MODE_SYMLINK) {
            fs.is_symlink = true;
            if (!follow) st = *s;
        } else if (s) {
            st = *s;
        }
    }
    if (!st) {
        if (!follow && !fs.is_symlink) return fs;
        auto s = sys::stat(path);
        if (!s) return fs;
        st = *s;
    }
    uint32_t type = st->st_mode & redox::MODE_TYPE;
    fs.exists = true;
    fs.is_dir = type == redox::MODE_DIR;
    fs.is_file = type == redox::MODE_FILE;
    fs.size = st->st_size;
    fs.mtime_ns = int64_t(st->mtime) * 1'000'000'000 + st->mtime_nsec;
    fs.dev = st->st_dev;
    fs.ino = st->st_ino;
    fs.mode = st->st_mode;
    redox::ProcIds ids{};
    if (auto i = sys::ids()) ids = *i;
    fs.readable = may(*st, ids, 4);
    fs.writable = may(*st, ids, 2);
    fs.executable = may(*st, ids, 1);
    return fs;
}

Result<std::vector<std::string>> SimOs::readdir(const std::string& path) {
    auto entries = sys::read_dir(path.empty() ? "." : path);
    if (!entries) return err(entries.error().errnum, path);
    std::vector<std::string> names;
    for (auto& e : *entries) {
        if (e.name != "." && e.name != "..") names.push_back(std::move(e.name));
    }
    return names;
}

Result<void> SimOs::mkdir(const std::string& path) {
    auto fd = sys::open(path, redox::O_CREAT_ | redox::O_EXCL_ | redox::O_DIRECTORY_ | redox::O_RDONLY_, 0700);
    if (!fd) return err(fd.error().errnum, path);
    (void)sys::close(*fd);
    return {};
}

const char* SimOs::getenv(const std::string& name) { return ::getenv(name.c_str()); }
void SimOs::setenv(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
}
void SimOs::unsetenv(const std::string& name) { ::unsetenv(name.c_str()); }
std::vector<std::string> SimOs::environ() {
    std::vector<std::string> out;
    for (char** e = ::environ; e && *e; ++e) {
        // The kernel-sim marks every sim process itself.
        if (std::strncmp(*e, "REDOX_SIM=", 10) != 0) out.emplace_back(*e);
    }
    return out;
}

int SimOs::pid() {
    auto i = sys::ids();
    return i ? int(i->pid) : 0;
}
int SimOs::uid() {
    auto i = sys::ids();
    return i ? int(i->ruid) : 0;
}
int SimOs::euid() {
    auto i = sys::ids();
    return i ? int(i->euid) : 0;
}

std::string SimOs::hostname() {
    auto fd = sys::open("/etc/hostname", redox::O_RDONLY_);
    if (!fd) return "redox";
    auto text = sys::read_all(*fd);
    (void)sys::close(*fd);
    if (!text) return "redox";
    std::string h = text->substr(0, text->find('\n'));
    return h.empty() ? "redox" : h;
}

std::string SimOs::home_of(const std::string& user) {
    // Redox's /etc/passwd: name;uid;gid;full name;home;shell
    auto fd = sys::open("/etc/passwd", redox::O_RDONLY_);
    if (!fd) return "";
    auto text = sys::read_all(*fd);
    (void)sys::close(*fd);
    if (!text) return "";
    size_t pos = 0;
    while (pos < text->size()) {
        size_t nl = text->find('\n', pos);
        if (nl == std::string::npos) nl = text->size();
        std::string_view line(text->data() + pos, nl - pos);
        pos = nl + 1;
        std::vector<std::string_view> fields;
        size_t start = 0;
        for (;;) {
            size_t semi = line.find(';', start);
            fields.push_back(line.substr(start, semi == std::string_view::npos ? semi : semi - start));
            if (semi == std::string_view::npos) break;
            start = semi + 1;
        }
        if (fields.size() >= 5 && fields[0] == user) return std::string(fields[4]);
    }
    return "";
}

}  // namespace ion
