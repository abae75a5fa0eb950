// SimOs: ion::Os inside the simulator, over libredox. Fds are the sim
// process's own fds (the kernel-sim's fd table); programs start with the
// kernel's spawn, pipes come from the `pipe` scheme, and any Redox path can be
// opened or redirected to (`> /scheme/null`, `< /scheme/host/data`).
//
// There is no fork inside the sim, so input held in memory (here-strings, the
// output of a builtin piped into a program) goes through a pipe: up to a
// pipe's capacity it is written at once; the rest is a "feed" that the shell
// keeps writing (non-blocking, woken by the `event` scheme) whenever it would
// otherwise block in read() or wait(), so a program that reads slowly never
// deadlocks the shell.
#pragma once

#include "ion/os.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ion {

class SimOs : public Os {
public:
    ~SimOs() override;

    Result<int> open(const std::string& path, int flags) override;
    Result<size_t> read(int fd, std::span<char> buf) override;
    Result<size_t> write(int fd, std::string_view data) override;
    void close(int fd) override;
    Result<int> dup(int fd) override;
    Result<std::pair<int, int>> pipe() override;
    Result<int> memory_file(std::string_view data) override;
    // The console (/scheme/debug) and ptys are terminals.
    bool isatty(int fd) override;

    Result<int> spawn(const SpawnRequest& req) override;
    Result<int> wait(int pid) override;
    Result<void> kill(int pid, int sig) override;
    // The sim has no exec: the program runs with the shell's stdio and
    // environment, and the shell exits with its status.
    redox::Error exec(const SpawnRequest& req) override;

    // Process groups are the kernel's; the terminal is a pty (its "pgrp"
    // control handle). The console (/scheme/debug) has no job control.
    Result<JobStatus> wait_job(int pid, bool block) override;
    int pgid() override;
    Result<void> become_group_leader() override;
    Result<int> foreground_group(int fd) override;
    Result<void> set_foreground_group(int fd, int pgid) override;
    Result<void> set_terminal_raw(int fd) override;
    void restore_terminal(int fd) override;

    Result<void> chdir(const std::string& path) override;
    Result<std::string> getcwd() override;
    FileStat stat(const std::string& path, bool follow = true) override;
    Result<std::vector<std::string>> readdir(const std::string& path) override;
    Result<void> mkdir(const std::string& path) override;

    const char* getenv(const std::string& name) override;
    void setenv(const std::string& name, const std::string& value) override;
    void unsetenv(const std::string& name) override;
    std::vector<std::string> environ() override;

    int pid() override;
    int uid() override;
    int euid() override;
    std::string hostname() override;
    std::string home_of(const std::string& user) override;  // from /etc/passwd

private:
    struct Feed {
        int fd;  // write end of the pipe, O_NONBLOCK
        std::string data;
        size_t pos = 0;
    };
    // Writes what the feeds' pipes take now; drops finished or unread feeds.
    void pump_feeds();
    // Blocks until a feed can be written, `fd` has `flags` readiness, or a
    // short timeout passes (whichever first).
    void await_progress(int fd, uint32_t flags);

    std::vector<Feed> m_feeds;
    std::vector<uint8_t> m_saved_termios;  // what set_terminal_raw found
};

}  // namespace ion
