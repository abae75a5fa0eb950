// ion::Os: every operating-system effect of the Ion shell goes through this
// interface, so the same interpreter runs on the Linux host (HostOs) or inside
// the simulator (a SimOs that speaks Redox schemes).
//
// Contract:
// - File descriptors are numbers in the interface's own table; 0, 1 and 2 are
//   the shell's standard streams. They are only meaningful to the same Os.
// - Calls never throw; failures are redox::Error values with an errno.
// - spawn() starts a program that runs concurrently with the shell; the child
//   gets `stdio[0..2]` as its fds 0..2 and nothing else of the shell's.
//   The caller keeps ownership of the fds it passed (close them after spawn).
// - wait() reaps a child and returns its exit status; a child killed by a
//   signal returns 128 + signal number, as POSIX shells report it.
#pragma once

#include "schemes/error.h"

#include <cerrno>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ion {

using redox::Result;

struct SpawnRequest {
    std::vector<std::string> argv;  // argv[0] is resolved through $PATH when it has no '/'
    std::vector<std::string> env;   // "NAME=value" entries: the complete environment
    std::string cwd;                // empty: the shell's current directory
    int stdio[3] = {0, 1, 2};       // fds of this Os mapped to the child's 0, 1, 2
    int pgid = -1;                  // -1: the shell's process group; 0: a new group led by the child; >0: join it
};

// What became of a job's process (wait_job).
struct JobStatus {
    enum State { Running, Stopped, Exited } state = Running;
    int status = 0;  // Exited: the exit status (128 + signal when killed); Stopped: the signal
};

struct FileStat {
    bool exists = false;
    bool is_dir = false;
    bool is_file = false;
    bool is_symlink = false;  // the path itself (lstat)
    bool executable = false;  // for the current user
    bool readable = false;
    bool writable = false;
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    uint64_t dev = 0, ino = 0;
    uint32_t mode = 0;  // type and permission bits as in st_mode
};

enum OpenFlags : int {
    kRead = 1,
    kWrite = 2,
    kCreate = 4,
    kTruncate = 8,
    kAppend = 16,
};

class Os {
public:
    virtual ~Os() = default;

    // Files and descriptors.
    virtual Result<int> open(const std::string& path, int flags) = 0;
    virtual Result<size_t> read(int fd, std::span<char> buf) = 0;   // 0 = end of file
    virtual Result<size_t> write(int fd, std::string_view data) = 0;
    virtual void close(int fd) = 0;
    virtual Result<int> dup(int fd) = 0;
    virtual Result<std::pair<int, int>> pipe() = 0;  // {read end, write end}
    // A readable fd whose content is `data` (here-strings, input fed to a
    // program from in-memory builtin output), without a writer to deadlock on.
    virtual Result<int> memory_file(std::string_view data) = 0;
    virtual bool isatty(int fd) = 0;

    // Processes.
    virtual Result<int> spawn(const SpawnRequest& req) = 0;  // returns a pid
    virtual Result<int> wait(int pid) = 0;
    virtual Result<void> kill(int pid, int sig) = 0;  // pid < 0: the process group -pid
    // Replaces the current process (the `exec` builtin); returns only on error.
    virtual redox::Error exec(const SpawnRequest& req) = 0;

    // Job control. An Os without it keeps these defaults: jobs are only ever
    // waited for to the end, and there is no terminal to hand over.
    // wait_job reports a stop as well as an exit; with block false it returns
    // Running at once when nothing happened yet.
    virtual Result<JobStatus> wait_job(int pid, bool block) {
        if (!block) return JobStatus{};
        auto st = wait(pid);
        if (!st) return std::unexpected(st.error());
        return JobStatus{JobStatus::Exited, *st};
    }
    virtual int pgid() { return pid(); }
    // Makes this process the leader of its own process group.
    virtual Result<void> become_group_leader() { return std::unexpected(redox::Error(ENOSYS, "job control")); }
    // The terminal on `fd`: its foreground process group (tcgetpgrp/tcsetpgrp).
    virtual Result<int> foreground_group(int) { return std::unexpected(redox::Error(ENOTTY, "job control")); }
    virtual Result<void> set_foreground_group(int, int) { return std::unexpected(redox::Error(ENOTTY, "job control")); }
    // For a line editor: the terminal on `fd` delivers each key as typed,
    // without echo or signals (raw), until restore_terminal puts back the
    // mode saved by the last set_terminal_raw.
    virtual Result<void> set_terminal_raw(int) { return std::unexpected(redox::Error(ENOTTY, "terminal")); }
    virtual void restore_terminal(int) {}

    // File system.
    virtual Result<void> chdir(const std::string& path) = 0;
    virtual Result<std::string> getcwd() = 0;
    virtual FileStat stat(const std::string& path, bool follow = true) = 0;
    virtual Result<std::vector<std::string>> readdir(const std::string& path) = 0;  // no . and ..
    virtual Result<void> mkdir(const std::string& path) = 0;  // mode 0700; EEXIST when it is there

    // The environment handed to spawned programs.
    virtual const char* getenv(const std::string& name) = 0;
    virtual void setenv(const std::string& name, const std::string& value) = 0;
    virtual void unsetenv(const std::string& name) = 0;
    virtual std::vector<std::string> environ() = 0;  // "NAME=value"

    // Identity facts for $PID, $UID, $HOST and the prompt.
    virtual int pid() = 0;
    virtual int uid() = 0;
    virtual int euid() = 0;
    virtual std::string hostname() = 0;
    virtual std::string home_of(const std::string& user) = 0;  // "" if unknown

    // Writes all of data, retrying short writes.
    Result<void> write_all(int fd, std::string_view data) {
        while (!data.empty()) {
            auto n = write(fd, data);
            if (!n) return std::unexpected(n.error());
            data.remove_prefix(*n);
        }
        return {};
    }
    // Reads until end of file.
    Result<std::string> read_all(int fd) {
        std::string out;
        char buf[65536];
        for (;;) {
            auto n = read(fd, buf);
            if (!n) return std::unexpected(n.error());
            if (*n == 0) return out;
            out.append(buf, *n);
        }
    }
};

// Owns one fd of an Os and closes it when dropped.
class OsFd {
public:
    OsFd() = default;
    OsFd(Os& os, int fd) : m_os(&os), m_fd(fd) {}
    OsFd(OsFd&& o) noexcept : m_os(o.m_os), m_fd(std::exchange(o.m_fd, -1)) {}
    OsFd& operator=(OsFd&& o) noexcept {
        if (this != &o) {
            reset();
            m_os = o.m_os;
            m_fd = std::exchange(o.m_fd, -1);
        }
        return *this;
    }
    ~OsFd() { reset(); }
    int get() const { return m_fd; }
    explicit operator bool() const { return m_fd >= 0; }
    void reset() {
        if (m_fd >= 0 && m_os) m_os->close(m_fd);
        m_fd = -1;
    }

private:
    Os* m_os = nullptr;
    int m_fd = -1;
};

}  // namespace ion
