// Core builtins: echo, true/false, set, status, exit, read, alias, drop, fn,
// eval, source, help, which/type, math, random, debug.
#include "ion/builtins.h"
#include "ion/host_os.h"
#include "ion/number.h"
#include "ion/parser.h"
#include "ion/text.h"

#include <algorithm>
#include <csignal>
#include <random>

namespace ion {

void add_builtin(Interp& in, const char* name, InternalBuiltin fn, const char* help) {
    BuiltinEntry e;
    e.internal = fn;
    e.help = help;
    in.builtins[name] = std::move(e);
}

bool help_requested(Interp& in, Args args, Io& io) {
    if (args.size() < 2 || args[1].size() < 2 || args[1][0] != '-' || (args[1] != "-h" && args[1] != "--help")) return false;
    auto it = in.builtins.find(args[0]);
    io.out->write(args[0] + " - " + (it != in.builtins.end() ? it->second.help : std::string()) + "\n");
    return true;
}

namespace {

int b_echo(Interp&, Args args, Io& io) {
    bool escape = false, newline = true, spaces = true;
    std::vector<std::string_view> words;
    for (size_t k = 1; k < args.size(); ++k) {
        const std::string& a = args[k];
        if (a == "--escape") escape = true;
        else if (a == "--no-newline") newline = false;
        else if (a == "--no-spaces") spaces = false;
        else if (a.size() > 1 && a[0] == '-' && a.find_first_not_of("ens", 1) == std::string::npos) {
            for (char c : std::string_view(a).substr(1)) {
                if (c == 'e') escape = true;
                else if (c == 'n') newline = false;
                else spaces = false;
            }
        } else {
            words.push_back(a);
        }
    }
    std::string out;
    for (size_t k = 0; k < words.size(); ++k) {
        if (k && spaces) out += ' ';
        if (!escape) {
            out += words[k];
            continue;
        }
        std::string_view w = words[k];
        for (size_t i = 0; i < w.size(); ++i) {
            if (w[i] != '\\' || i + 1 >= w.size()) {
                out += w[i];
                continue;
            }
            char n = w[++i];
            switch (n) {
                case '\\': out += '\\'; break;
                case 'a': out += '\a'; break;
                case 'b': out += '\b'; break;
                case 'e': out += '\x1b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'v': out += '\v'; break;
                case 'c':
                    io.out->write(out);
                    return 0;
                default:
                    out += '\\';
                    out += n;
            }
        }
    }
    if (newline) out += '\n';
    io.out->write(out);
    return 0;
}

int b_true(Interp&, Args, Io&) { return 0; }
int b_false(Interp&, Args, Io&) { return 1; }

int b_set(Interp& in, Args args, Io& io) {
    if (help_requested(in, args, io)) return 0;
    for (size_t k = 1; k < args.size(); ++k) {
        const std::string& a = args[k];
        if (a == "--" || a == "-") {
            if (a == "-" && k + 1 == args.size()) return 0;
            std::vector<std::string> rest(args.begin() + long(k) + 1, args.end());
            rest.insert(rest.begin(), in.args.empty() ? std::string("ion") : in.args[0]);
            in.note_args_change();
            in.args = rest;
            in.global.vars["args"] = Value::array(std::move(rest));
            return 0;
        }
        if (a.size() < 2 || (a[0] != '-' && a[0] != '+')) {
            io.err->write("ion: set: invalid argument '" + a + "'\n");
            return 1;
        }
        bool on = a[0] == '-';
        for (char c : std::string_view(a).substr(1)) {
            if (c == 'e') in.opts.err_exit = on;
            else if (c == 'p') in.opts.pipe_fail = on;
            else if (c == 'x') in.opts.trace = on;
            else {
                io.err->write(std::string("ion: set: invalid option '") + c + "'\n");
                return 1;
            }
        }
    }
    return 0;
}

int b_status(Interp& in, Args args, Io& io) {
    if (args.size() == 1) {
        io.out->write("This is not a login shell\n");
        return 0;
    }
    const std::string& a = args[1];
    if (a == "-l" || a == "--is-login") return 1;
    if (a == "-i" || a == "--is-interactive") return in.opts.interactive ? 0 : 1;
    if (a == "-f" || a == "--current-filename") {
        io.out->write((in.argv_all.empty() ? std::string("stdio") : in.argv_all.back()) + "\n");
        return 0;
    }
    io.err->write("ion: status: invalid option '" + a + "'\n");
    return 1;
}

int b_exit(Interp& in, Args args, Io&) {
    int code = in.status;
    if (args.size() > 1) {
        auto n = parse_number(args[1]);
        code = n && !n->is_float ? int(n->i & 0xFF) : 1;
    }
    in.hang_up_jobs();
    in.exit_code = code;
    in.exit_called = true;
    in.flow = Flow::Exit;
    return code;
}

int b_read(Interp& in, Args args, Io& io) {
    if (help_requested(in, args, io)) return 0;
    int st = 0;
    for (size_t k = 1; k < args.size(); ++k) {
        std::string line;
        if (!io.in->read_line(line)) {
            st = 1;
            line.clear();
        }
        size_t a = line.find_first_not_of(" \t\r");
        size_t b = line.find_last_not_of(" \t\r");
        line = a == std::string::npos ? "" : line.substr(a, b - a + 1);
        in.assign(args[k], Value::string(line));
    }
    return st;
}

int b_alias(Interp& in, Args args, Io& io) {
    if (args.size() == 1) {
        for (auto& [k, v] : in.aliases) io.out->write("alias " + k + " = '" + v + "'\n");
        return 0;
    }
    std::string name, value;
    if (args.size() >= 3 && args[2] == "=") {
        name = args[1];
        value = join(std::vector<std::string>(args.begin() + 3, args.end()), " ");
    } else if (size_t eq = args[1].find('='); eq != std::string::npos) {
        name = args[1].substr(0, eq);
        std::vector<std::string> rest(args.begin() + 2, args.end());
        rest.insert(rest.begin(), args[1].substr(eq + 1));
        value = join(rest, " ");
    } else {
        auto it = in.aliases.find(args[1]);
        if (it == in.aliases.end()) {
            io.err->write("ion: alias: " + args[1] + " not found\n");
            return 1;
        }
        io.out->write("alias " + it->first + " = '" + it->second + "'\n");
        return 0;
    }
    in.aliases[name] = value;
    return 0;
}

int b_unalias(Interp& in, Args args, Io& io) {
    int st = 0;
    for (size_t k = 1; k < args.size(); ++k) {
        if (!in.aliases.erase(args[k])) {
            io.err->write("ion: unalias: " + args[k] + " not found\n");
            st = 1;
        }
    }
    return st;
}

int b_drop(Interp& in, Args args, Io& io) {
    if (args.size() < 2) {
        io.err->write("ion: drop: you must specify a variable name\n");
        return 1;
    }
    int st = 0;
    for (size_t k = 1; k < args.size(); ++k) {
        if (!in.drop_var(args[k])) {
            io.err->write("ion: undefined variable: " + args[k] + "\n");
            st = 1;
        }
    }
    return st;
}

int b_fn(Interp& in, Args, Io& io) {
    std::map<std::string, std::string> all;
    for (Scope* s : in.chain) {
        for (auto& [name, fn] : s->fns) {
            std::string line = "    " + name;
            for (auto& p : fn->params) line += " " + p;
            if (!fn->description.empty()) line += " -- " + fn->description;
            all[name] = line;
        }
    }
    io.out->write("# Functions\n");
    for (auto& [k, l] : all) io.out->write(l + "\n");
    return 0;
}

int b_eval(Interp& in, Args args, Io&) {
    std::string src = join(std::vector<std::string>(args.begin() + 1, args.end()), " ");
    auto block = in.parse_cached(src);
    in.run_block(*block);
    return in.status;
}

int b_source(Interp& in, Args args, Io& io) {
    if (args.size() < 2) {
        io.err->write("ion: source: no file given\n");
        return 1;
    }
    auto fd = in.os.open(args[1], kRead);
    if (!fd) {
        io.err->write("ion: source: failed to open " + args[1] + ": " + std::strerror(fd.error().errnum) + "\n");
        return 1;
    }
    OsFd guard(in.os, *fd);
    auto text = in.os.read_all(*fd);
    if (!text) return 1;
    auto saved = in.args;
    if (args.size() > 2) {
        in.args = std::vector<std::string>(args.begin() + 1, args.end());
    }
    Block block;
    SyntaxError e;
    if (!parse_script(*text, block, e)) {
        in.args = saved;
        throw Fatal{"syntax error: " + args[1] + ":" + std::to_string(e.line) + ":" + std::to_string(e.col) + ": " + e.message};
    }
    // Functions defined by the file must outlive this Block: keep it.
    auto keep = std::make_shared<Block>(std::move(block));
    in.parse_cache.emplace("\x01source:" + args[1] + ":" + std::to_string(in.parse_cache.size()), keep);
    in.run_block(*keep);
    if (in.flow == Flow::Return) in.flow = Flow::Normal;
    if (args.size() > 2) in.args = saved;
    return in.status;
}

int b_help(Interp& in, Args args, Io& io) {
    if (args.size() > 1) {
        auto it = in.builtins.find(args[1]);
        if (it == in.builtins.end()) {
            io.err->write("ion: help: no builtin named '" + args[1] + "'\n");
            return 1;
        }
        io.out->write(args[1] + " - " + it->second.help + "\n");
        return 0;
    }
    std::vector<std::string> names;
    for (auto& [k, v] : in.builtins) names.push_back(k);
    std::sort(names.begin(), names.end());
    for (auto& n : names) io.out->write(n + "\n");
    return 0;
}

int b_which(Interp& in, Args args, Io& io) {
    int st = 0;
    bool type = args[0] == "type";
    for (size_t k = 1; k < args.size(); ++k) {
        const std::string& n = args[k];
        if (auto a = in.aliases.find(n); a != in.aliases.end()) {
            io.out->write(type ? n + " is an alias for " + a->second + "\n" : n + ": alias to " + a->second + "\n");
        } else if (in.find_fn(n)) {
            io.out->write(type ? n + " is a function\n" : n + ": function\n");
        } else if (in.builtins.count(n)) {
            io.out->write(type ? n + " is a shell builtin\n" : n + ": built-in shell command\n");
        } else {
            const char* path = in.os.getenv("PATH");
            std::string p = resolve_in_path(in.os, n, path ? path : "");
            if (p.empty()) {
                io.err->write(n + " not found\n");
                st = 1;
            } else {
                io.out->write(type ? n + " is " + p + "\n" : p + "\n");
            }
        }
    }
    return st;
}

int b_math(Interp& in, Args args, Io& io) {
    if (help_requested(in, args, io)) return 0;
    std::string expr;
    if (args.size() == 1) {
        if (io.in->fd() >= 0 && in.os.isatty(io.in->fd())) {
            io.err->write("ion: math: no expression given\n");
            return 1;
        }
        expr = io.in->read_all();
    } else {
        expr = join(std::vector<std::string>(args.begin() + 1, args.end()), " ");
    }
    std::string error;
    auto r = eval_arith(expr, [](const std::string&) -> std::optional<std::string> { return std::nullopt; }, error);
    if (!r) {
        io.err->write("ion: math: " + error + "\n");
        return 1;
    }
    io.out->write((r->is_float ? [&] {
        std::string s = format_float(r->f);
        if (s.ends_with(".0")) s.resize(s.size() - 2);
        return s;
    }() : r->str()) + "\n");
    return 0;
}

int b_random(Interp& in, Args args, Io& io) {
    static std::mt19937_64 rng{std::random_device{}()};
    long long lo = 0, hi = 32767;
    if (args.size() == 2) {
        rng.seed(std::stoull(args[1].empty() ? "0" : args[1].substr(0, 18), nullptr, 10));
        return 0;
    }
    if (args.size() >= 3) {
        auto a = parse_number(args[1]), b = parse_number(args[2]);
        if (!a || !b || a->is_float || b->is_float || a->i > b->i || b->i > (__int128)1e17 || a->i < -(__int128)1e17) {
            io.err->write("ion: random: invalid range\n");
            return 1;
        }
        lo = (long long)a->i;
        hi = (long long)b->i;
    }
    (void)in;
    std::uniform_int_distribution<long long> d(lo, hi);
    io.out->write(std::to_string(d(rng)) + "\n");
    return 0;
}

int b_debug(Interp& in, Args args, Io& io) {
    if (args.size() < 2 || (args[1] != "on" && args[1] != "off")) {
        io.err->write("ion: debug: expected 'on' or 'off'\n");
        return 1;
    }
    in.opts.trace = args[1] == "on";
    return 0;
}

}  // namespace

void register_core_builtins(Interp& in) {
    add_builtin(in, "echo", b_echo, "display text ([-e] escapes, [-n] no newline, [-s] no spaces)");
    add_builtin(in, "true", b_true, "do nothing, successfully");
    add_builtin(in, "false", b_false, "do nothing, unsuccessfully");
    add_builtin(in, "set", b_set, "set shell options (-e exit on error, -p pipefail, -x trace; -- ARGS sets @args)");
    add_builtin(in, "status", b_status, "report login (-l), interactive (-i) or the script name (-f)");
    add_builtin(in, "exit", b_exit, "exit the shell with a status");
    add_builtin(in, "read", b_read, "read lines from stdin into variables");
    add_builtin(in, "alias", b_alias, "define or show aliases: alias NAME = VALUE");
    add_builtin(in, "unalias", b_unalias, "remove aliases");
    add_builtin(in, "drop", b_drop, "delete variables");
    add_builtin(in, "fn", b_fn, "list the functions");
    add_builtin(in, "eval", b_eval, "run the arguments as a command");
    add_builtin(in, "source", b_source, "run a script in this shell");
    add_builtin(in, "help", b_help, "list the builtins or show one's help");
    add_builtin(in, "which", b_which, "show what a command name refers to");
    add_builtin(in, "type", b_which, "show what a command name refers to");
    add_builtin(in, "math", b_math, "evaluate an arithmetic expression");
    add_builtin(in, "random", b_random, "print a pseudo-random number [START END]");
    add_builtin(in, "debug", b_debug, "echo each command before running it (on|off)");
}

void register_builtins(Interp& in) {
    register_core_builtins(in);
    register_test_builtins(in);
    register_dir_builtins(in);
    register_job_builtins(in);
}

}  // namespace ion
