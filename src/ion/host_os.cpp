#include "ion/host_os.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

extern char** environ;

namespace ion {

using redox::err;

Result<int> HostOs::open(const std::string& path, int flags) {
    int f = O_CLOEXEC;
    if ((flags & kRead) && (flags & kWrite)) f |= O_RDWR;
    else if (flags & kWrite) f |= O_WRONLY;
    else f |= O_RDONLY;
    if (flags & kCreate) f |= O_CREAT;
    if (flags & kTruncate) f |= O_TRUNC;
    if (flags & kAppend) f |= O_APPEND;
    int fd = ::open(path.c_str(), f, 0666);
    if (fd < 0) return err(errno, path);
    return fd;
}

Result<size_t> HostOs::read(int fd, std::span<char> buf) {
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n >= 0) return size_t(n);
        if (errno != EINTR) return err(errno, "read");
    }
}

Result<size_t> HostOs::write(int fd, std::string_view data) {
    for (;;) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n >= 0) return size_t(n);
        if (errno != EINTR) return err(errno, "write");
    }
}

void HostOs::close(int fd) { ::close(fd); }

Result<int> HostOs::dup(int fd) {
    int n = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (n < 0) return err(errno, "dup");
    return n;
}

Result<std::pair<int, int>> HostOs::pipe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return err(errno, "pipe");
    return std::pair{p[0], p[1]};
}

Result<int> HostOs::memory_file(std::string_view data) {
    int fd = ::memfd_create("ion-input", MFD_CLOEXEC);
    if (fd < 0) return err(errno, "memfd_create");
    OsFd guard(*this, fd);
    TRY(write_all(fd, data));
    if (::lseek(fd, 0, SEEK_SET) < 0) return err(errno, "lseek");
    // Reopen read-only through /proc so a child cannot write into it and the
    // offset is private to this description.
    int ro = ::open(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_RDONLY | O_CLOEXEC);
    if (ro < 0) {
        ro = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (ro < 0) return err(errno, "dup");
    }
    return ro;
}

bool HostOs::isatty(int fd) { return ::isatty(fd) == 1; }

namespace {

struct SpawnArgs {
    std::vector<char*> argv, envp;
    explicit SpawnArgs(const SpawnRequest& req) {
        for (auto& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        for (auto& e : req.env) envp.push_back(const_cast<char*>(e.c_str()));
        envp.push_back(nullptr);
    }
};

}  // namespace

std::string resolve_in_path(Os& os, const std::string& name, const std::string& path) {
    if (name.find('/') != std::string::npos) return name;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string dir = path.substr(start, end - start);
        if (dir.empty()) dir = ".";
        std::string cand = dir + "/" + name;
        FileStat st = os.stat(cand, true);
        if (st.exists && !st.is_dir && st.executable) return cand;
        start = end + 1;
    }
    return {};
}

Result<int> HostOs::spawn(const SpawnRequest& req) {
    if (req.argv.empty()) return err(EINVAL, "empty command");
    const char* path_env = ::getenv("PATH");
    std::string prog = resolve_in_path(*this, req.argv[0], path_env ? path_env : "/usr/bin:/bin");
    if (prog.empty()) return err(ENOENT, req.argv[0]);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    // A permutation of 0..2 (e.g. stdout to stderr) must not read an fd
    // already replaced: then move the sources out of the way first.
    bool permuted = false;
    for (int i = 0; i < 3; ++i) permuted |= req.stdio[i] != i && req.stdio[i] < 3;
    if (permuted) {
        for (int i = 0; i < 3; ++i) posix_spawn_file_actions_adddup2(&fa, req.stdio[i], 900 + i);
        for (int i = 0; i < 3; ++i) posix_spawn_file_actions_adddup2(&fa, 900 + i, i);
        for (int i = 0; i < 3; ++i) posix_spawn_file_actions_addclose(&fa, 900 + i);
    } else {
        for (int i = 0; i < 3; ++i) {
            if (req.stdio[i] != i) posix_spawn_file_actions_adddup2(&fa, req.stdio[i], i);
        }
    }
    if (!req.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, req.cwd.c_str());

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t def, mask;
    sigemptyset(&def);
    for (int s : {SIGINT, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD}) sigaddset(&def, s);
    sigemptyset(&mask);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setsigmask(&attr, &mask);
    short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    if (req.pgid >= 0) {
        posix_spawnattr_setpgroup(&attr, req.pgid);
        flags |= POSIX_SPAWN_SETPGROUP;
    }
    posix_spawnattr_setflags(&attr, flags);

    SpawnArgs a(req);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, prog.c_str(), &fa, &attr, a.argv.data(), a.envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return err(rc, req.argv[0]);
    return int(pid);
}

Result<int> HostOs::wait(int pid) {
    int status = 0;
    for (;;) {
        pid_t r = ::waitpid(pid, &status, 0);
        if (r >= 0) break;
        if (errno != EINTR) return err(errno, "waitpid");
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

Result<JobStatus> HostOs::wait_job(int pid, bool block) {
    int status = 0;
    for (;;) {
        pid_t r = ::waitpid(pid, &status, WUNTRACED | (block ? 0 : WNOHANG));
        if (r == 0) return JobStatus{};
        if (r > 0) break;
        if (errno != EINTR) return err(errno, "waitpid");
    }
    if (WIFSTOPPED(status)) return JobStatus{JobStatus::Stopped, WSTOPSIG(status)};
    if (WIFEXITED(status)) return JobStatus{JobStatus::Exited, WEXITSTATUS(status)};
    return JobStatus{JobStatus::Exited, 128 + WTERMSIG(status)};
}

int HostOs::pgid() { return int(::getpgrp()); }

Result<void> HostOs::become_group_leader() {
    if (::setpgid(0, 0) < 0) return err(errno, "setpgid");
    return {};
}

Result<int> HostOs::foreground_group(int fd) {
    pid_t g = ::tcgetpgrp(fd);
    if (g < 0) return err(errno, "tcgetpgrp");
    return int(g);
}

Result<void> HostOs::set_foreground_group(int fd, int pgid) {
    if (::tcsetpgrp(fd, pgid) < 0) return err(errno, "tcsetpgrp");
    return {};
}

Result<void> HostOs::kill(int pid, int sig) {
    if (::kill(pid, sig) < 0) return err(errno, "kill");
    return {};
}

redox::Error HostOs::exec(const SpawnRequest& req) {
    if (req.argv.empty()) return redox::Error(EINVAL, "empty command");
    const char* path_env = ::getenv("PATH");
    std::string prog = resolve_in_path(*this, req.argv[0], path_env ? path_env : "/usr/bin:/bin");
    if (prog.empty()) return redox::Error(ENOENT, req.argv[0]);
    SpawnArgs a(req);
    ::execve(prog.c_str(), a.argv.data(), a.envp.data());
    return redox::Error(errno, req.argv[0]);
}

Result<void> HostOs::chdir(const std::string& path) {
    if (::chdir(path.c_str()) < 0) return err(errno, path);
    return {};
}

Result<std::string> HostOs::getcwd() {
    char buf[PATH_MAX];
    if (!::getcwd(buf, sizeof buf)) return err(errno, "getcwd");
    return std::string(buf);
}

FileStat HostOs::stat(const std::string& path, bool follow) {
    FileStat fs;
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) fs.is_symlink = true;
    int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
    if (rc != 0) return fs;
    fs.exists = true;
    fs.is_dir = S_ISDIR(st.st_mode);
    fs.is_file = S_ISREG(st.st_mode);
    fs.size = uint64_t(st.st_size);
    fs.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    fs.dev = st.st_dev;
    fs.ino = st.st_ino;
    fs.mode = st.st_mode;
    fs.executable = ::access(path.c_str(), X_OK) == 0;
    fs.readable = ::access(path.c_str(), R_OK) == 0;
    fs.writable = ::access(path.c_str(), W_OK) == 0;
    return fs;
}

Result<std::vector<std::string>> HostOs::readdir(const std::string& path) {
    DIR* d = ::opendir(path.empty() ? "." : path.c_str());
    if (!d) return err(errno, path);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(d);
    return names;
}

Result<void> HostOs::mkdir(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) < 0) return err(errno, path);
    return {};
}

const char* HostOs::getenv(const std::string& name) { return ::getenv(name.c_str()); }
void HostOs::setenv(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
}
void HostOs::unsetenv(const std::string& name) { ::unsetenv(name.c_str()); }
std::vector<std::string> HostOs::environ() {
    std::vector<std::string> out;
    for (char** e = ::environ; e && *e; ++e) out.emplace_back(*e);
    return out;
}

int HostOs::pid() { return int(::getpid()); }
int HostOs::uid() { return int(::getuid()); }
int HostOs::euid() { return int(::geteuid()); }
std::string HostOs::hostname() {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}
std::string HostOs::home_of(const std::string& user) {
    struct passwd* pw = ::getpwnam(user.c_str());
    return pw && pw->pw_dir ? pw->pw_dir : "";
}

}  // namespace ion
