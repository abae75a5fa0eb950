// HostOs: ion::Os on the Linux host. Fds are the process's own fds (opened
// close-on-exec, so programs only see the stdio they are given); programs
// start with posix_spawn (vfork-based: no copy of the shell's memory).
#pragma once

#include "ion/os.h"

namespace ion {

class HostOs : public Os {
public:
    Result<int> open(const std::string& path, int flags) override;
    Result<size_t> read(int fd, std::span<char> buf) override;
    Result<size_t> write(int fd, std::string_view data) override;
    void close(int fd) override;
    Result<int> dup(int fd) override;
    Result<std::pair<int, int>> pipe() override;
    Result<int> memory_file(std::string_view data) override;
    bool isatty(int fd) override;

    Result<int> spawn(const SpawnRequest& req) override;
    Result<int> wait(int pid) override;
    Result<void> kill(int pid, int sig) override;
    redox::Error exec(const SpawnRequest& req) override;

    Result<JobStatus> wait_job(int pid, bool block) override;
    int pgid() override;
    Result<void> become_group_leader() override;
    Result<int> foreground_group(int fd) override;
    Result<void> set_foreground_group(int fd, int pgid) override;

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
    std::string home_of(const std::string& user) override;
};

// Finds an executable for `name` in the colon-separated `path`; "" if none.
std::string resolve_in_path(Os& os, const std::string& name, const std::string& path);

}  // namespace ion
