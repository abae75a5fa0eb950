// Helpers for the userland programs: output through libredox fds.
#pragma once

#include "schemes/libredox.h"

#include <string>
#include <string_view>
#include <vector>

namespace redox::userland {

inline void out(std::string_view s) { (void)sys::write_all(1, s); }
inline void errout(std::string_view s) { (void)sys::write_all(2, s); }
// "PROG: WHAT: why" on stderr; returns 1.
inline int fail(std::string_view prog, std::string_view what, const Error& e) {
    errout(std::string(prog) + ": " + std::string(what) + ": " + e.message() + "\n");
    return 1;
}
using Args = std::vector<std::string>;

int cmd_echo(const Args&);
int cmd_cat(const Args&);
int cmd_ls(const Args&);
int cmd_ps(const Args&);
int cmd_kill(const Args&);
int cmd_sleep(const Args&);
int cmd_true(const Args&);
int cmd_false(const Args&);
int cmd_env(const Args&);
int cmd_uname(const Args&);
int cmd_mkdir(const Args&);
int cmd_rm(const Args&);
int cmd_touch(const Args&);

} // namespace redox::userland
