#include "ion/repl.h"

#include "ion/interp.h"
#include "ion/lexer.h"
#include "ion/parser.h"
#include "ion/prompt.h"

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

std::string history_path(Interp& in) {
    if (Value* v = in.find_var("HISTFILE")) return v->joined();
    const char* xdg = in.os.getenv("XDG_DATA_HOME");
    const char* home = in.os.getenv("HOME");
    std::string base = xdg && *xdg ? std::string(xdg) : std::string(home ? home : ".") + "/.local/share";
    return base + "/ion/history";
}

void make_parent_dirs(const std::string& path) {
    for (size_t p = path.find('/', 1); p != std::string::npos; p = path.find('/', p + 1)) {
        std::string dir = path.substr(0, p);
        (void)::mkdir(dir.c_str(), 0700);
    }
}

// ---- completion
std::vector<std::string> g_matches;

std::vector<std::string> complete_word(Interp& in, const std::string& word, bool command_position) {
    std::set<std::string> out;
    if (!word.empty() && (word[0] == '$' || word[0] == '@')) {
        std::string pre = word.substr(1);
        for (Scope* s : in.chain)
            for (auto& [k, v] : s->vars)
                if (k.starts_with(pre)) out.insert(word[0] + k);
        if (word[0] == '$')
            for (auto& e : in.os.environ()) {
                std::string k = e.substr(0, e.find('='));
                if (k.starts_with(pre)) out.insert("$" + k);
            }
        return {out.begin(), out.end()};
    }
    if (command_position && word.find('/') == std::string::npos) {
        for (auto& [k, v] : in.builtins)
            if (k.starts_with(word)) out.insert(k);
        for (Scope* s : in.chain)
            for (auto& [k, v] : s->fns)
                if (k.starts_with(word)) out.insert(k);
        for (auto& [k, v] : in.aliases)
            if (k.starts_with(word)) out.insert(k);
        const char* path = in.os.getenv("PATH");
        std::string ps = path ? path : "";
        size_t start = 0;
        while (start <= ps.size()) {
            size_t e = ps.find(':', start);
            if (e == std::string::npos) e = ps.size();
            std::string dir = ps.substr(start, e - start);
            start = e + 1;
            auto names = in.os.readdir(dir.empty() ? "." : dir);
            if (!names) continue;
            for (auto& n : *names)
                if (n.starts_with(word)) out.insert(n);
        }
        return {out.begin(), out.end()};
    }
    size_t slash = word.rfind('/');
    std::string dir = slash == std::string::npos ? "" : word.substr(0, slash + 1);
    std::string pre = slash == std::string::npos ? word : word.substr(slash + 1);
    std::string real_dir = dir;
    if (real_dir.starts_with("~")) {
        const char* home = in.os.getenv("HOME");
        real_dir = std::string(home ? home : "") + real_dir.substr(1);
    }
    auto names = in.os.readdir(real_dir.empty() ? "." : real_dir);
    if (names) {
        for (auto& n : *names) {
            if (!n.starts_with(pre) || (n[0] == '.' && (pre.empty() || pre[0] != '.'))) continue;
            std::string full = dir + n;
            if (in.os.stat(real_dir + n).is_dir) full += "/";
            out.insert(full);
        }
    }
    return {out.begin(), out.end()};
}

char* generator(const char*, int state) {
    static size_t idx;
    if (state == 0) idx = 0;
    if (idx < g_matches.size()) return strdup(g_matches[idx++].c_str());
    return nullptr;
}

char** completer(const char* text, int start, int) {
    Interp& in = g_shell->interp();
    std::string line(rl_line_buffer ? rl_line_buffer : "");
    std::string before = line.substr(0, size_t(start));
    size_t k = before.find_last_not_of(" \t");
    bool command_position = k == std::string::npos || std::strchr(";|&", before[k]) != nullptr;
    g_matches = complete_word(in, text, command_position);
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

    // initrc, as interactive Ion reads it.
    const char* xdg = in.os.getenv("XDG_CONFIG_HOME");
    const char* home = in.os.getenv("HOME");
    std::string rc = (xdg && *xdg ? std::string(xdg) : std::string(home ? home : ".") + "/.config") + "/ion/initrc";
    if (in.os.stat(rc).is_file) shell.run_file(rc);

    std::string hist = history_path(in);
    make_parent_dirs(hist);
    using_history();
    read_history(hist.c_str());
    rl_attempted_completion_function = completer;
    rl_basic_word_break_characters = const_cast<char*>(" \t\n;|&<>");

    std::string pending;
    while (!in.exit_called) {
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
    }
    g_shell = nullptr;
    return shell.last_status();
}

}  // namespace ion
