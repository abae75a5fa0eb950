// init (pid 1): runs the init scripts, then the console or the boot's --exec
// command lines, and reaps orphans. Script language: classic and
// transitional Redox (`notify`, `nowait`, `requires_weak`, `run.d`, `export`,
// `unset`, `cd`, `echo`, `stdio`, `set-default-scheme`; any other line runs a
// program and waits for it).
#pragma once

#include "installer/init_script.h"
#include "schemes/error.h"

#include <set>
#include <string>
#include <vector>

namespace redox::init {

class Init {
public:
    // Run one script file (a sim path).
    Result<void> run_file(const std::string& path);
    Result<void> run_commands(const std::vector<installer::InitCommand>& cmds);
    // Run every file of dirs in sorted file-name order (a later dir overrides).
    Result<void> run_dirs(const std::vector<std::string>& dirs);
    // The boot's --exec command lines, on the console; returns the last status.
    int run_exec_lines(const std::vector<std::string>& lines);
    // An interactive shell on the console; returns when it exits.
    int run_console();
    void reap_all();

private:
    Result<void> run_one(const installer::InitCommand& cmd);
    Result<int> spawn_and_wait(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                               bool notify, bool wait, const std::string& origin, bool parallel = false);
    Result<void> run_unit(const std::string& name);
    // Waits for the readiness of every daemon notify_parallel started; reports
    // each one that exited without it.
    void settle();
    std::vector<std::string> expand(const std::vector<std::string>& args) const;

    // Daemons started by notify_parallel whose readiness byte is still due:
    // the read end of each one's pipe, and what to name when it never comes.
    struct Pending {
        int fd;
        std::string what;
    };
    std::vector<Pending> m_pending;
    // run.d state: units by file name -> path, and what ran already.
    std::vector<std::pair<std::string, std::string>> m_units;
    std::set<std::string> m_started;
};

} // namespace redox::init
