// The interpreter behind ion::Shell: scopes, the expander, the executor and
// the builtins. Internal to src/ion; embedders use shell.h.
#pragma once

#include "ion/ast.h"
#include "ion/io.h"
#include "ion/shell.h"
#include "ion/value.h"

#include <csignal>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ion {

// A fatal script error ("ion: <msg>"); unwinds to the nearest script runner.
// Never leaves the library (Shell catches it).
struct Fatal {
    std::string msg;
};

struct Scope {
    std::unordered_map<std::string, Value> vars;
    std::unordered_map<std::string, std::shared_ptr<const FnDef>> fns;
    bool ns = false;  // a function body: `super::` and `drop` stop here
};

enum class Flow { Normal, Break, Continue, Return, Exit };

// One word after expansion: its items, and whether it was an array.
struct Expanded {
    std::vector<std::string> items;
    bool array = false;
};

// `$(..)` runs in-process, but as in a forked shell nothing it does may reach
// the shell around it: changes to variables of enclosing scopes, the
// environment, the cwd, the directory stack, aliases and @args are recorded
// here before they happen and undone when the substitution ends.
struct CaptureJournal {
    std::vector<Scope*> outer;  // the scopes visible when the substitution began
    std::vector<std::tuple<Scope*, std::string, std::optional<Value>>> vars;
    std::set<std::pair<Scope*, std::string>> vars_seen;
    std::vector<std::pair<std::string, std::optional<std::string>>> env;
    std::set<std::string> env_seen;
    std::optional<std::string> cwd;
    std::optional<std::vector<std::string>> args;
    std::vector<std::string> dir_stack;
    std::map<std::string, std::string> aliases;
};

// A pipeline of programs started with `&`, or stopped with ^Z.
struct Job {
    int id = 0;             // the [N] users name it by
    int pgid = 0;           // its process group (0 without job control)
    int leader = 0;         // its first process, the pid users see
    std::vector<int> pids;  // its processes not reaped yet
    std::string command;
    bool stopped = false;
    int status = 0;         // of its last process, once it ended
};

using InternalBuiltin = int (*)(Interp&, std::span<const std::string>, Io&);

struct BuiltinEntry {
    InternalBuiltin internal = nullptr;
    BuiltinFn external;
    std::string help;
};

class Interp {
public:
    Interp(Shell& shell, Os& os, ShellOptions opts);

    Shell& shell;
    Os& os;
    ShellOptions opts;

    // --- state
    Scope global;
    std::vector<Scope*> chain;  // visible scopes, innermost last
    std::unordered_map<std::string, BuiltinEntry> builtins;
    std::map<std::string, std::string> aliases;
    std::vector<std::string> args;  // @args
    std::string script_name = "stdio";
    std::vector<std::string> argv_all;  // the shell's own command line (status -f)
    int status = 0;
    Flow flow = Flow::Normal;
    int exit_code = 0;
    bool exit_called = false;
    unsigned call_depth = 0;
    volatile std::sig_atomic_t interrupted = 0;
    std::vector<std::string> dir_stack;
    // Job control (jobs.cpp). It is on in an interactive shell whose stdin
    // is a terminal: every pipeline of programs gets its own process group,
    // which holds the terminal while it runs in the foreground.
    std::vector<Job> jobs;
    bool job_control = false;
    int shell_pgid = 0;
    bool enable_job_control();   // the shell leads its group and takes the terminal
    void release_terminal();     // hands the terminal back to whoever had it before
    void take_terminal();
    Job& add_job(Job job);       // numbered with the lowest free id
    // Waits for the foreground job's processes to end or stop; a stopped job
    // is kept in `jobs` (and announced), and `stopped` set. Returns per
    // process its status (the last one a stop's 128 + signal).
    std::vector<int> wait_foreground(Job job, bool* stopped = nullptr);
    void report_jobs();          // announces background jobs that ended or stopped
    void hang_up_jobs();         // `exit`: SIGTERM (and SIGCONT) to every job
    int previous_terminal_pgid = 0;
    std::unordered_map<std::string, std::shared_ptr<const Block>> parse_cache;

    FdOutput std_out, std_err;
    Input std_in;
    Io io;  // the current streams (switched by pipelines and `$(..)`)

    // --- running
    int run_source(std::string_view src, std::string_view name);  // reports errors
    std::shared_ptr<const Block> parse_cached(const std::string& src);
    void run_block(const Block& b);
    void run_stmt(const Stmt& s);
    int run_chain(const Chain& c, bool allow_alias = true);
    int run_pipeline(const Pipeline& p);
    int call_function(const FnDef& fn, size_t scope_index, const Command& cmd,
                      std::vector<Expanded>& args);
    int run_builtin_or_function(std::vector<std::string>& argv, const Command& cmd,
                                std::vector<Expanded>* expanded, Io& io);
    std::string capture(const std::string& src);  // `$(..)`
    CaptureJournal* journal = nullptr;  // of the innermost running `$(..)`
    // Call before changing what a `$(..)` must not leak (no-ops outside one).
    void note_var_change(Scope* scope, const std::string& name);
    void note_env_change(const std::string& name);
    void note_cwd_change();
    void note_args_change();
    void check_interrupt();
    void report(const std::string& msg);  // "ion: msg" on stderr

    // --- variables
    Value* find_var(const std::string& name, Scope** where = nullptr);  // plain, super::, global::
    Value* find_var_for_write(const std::string& name);  // find_var, journaled for `$(..)`
    void assign(const std::string& name, Value v);  // updates in the namespace, else creates innermost
    bool drop_var(const std::string& name);
    std::string string_var(const std::string& name);  // expansion semantics; Fatal if missing
    const FnDef* find_fn(const std::string& name, size_t* scope_index = nullptr);
    void define_fn(std::shared_ptr<const FnDef> fn);

    // --- expansion (expand.cpp)
    Expanded expand(const std::string& word);
    std::vector<std::string> expand_args(const std::vector<std::string>& words);
    std::string expand_string(const std::string& word);  // items joined with spaces
    std::vector<std::string> expand_array_literal(std::string_view inner);

    // --- statements implemented elsewhere
    void run_let(const Stmt& s);  // let.cpp
    void run_export(const std::vector<std::string>& words);
};

// Helpers shared by the implementation files.
std::string format_float(double d);
void register_builtins(Interp& in);
std::vector<std::string> brace_expand(const std::string& word);  // braces.cpp
std::vector<std::string> glob_expand(Os& os, const std::string& pattern);  // glob.cpp
bool glob_match(std::string_view pat, std::string_view s);
bool has_glob_chars(std::string_view pattern);

}  // namespace ion
