#include "ion/repl.h"

#include "ion/interp.h"
#include "ion/lexer.h"
#include "ion/parser.h"
#include "ion/prompt.h"
#include "ion/complete.h"

#include <editline/readline.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>

namespace ion {

namespace {

Shell* g_shell = nullptr;

void on_sigint(int) {
    if (g_shell) g_shell->interrupt();
}

void make_parent_dirs(const std::string& path) {
    for (size_t p = path.find('/', 1); p != std::string::npos; p = path.find('/', p + 1)) {
        std::string dir = path.substr(0, p);
        (void)::mkdir(dir.c_str(), 0700);
    }
}

// ---- completion
std::vector<std::string> g_matches;

char* generator(const char*, int state) {
    static size_t idx;
    if (state == 0) idx = 0;
    if (idx < g_matches.size()) return strdup(g_matches[idx++].c_str());
    return nullptr;
}

char** completer(const char* text, int start, int) {
    Interp& in = g_shell->interp();
    std::string line(rl_line_buffer ? rl_line_buffer : "");
    g_matches = complete_word(in, text, command_position(line.substr(0, size_t(start))));
    rl_attempted_completion_over = 1;
    if (g_matches.empty()) return nullptr;
    return rl_completion_matches(text, generator);
}

}  // namespace

int run_repl(Shell& shell) {
    Interp& in = shell.interp();
    g_shell = &shell;
    shell.options().interactive = true;
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    signal(SIGTSTP, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    (void)in.enable_job_control();

    // initrc, as interactive Ion reads it.
    const char* xdg = in.os.getenv("XDG_CONFIG_HOME");
    const char* home = in.os.getenv("HOME");
    std::string rc = (xdg && *xdg ? std::string(xdg) : std::string(home ? home : ".") + "/.config") + "/ion/initrc";
    if (in.os.stat(rc).is_file) shell.run_file(rc);

    std::string hist = history_file(in);
    make_parent_dirs(hist);
    using_history();
    read_history(hist.c_str());
    rl_attempted_completion_function = completer;
    rl_basic_word_break_characters = const_cast<char*>(" \t\n;|&<>");

    std::string pending;
    while (!in.exit_called) {
        if (in.job_control) in.report_jobs();
        std::string prompt = pending.empty() ? prompt_text(in) : "> ";
        in.interrupted = 0;
        char* raw = readline(prompt.c_str());
        if (!raw) {
            if (!pending.empty()) {
                pending.clear();
                std::fputs("\n", stdout);
                continue;
            }
            break;
        }
        std::string line = raw;
        std::free(raw);
        if (in.interrupted) {  // Ctrl-C at the prompt discards the line
            pending.clear();
            continue;
        }
        pending += line;
        pending += '\n';
        if (needs_more_input(pending)) continue;
        std::string src = std::move(pending);
        pending.clear();
        std::string entry = src.substr(0, src.size() - 1);
        if (entry.find_first_not_of(" \t\n") != std::string::npos) {
            add_history(entry.c_str());
            if (write_history(hist.c_str()) != 0) {
                // History is best-effort: an unwritable file must not stop the shell.
            }
        }
        shell.run_string(src, "stdin");
        // The host terminal echoed ^C without a newline; the prompt starts a line.
        if (in.job_control && shell.last_status() == 128 + SIGINT) std::fputs("\n", stdout);
    }
    if (!in.exit_called) in.hang_up_jobs();
    in.release_terminal();
    g_shell = nullptr;
    return shell.last_status();
}

}  // namespace ion
