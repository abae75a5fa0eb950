// /usr/bin/ion inside the sim: the Ion shell over SimOs. `ion -c CMD`,
// `ion SCRIPT [ARGS]`, and an interactive shell. On a pty (the console of a
// boot on a host terminal, through getty) it edits lines itself (LineEditor,
// with history and completion) and has job control; on the plain console
// (input piped into the boot) it reads one line at a time.
#include "ion/complete.h"
#include "ion/interp.h"
#include "ion/line_editor.h"
#include "ion/invocation.h"
#include "ion/prompt.h"
#include "ion/shell.h"
#include "ion/sim_os.h"
#include "schemes/libredox.h"
#ifdef ION_WITH_SIMCTL
#include "userland/sim/sim_command.h"
#endif

#include <signal.h>

#include <string>
#include <vector>

namespace {

constexpr const char* kHelp =
    "ion - the Ion shell\n"
    "\n"
    "usage: ion [FLAGS] [-c COMMAND | SCRIPT] [ARGS...]\n"
    "\n"
    "  -c COMMAND   run COMMAND instead of a script\n"
    "  -n           only check the syntax\n"
    "  -x           print each command before running it\n"
    "  -i           interactive even when stdin is not a terminal\n"
    "  -f           fake interactive: errors do not end the shell\n"
    "  -l, --login  accepted for compatibility; no effect\n"
    "  -v           print the version\n"
    "  -h           print this help\n"
    "\n"
    "With neither -c nor SCRIPT, commands are read from stdin (interactively\n"
    "when it is the console). @args holds SCRIPT (or the shell name) and ARGS.\n";

ion::Shell* g_shell = nullptr;

void on_sigint(int) {
    if (g_shell) g_shell->interrupt();
}

int console_repl(ion::Shell& shell) {
    ion::Interp& in = shell.interp();
    ion::Os& os = shell.os();
    shell.options().interactive = true;
    // Ctrl-C while a line is read or a builtin runs stops the shell's script,
    // not the shell. (With job control a foreground job has the terminal and
    // gets ^C itself.)
    g_shell = &shell;
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    ion::LineEditor editor(os, 0, 1);
    bool editing = editor.usable();
    if (in.enable_job_control()) {
        signal(SIGTSTP, SIG_IGN);
        signal(SIGTTIN, SIG_IGN);
        signal(SIGTTOU, SIG_IGN);
    }
    editor.set_completer([&in](const std::string& line, size_t start) {
        return ion::complete_word(in, line.substr(start), ion::command_position(std::string_view(line).substr(0, start)));
    });
    const char* xdg = os.getenv("XDG_CONFIG_HOME");
    const char* home = os.getenv("HOME");
    std::string rc = (xdg && *xdg ? std::string(xdg) : std::string(home ? home : ".") + "/.config") + "/ion/initrc";
    if (os.stat(rc).is_file) shell.run_file(rc);
    if (editing) editor.use_history_file(ion::history_file(in));

    // Without the editor: one byte at a time, so a program started from this
    // line reads the console input that follows it.
    ion::Input console = ion::Input::from_fd(os, 0);
    std::string pending, line;
    while (!in.exit_called) {
        if (in.job_control) in.report_jobs();
        std::string prompt = pending.empty() ? ion::prompt_text(in) : "> ";
        in.interrupted = 0;
        if (editing) {
            auto got = editor.read_line(prompt, line);
            if (got == ion::LineEditor::Outcome::EndOfInput) {
                if (!pending.empty()) {  // ^D abandons an unfinished block
                    pending.clear();
                    continue;
                }
                break;
            }
            if (got == ion::LineEditor::Outcome::Cancelled) {
                pending.clear();
                continue;
            }
        } else {
            (void)os.write_all(1, prompt);
            if (!console.read_line(line)) {
                (void)os.write_all(1, "\n");
                break;
            }
            if (in.interrupted) {  // Ctrl-C while typing discards the line
                pending.clear();
                continue;
            }
        }
        pending += line;
        pending += '\n';
        if (ion::needs_more_input(pending)) continue;
        std::string src = std::move(pending);
        pending.clear();
        editor.add_history(src.substr(0, src.size() - 1));
        shell.run_string(src, "stdin");
    }
    if (in.exit_called == false) in.hang_up_jobs();
    in.release_terminal();
    g_shell = nullptr;
    return shell.last_status();
}

int run(const std::vector<std::string>& args) {
    ion::SimOs os;
    ion::Invocation inv = ion::parse_invocation(args);
    switch (inv.action) {
        case ion::Invocation::Action::Help: (void)os.write_all(1, kHelp); return 0;
        case ion::Invocation::Action::Version: (void)os.write_all(1, "ion 1.0.0-alpha (redox-sim)\n"); return 0;
        case ion::Invocation::Action::Error: (void)os.write_all(1, inv.error); return 1;
        case ion::Invocation::Action::Run: break;
    }
    ion::Shell shell(os, inv.opts);
#ifdef ION_WITH_SIMCTL
    // `sim ...` runs in the shell: no process per scenario step, and its
    // output can be piped or captured like any builtin's.
    shell.register_builtin(
        "sim",
        [](ion::Shell&, std::span<const std::string> a, ion::Io& io) {
            return redox::simctl::run(a, [&](std::string_view s) { io.out->write(s); },
                                      [&](std::string_view s) { io.err->write(s); });
        },
        "scenario control of the sim (wait-scheme, kill, restart, log, time, fault, trace, ps, input, screenshot)");
#endif
    return ion::run_invocation(shell, inv, args, console_repl);
}

}  // namespace

int main(int argc, char** argv) {
    int status = run(std::vector<std::string>(argv + 1, argv + argc));
    redox::sys::exit(status);
}
