// Embedding API of the Ion shell.
//
//   ion::HostOs os;
//   ion::Shell sh(os);
//   sh.register_builtin("sim-ps", [](ion::Shell& s, std::span<const std::string> args,
//                                    ion::Io& io) { io.out->write("...\n"); return 0; });
//   int status = sh.run_string("sim-ps | grep init", "scenario");
//
// A Shell is single-threaded; all its effects go through the Os it was given.
// Errors in the script are reported on the shell's stderr (fd 2 of the Os) as
// `ion: ...` lines, as the Ion shell does; the calls return an exit status.
#pragma once

#include "ion/io.h"
#include "ion/os.h"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ion {

class Interp;
class Shell;

// args[0] is the builtin's name. Returns the exit status.
using BuiltinFn = std::function<int(Shell&, std::span<const std::string> args, Io& io)>;

struct ShellOptions {
    bool err_exit = false;      // set -e
    bool pipe_fail = false;     // set -p
    bool no_exec = false;       // -n: parse only
    bool trace = false;         // -x
    bool interactive = false;   // errors do not end the shell
    unsigned max_call_depth = 1000;     // function recursion limit
    size_t max_array_len = 10'000'000;  // elements produced by one expansion
};

class Shell {
public:
    explicit Shell(Os& os, ShellOptions opts = {});
    ~Shell();
    Shell(const Shell&) = delete;
    Shell& operator=(const Shell&) = delete;

    void register_builtin(std::string name, BuiltinFn fn, std::string help = {});

    // Runs Ion source; `name` appears in syntax errors (file:line:column).
    int run_string(std::string_view src, std::string_view name = "-c");
    // Runs a script file (read through the Os); args become @args[1..].
    int run_file(const std::string& path, const std::vector<std::string>& args = {});

    // @args: the script or argv0, then the arguments.
    void set_args(std::vector<std::string> args);
    // The shell's own command line; `status -f` reports its last word.
    void set_command_line(std::vector<std::string> argv);
    // Shell variables (string values) and the environment of programs.
    void set_var(const std::string& name, const std::string& value);
    std::string var(const std::string& name) const;
    void set_env(const std::string& name, const std::string& value);

    // Asks a running script to stop at the next statement (signal-safe).
    void interrupt();

    int last_status() const;
    bool exit_requested() const;  // `exit` ran
    ShellOptions& options();
    Os& os();
    Interp& interp() { return *m_interp; }

private:
    std::unique_ptr<Interp> m_interp;
};

}  // namespace ion
