// Predicates: test, exists, matches, contains, starts-with, ends-with, eq,
// is, bool, isatty.
#include "ion/builtins.h"
#include "ion/host_os.h"
#include "ion/number.h"

namespace ion {

bool regex_search_text(const std::string& text, const std::string& pattern, bool& ok);

namespace {

bool file_test(Interp& in, const std::string& op, const std::string& path) {
    FileStat st = in.os.stat(path, op != "-h" && op != "-L");
    char t = op[1];
    switch (t) {
        case 'e': return st.exists;
        case 'f': return st.is_file;
        case 'd': return st.is_dir;
        case 'h': case 'L': return in.os.stat(path, false).is_symlink;
        case 'r': return st.readable;
        case 'w': return st.writable;
        case 'x': return st.executable;
        case 's': return st.exists && st.size > 0;
        case 'b': return st.exists && (st.mode & 0170000) == 0060000;
        case 'c': return st.exists && (st.mode & 0170000) == 0020000;
        case 'S': return st.exists && (st.mode & 0170000) == 0140000;
        case 'p': return st.exists && (st.mode & 0170000) == 0010000;
        default: return false;
    }
}

bool is_unary(std::string_view op) {
    return op.size() == 2 && op[0] == '-' && std::string_view("nzefdhLrwxsbcSp").find(op[1]) != std::string_view::npos;
}

bool is_binary(std::string_view op) {
    if (op == "=" || op == "==" || op == "!=") return true;
    if (op.size() != 3 || op[0] != '-') return false;
    static constexpr std::string_view ops[] = {"-eq", "-ne", "-gt", "-ge", "-lt", "-le", "-ef", "-nt", "-ot"};
    for (auto o : ops)
        if (op == o) return true;
    return false;
}

// Returns 0/1, or 2 with `err` set on a malformed expression.
int eval_test(Interp& in, Args a, std::string& err) {
    bool neg = false;
    while (!a.empty() && a[0] == "!" && a.size() > 1) {
        neg = !neg;
        a = a.subspan(1);
    }
    auto ret = [&](bool b) { return (b != neg) ? 0 : 1; };
    if (a.empty()) return ret(false);
    if (a.size() == 1) return ret(!a[0].empty());
    if (a.size() == 2) {
        if (a[0] == "-n") return ret(!a[1].empty());
        if (a[0] == "-z") return ret(a[1].empty());
        if (is_unary(a[0])) return ret(file_test(in, a[0], a[1]));
        err = "unknown condition '" + a[0] + "'";
        return 2;
    }
    if (a.size() == 3 && is_binary(a[1])) {
        const std::string &l = a[0], &op = a[1], &r = a[2];
        if (op == "=" || op == "==") return ret(l == r);
        if (op == "!=") return ret(l != r);
        if (op == "-ef" || op == "-nt" || op == "-ot") {
            FileStat x = in.os.stat(l), y = in.os.stat(r);
            if (op == "-ef") return ret(x.exists && y.exists && x.dev == y.dev && x.ino == y.ino);
            if (op == "-nt") return ret(x.exists && (!y.exists || x.mtime_ns > y.mtime_ns));
            return ret(y.exists && (!x.exists || x.mtime_ns < y.mtime_ns));
        }
        auto x = parse_number(l), y = parse_number(r);
        if (!x || !y) {
            err = "integer expression expected: '" + (x ? r : l) + "'";
            return 2;
        }
        double dx = x->as_double(), dy = y->as_double();
        bool ints = !x->is_float && !y->is_float;
        int cmp = ints ? (x->i < y->i ? -1 : x->i > y->i ? 1 : 0) : (dx < dy ? -1 : dx > dy ? 1 : 0);
        if (op == "-eq") return ret(cmp == 0);
        if (op == "-ne") return ret(cmp != 0);
        if (op == "-gt") return ret(cmp > 0);
        if (op == "-ge") return ret(cmp >= 0);
        if (op == "-lt") return ret(cmp < 0);
        return ret(cmp <= 0);
    }
    err = "too many arguments";
    return 2;
}

int b_test(Interp& in, Args args, Io& io) {
    if (help_requested(in, args, io)) return 0;
    std::string err;
    int r = eval_test(in, args.subspan(1), err);
    if (r == 2) {
        io.err->write("ion: test: " + err + "\n");
        return 2;
    }
    return r;
}

int b_exists(Interp& in, Args args, Io& io) {
    if (args.size() >= 2 && (args[1] == "-h" || args[1] == "--help")) {
        help_requested(in, args, io);
        return 0;
    }
    if (args.size() < 2) return 1;
    const std::string& a = args[1];
    auto arg = [&]() -> const std::string* { return args.size() > 2 ? &args[2] : nullptr; };
    if (a == "-a") {
        auto n = arg();
        if (!n) return 1;
        Value* v = in.find_var(*n);
        return v && v->kind == Value::Array && !v->arr.empty() ? 0 : 1;
    }
    if (a == "-b") {
        auto n = arg();
        if (!n) return 1;
        Value* pv = in.find_var("PATH");
        std::string path = pv ? pv->joined() : (in.os.getenv("PATH") ? in.os.getenv("PATH") : "");
        return resolve_in_path(in.os, *n, path).empty() ? 1 : 0;
    }
    if (a == "-d" || a == "-f") {
        auto n = arg();
        if (!n) return 1;
        FileStat st = in.os.stat(*n);
        return (a == "-d" ? st.is_dir : st.is_file) ? 0 : 1;
    }
    if (a == "--fn") {
        auto n = arg();
        return n && in.find_fn(*n) ? 0 : 1;
    }
    if (a == "-s") {
        auto n = arg();
        if (!n) return 1;
        Value* v = in.find_var(*n);
        return v && v->kind == Value::Str && !v->str.empty() ? 0 : 1;
    }
    return a.empty() ? 1 : 0;
}

int b_matches(Interp& in, Args args, Io& io) {
    if (help_requested(in, args, io)) return 0;
    if (args.size() != 3) {
        io.err->write("ion: matches: expected a string and a regex\n");
        return 2;
    }
    bool ok;
    bool hit = regex_search_text(args[1], args[2], ok);
    if (!ok) {
        io.err->write("ion: matches: invalid regex '" + args[2] + "'\n");
        return 2;
    }
    return hit ? 0 : 1;
}

int b_strpred(Interp& in, Args args, Io& io) {
    if (help_requested(in, args, io)) return 0;
    if (args.size() < 3) {
        io.err->write("ion: " + args[0] + ": needs a string and at least one pattern\n");
        return 2;
    }
    const std::string& s = args[1];
    for (size_t k = 2; k < args.size(); ++k) {
        const std::string& p = args[k];
        if (args[0] == "contains" && s.find(p) != std::string::npos) return 0;
        if (args[0] == "starts-with" && s.starts_with(p)) return 0;
        if (args[0] == "ends-with" && s.ends_with(p)) return 0;
    }
    return 1;
}

std::string deref(Interp& in, const std::string& s) {
    if (s.size() > 1 && s[0] == '$') {
        if (Value* v = in.find_var(s.substr(1))) return v->joined();
    }
    return s;
}

int b_eq(Interp& in, Args args, Io& io) {
    size_t k = 1;
    bool neg = false;
    if (args[0] == "is" && args.size() == 4 && args[1] == "not") {
        neg = true;
        k = 2;
    }
    if (args.size() - k != 2) {
        io.err->write("ion: " + args[0] + ": expected two arguments\n");
        return 2;
    }
    bool eq = deref(in, args[k]) == deref(in, args[k + 1]);
    return eq != neg ? 0 : 1;
}

int b_bool(Interp& in, Args args, Io& io) {
    if (args.size() != 2) {
        io.err->write("ion: bool: expected one argument\n");
        return 2;
    }
    std::string v = args[1];
    if (Value* var = in.find_var(v)) v = var->joined();
    else if (v.size() > 1 && v[0] == '$') v = deref(in, v);
    return v == "1" || v == "true" ? 0 : 1;
}

int b_isatty(Interp& in, Args args, Io&) {
    int fd = 0;
    if (args.size() > 1) {
        auto n = parse_number(args[1]);
        if (!n || n->is_float || n->i < 0 || n->i > 1024) return 1;
        fd = int(n->i);
    }
    return in.os.isatty(fd) ? 0 : 1;
}

}  // namespace

void register_test_builtins(Interp& in) {
    add_builtin(in, "test", b_test, "evaluate a conditional expression (POSIX test)");
    add_builtin(in, "exists", b_exists,
                "check whether items exist: -a ARRAY, -b BINARY, -d DIR, -f FILE, --fn FUNCTION, -s VAR, STRING");
    add_builtin(in, "matches", b_matches, "check whether a string matches a regex");
    add_builtin(in, "contains", b_strpred, "check whether a string contains any of the patterns");
    add_builtin(in, "starts-with", b_strpred, "check whether a string starts with any of the patterns");
    add_builtin(in, "ends-with", b_strpred, "check whether a string ends with any of the patterns");
    add_builtin(in, "eq", b_eq, "check whether two strings are equal");
    add_builtin(in, "is", b_eq, "check whether two strings are equal (is not: differ)");
    add_builtin(in, "bool", b_bool, "check whether a value is 1 or true");
    add_builtin(in, "isatty", b_isatty, "check whether an fd is a terminal");
}

}  // namespace ion
