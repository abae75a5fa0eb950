// Directories and processes: cd, dirs, pushd, popd, exec,
// mapfile, suspend.
#include "ion/builtins.h"
#include "ion/number.h"
#include "ion/text.h"

#include <csignal>

namespace ion {

namespace {

std::string env_or(Interp& in, const char* name, const char* dflt) {
    const char* v = in.os.getenv(name);
    return v ? v : dflt;
}

int change_dir(Interp& in, const std::string& target, Io& io) {
    std::string dest = target;
    if (!target.empty() && target[0] != '/' && target[0] != '.') {
        if (Value* cd = in.find_var("CDPATH")) {
            for (auto& base : cd->items()) {
                std::string cand = base + "/" + target;
                if (in.os.stat(cand).is_dir) {
                    dest = cand;
                    break;
                }
            }
        }
    }
    in.note_cwd_change();
    in.note_env_change("OLDPWD");
    in.note_env_change("PWD");
    auto old = in.os.getcwd();
    auto r = in.os.chdir(dest);
    if (!r) {
        io.err->write("ion: cd: failed to change directory to " + target + ": " + std::strerror(r.error().errnum) + "\n");
        return 1;
    }
    auto now = in.os.getcwd();
    if (old) in.os.setenv("OLDPWD", *old);
    if (now) in.os.setenv("PWD", *now);
    size_t idx;
    if (const FnDef* fn = in.find_fn("CD_CHANGE", &idx)) {
        Command c;
        c.words = {"CD_CHANGE"};
        std::vector<Expanded> args{Expanded{{"CD_CHANGE"}, false}};
        in.call_function(*fn, idx, c, args);
    }
    return 0;
}

int b_cd(Interp& in, Args args, Io& io) {
    if (help_requested(in, args, io)) return 0;
    if (args.size() < 2) return change_dir(in, env_or(in, "HOME", "/"), io);
    if (args[1] == "-") {
        std::string old = env_or(in, "OLDPWD", "");
        if (old.empty()) {
            io.err->write("ion: cd: no previous directory\n");
            return 1;
        }
        return change_dir(in, old, io);
    }
    return change_dir(in, args[1], io);
}

int b_dirs(Interp& in, Args args, Io& io) {
    if (args.size() > 1 && args[1] == "-c") {
        in.dir_stack.clear();
        return 0;
    }
    auto cwd = in.os.getcwd();
    std::vector<std::string> all{cwd ? *cwd : "?"};
    for (auto it = in.dir_stack.rbegin(); it != in.dir_stack.rend(); ++it) all.push_back(*it);
    bool lines = args.size() > 1 && (args[1] == "-p" || args[1] == "-v");
    if (lines) {
        for (size_t k = 0; k < all.size(); ++k)
            io.out->write((args[1] == "-v" ? std::to_string(k) + "  " : std::string()) + all[k] + "\n");
    } else {
        io.out->write(join(all, " ") + "\n");
    }
    return 0;
}

int b_pushd(Interp& in, Args args, Io& io) {
    auto cwd = in.os.getcwd();
    if (args.size() < 2) {
        if (in.dir_stack.empty()) {
            io.err->write("ion: pushd: no other directory\n");
            return 1;
        }
        std::string top = in.dir_stack.back();
        in.dir_stack.back() = cwd ? *cwd : "";
        return change_dir(in, top, io);
    }
    int st = change_dir(in, args[1], io);
    if (st == 0 && cwd) in.dir_stack.push_back(*cwd);
    return st;
}

int b_popd(Interp& in, Args, Io& io) {
    if (in.dir_stack.empty()) {
        io.err->write("ion: popd: directory stack empty\n");
        return 1;
    }
    std::string top = in.dir_stack.back();
    in.dir_stack.pop_back();
    return change_dir(in, top, io);
}

int b_dir_depth(Interp& in, Args args, Io& io) {
    if (args.size() < 2) {
        io.out->write(std::to_string(in.dir_stack.size()) + "\n");
        return 0;
    }
    auto n = parse_number(args[1]);
    if (!n || n->is_float || n->i < 0) return 1;
    while ((__int128)in.dir_stack.size() > n->i) in.dir_stack.erase(in.dir_stack.begin());
    return 0;
}

int b_exec(Interp& in, Args args, Io& io) {
    size_t k = 1;
    bool clear_env = false;
    if (k < args.size() && args[k] == "-c") {
        clear_env = true;
        ++k;
    }
    if (k >= args.size()) return 0;
    SpawnRequest req;
    req.argv.assign(args.begin() + long(k), args.end());
    if (!clear_env) req.env = in.os.environ();
    redox::Error e = in.os.exec(req);
    io.err->write("ion: exec: " + req.argv[0] + ": " + std::strerror(e.errnum) + "\n");
    return 127;
}

int b_mapfile(Interp& in, Args args, Io& io) {
    char delim = '\n';
    long long limit = -1, origin = 0, skip = 0;
    bool keep_empty = false;
    std::string name = "MAPFILE";
    for (size_t k = 1; k < args.size(); ++k) {
        const std::string& a = args[k];
        auto num = [&](long long& dst) {
            if (k + 1 >= args.size()) return false;
            auto n = parse_number(args[++k]);
            if (!n || n->is_float || n->i < 0 || n->i > (__int128)1e12) return false;
            dst = (long long)n->i;
            return true;
        };
        if (a == "-d" && k + 1 < args.size()) delim = args[++k].empty() ? '\0' : args[k][0];
        else if (a == "-n") { if (!num(limit)) return 2; }
        else if (a == "-O") { if (!num(origin)) return 2; }
        else if (a == "-s") { if (!num(skip)) return 2; }
        else if (a == "--keep-empty") keep_empty = true;
        else if (a == "-u" && k + 1 < args.size()) {
            (void)args[++k];
            io.err->write("ion: mapfile: -u is not supported\n");
            return 2;
        } else name = a;
    }
    std::vector<std::string> items;
    if (Value* v = in.find_var(name); v && origin > 0) items = v->items();
    if ((long long)items.size() > origin) items.resize(size_t(origin));
    std::string line;
    long long n = 0;
    while (io.in->read_line(line, delim)) {
        if (skip > 0) {
            --skip;
            continue;
        }
        if (line.empty() && !keep_empty) continue;
        if (limit >= 0 && n >= limit) break;
        items.push_back(line);
        ++n;
        if (items.size() > in.opts.max_array_len) throw Fatal{"mapfile: array is too large"};
    }
    in.assign(name, Value::array(std::move(items)));
    return 0;
}

int b_suspend(Interp& in, Args, Io&) {
    (void)in.os.kill(in.os.pid(), SIGSTOP);
    return 0;
}

}  // namespace

void register_dir_builtins(Interp& in) {
    add_builtin(in, "cd", b_cd, "change the directory (- for the previous one; searches @CDPATH)");
    add_builtin(in, "dirs", b_dirs, "show the directory stack [-c -p -v]");
    add_builtin(in, "pushd", b_pushd, "push a directory onto the stack and change to it");
    add_builtin(in, "popd", b_popd, "pop a directory from the stack and change to it");
    add_builtin(in, "dir_depth", b_dir_depth, "limit the size of the directory stack");
    add_builtin(in, "exec", b_exec, "replace the shell with a program [-c: empty environment]");
    add_builtin(in, "mapfile", b_mapfile, "read lines from stdin into an array");
    add_builtin(in, "suspend", b_suspend, "stop the shell (SIGSTOP)");
}

}  // namespace ion
