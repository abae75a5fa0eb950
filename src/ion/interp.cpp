// Statements, scopes and functions.
#include "ion/interp.h"
#include "ion/expand_impl.h"

#include "ion/lexer.h"
#include "ion/number.h"
#include "ion/parser.h"
#include "ion/text.h"

#include <pthread.h>

#include <chrono>
#include <cstring>
#include <regex>

namespace ion {

namespace {

// Pushes a scope for a block and pops it on every exit path.
struct ScopeGuard {
    Interp& in;
    Scope scope;
    explicit ScopeGuard(Interp& i, bool ns = false) : in(i) {
        scope.ns = ns;
        in.chain.push_back(&scope);
    }
    ~ScopeGuard() { in.chain.pop_back(); }
};

std::string default_prompt(bool root) {
    return std::string("${x::1B}]0;${USER}: ${PWD}${x::07}${c::0x55,bold}${USER}${c::default}:${c::0x4B}${SWD}"
                       "${c::default}") +
           (root ? "#" : "$") + " ${c::reset}";
}

// True when the current thread has less than `margin` bytes of stack left:
// deep recursion then fails as a script error instead of crashing the shell.
bool stack_nearly_full(size_t margin) {
    static thread_local char* low = nullptr;
    if (!low) {
        pthread_attr_t attr;
        void* addr = nullptr;
        size_t size = 0;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            pthread_attr_getstack(&attr, &addr, &size);
            pthread_attr_destroy(&attr);
        }
        low = static_cast<char*>(addr);
        if (!low) return false;
    }
    char* here = static_cast<char*>(__builtin_frame_address(0));
    return here < low + margin;
}

constexpr size_t kStackMargin = 1 << 20;

}  // namespace

Interp::Interp(Shell& sh, Os& o, ShellOptions op)
    : shell(sh), os(o), opts(op), std_out(o, 1), std_err(o, 2), std_in(Input::from_fd(o, 0)),
      io{&std_in, &std_out, &std_err} {
    chain.push_back(&global);
    auto& v = global.vars;
    v["UID"] = Value::string(std::to_string(os.uid()));
    v["EUID"] = Value::string(std::to_string(os.euid()));
    v["PID"] = Value::string(std::to_string(os.pid()));
    v["HOST"] = Value::string(os.hostname());
    v["PROMPT"] = Value::string(default_prompt(os.euid() == 0));
    v["CDPATH"] = Value::array({});
    v["HISTFILE_ENABLED"] = Value::string("1");
    v["HISTORY_SIZE"] = Value::string("1000");
    register_builtins(*this);
}

void Interp::report(const std::string& msg) { std_err.write("ion: " + msg + "\n"); }

void Interp::check_interrupt() {
    if (interrupted) {
        interrupted = 0;
        throw Fatal{"interrupted"};
    }
}

std::shared_ptr<const Block> Interp::parse_cached(const std::string& src) {
    auto it = parse_cache.find(src);
    if (it != parse_cache.end()) return it->second;
    auto block = std::make_shared<Block>();
    SyntaxError e;
    if (!parse_script(src, *block, e))
        throw Fatal{"syntax error: " + std::to_string(e.line) + ":" + std::to_string(e.col) + ": " + e.message};
    if (parse_cache.size() > 4096) parse_cache.clear();
    parse_cache.emplace(src, block);
    return block;
}

int Interp::run_source(std::string_view src, std::string_view name) {
    auto block = std::make_shared<Block>();
    SyntaxError e;
    if (!parse_script(src, *block, e)) {
        report("syntax error: " + std::string(name) + ":" + std::to_string(e.line) + ":" + std::to_string(e.col) +
               ": " + e.message);
        return status = 1;
    }
    if (opts.no_exec) return 0;
    try {
        run_block(*block);
    } catch (const Fatal& f) {
        report(f.msg);
        status = f.msg == "interrupted" ? 130 : 1;
        if (!opts.interactive) {
            exit_called = true;
            exit_code = status;
        }
        flow = Flow::Normal;
        return status;
    }
    if (flow == Flow::Exit) return exit_code;
    flow = Flow::Normal;
    return status;
}

void Interp::run_block(const Block& b) {
    for (const Stmt& s : b) {
        run_stmt(s);
        if (flow != Flow::Normal) return;
    }
}

void Interp::run_stmt(const Stmt& s) {
    switch (s.kind) {
        case Stmt::Run: {
            int st = run_chain(s.chain);
            if (opts.err_exit && st != 0 && flow == Flow::Normal)
                throw Fatal{"pipeline execution error: early exit: pipeline failed with error code " + std::to_string(st)};
            return;
        }
        case Stmt::Time: {
            auto t0 = std::chrono::steady_clock::now();
            run_chain(s.chain);
            double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            char buf[64];
            std::snprintf(buf, sizeof buf, "real    %.6fs\n", secs);
            io.err->write(buf);
            return;
        }
        case Stmt::Let: run_let(s); return;
        case Stmt::Export: run_export(s.words); return;
        case Stmt::If: {
            for (size_t k = 0; k < s.conds.size(); ++k) {
                int st = run_chain(s.conds[k]);
                if (flow != Flow::Normal) return;
                if (st == 0) {
                    ScopeGuard g(*this);
                    run_block(s.blocks[k]);
                    return;
                }
            }
            if (s.blocks.size() > s.conds.size()) {
                ScopeGuard g(*this);
                run_block(s.blocks.back());
            }
            return;
        }
        case Stmt::While: {
            ScopeGuard g(*this);
            for (;;) {
                check_interrupt();
                int st = run_chain(s.conds[0]);
                if (flow != Flow::Normal || st != 0) break;
                run_block(s.blocks[0]);
                if (flow == Flow::Break) {
                    flow = Flow::Normal;
                    break;
                }
                if (flow == Flow::Continue) flow = Flow::Normal;
                if (flow != Flow::Normal) return;
            }
            return;
        }
        case Stmt::For: {
            std::vector<std::string> items = expand_args(s.items);
            if (items.size() == 1) {
                if (auto r = parse_range(items[0], opts.max_array_len)) items = std::move(*r);
            }
            ScopeGuard g(*this);
            size_t n = s.words.size();
            for (size_t k = 0; k < items.size(); k += n) {
                check_interrupt();
                for (size_t j = 0; j < n; ++j) {
                    std::string v = k + j < items.size() ? items[k + j] : "";
                    if (s.words[j] != "_") g.scope.vars[s.words[j]] = Value::string(std::move(v));
                }
                run_block(s.blocks[0]);
                if (flow == Flow::Break) {
                    flow = Flow::Normal;
                    break;
                }
                if (flow == Flow::Continue) flow = Flow::Normal;
                if (flow != Flow::Normal) return;
            }
            return;
        }
        case Stmt::Match: {
            Expanded value;
            if (s.words.size() == 1 && is_identifier(s.words[0]) && find_var(s.words[0])) {
                value = Expanded{find_var(s.words[0])->items(), true};
            } else {
                for (auto& w : s.words) {
                    Expanded e = expand(w);
                    for (auto& i : e.items) value.items.push_back(std::move(i));
                }
            }
            for (auto& c : s.cases) {
                bool hit = c.patterns.empty();
                for (size_t p = 0; p < c.patterns.size() && !hit; ++p) {
                    Expanded pe = expand(c.patterns[p]);
                    for (auto& pat : pe.items) {
                        for (auto& v : value.items) {
                            if (v == pat) hit = true;
                        }
                        if (hit || pe.array) continue;
                        // A string case is also tried as a regex matching the whole value.
                        try {
                            std::regex re(pat, std::regex::ECMAScript);
                            for (auto& v : value.items) hit |= std::regex_match(v, re);
                        } catch (const std::regex_error&) {
                        }
                    }
                }
                if (hit && c.has_guard) hit = run_chain(c.guard) == 0;
                if (hit) {
                    ScopeGuard g(*this);
                    run_block(c.body);
                    return;
                }
            }
            return;
        }
        case Stmt::Fn: define_fn(s.fn); return;
        case Stmt::Break: flow = Flow::Break; return;
        case Stmt::Continue: flow = Flow::Continue; return;
        case Stmt::Return: {
            if (!s.words.empty()) {
                std::string v = expand_string(s.words[0]);
                auto n = parse_number(v);
                status = n && !n->is_float ? int(n->i & 0xFF) : 1;
            }
            flow = Flow::Return;
            return;
        }
    }
}

// ---------------------------------------------------------------- variables

Value* Interp::find_var(const std::string& name, Scope** where) {
    if (name.size() > 2 && name.find("::") != std::string::npos) {
        if (name.starts_with("global::")) {
            auto it = global.vars.find(name.substr(8));
            if (where) *where = &global;
            return it == global.vars.end() ? nullptr : &it->second;
        }
        std::string n = name;
        int up = 0;
        while (n.starts_with("super::")) {
            n = n.substr(7);
            ++up;
        }
        if (up == 0) return nullptr;
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            Scope* sc = *it;
            if (up == 0) {
                auto v = sc->vars.find(n);
                if (v != sc->vars.end()) {
                    if (where) *where = sc;
                    return &v->second;
                }
                if (sc->ns) break;
            } else if (sc->ns) {
                --up;
            }
        }
        return nullptr;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        auto v = (*it)->vars.find(name);
        if (v != (*it)->vars.end()) {
            if (where) *where = *it;
            return &v->second;
        }
    }
    return nullptr;
}

Value* Interp::find_var_for_write(const std::string& name) {
    Scope* sc = nullptr;
    Value* v = find_var(name, &sc);
    if (v && journal) {
        std::string key = name;
        if (key.starts_with("global::")) key = key.substr(8);
        while (key.starts_with("super::")) key = key.substr(7);
        note_var_change(sc, key);
    }
    return v;
}

void Interp::note_var_change(Scope* sc, const std::string& name) {
    if (!journal) return;
    bool outer = false;
    for (Scope* o : journal->outer) outer |= o == sc;
    if (!outer || !journal->vars_seen.emplace(sc, name).second) return;
    auto it = sc->vars.find(name);
    journal->vars.emplace_back(sc, name, it == sc->vars.end() ? std::nullopt : std::optional<Value>(it->second));
}

void Interp::note_env_change(const std::string& name) {
    if (!journal || !journal->env_seen.insert(name).second) return;
    const char* old = os.getenv(name);
    journal->env.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
}

void Interp::note_cwd_change() {
    if (!journal || journal->cwd) return;
    auto cwd = os.getcwd();
    if (cwd) journal->cwd = *cwd;
}

void Interp::note_args_change() {
    if (!journal || journal->args) return;
    journal->args = args;
    note_var_change(&global, "args");
}

std::string Interp::string_var(const std::string& name) {
    if (Value* v = find_var(name)) return v->kind == Value::Str ? v->str : v->joined();
    if (const char* e = os.getenv(name)) return e;
    if (name == "PWD" || name == "SWD" || name == "MWD") {
        auto cwd = os.getcwd();
        std::string p = cwd ? *cwd : "";
        if (name == "PWD") return p;
        const char* home = os.getenv("HOME");
        if (home && *home && p.starts_with(home)) p = "~" + p.substr(std::strlen(home));
        return p;
    }
    throw Fatal{"expansion error: Variable \"" + name + "\" does not exist"};
}

void Interp::assign(const std::string& name, Value v) {
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        auto f = (*it)->vars.find(name);
        if (f != (*it)->vars.end()) {
            if (journal) note_var_change(*it, name);
            f->second = std::move(v);
            return;
        }
        if ((*it)->ns) break;
    }
    if (journal) note_var_change(chain.back(), name);
    chain.back()->vars[name] = std::move(v);
}

bool Interp::drop_var(const std::string& name) {
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (journal && (*it)->vars.count(name)) note_var_change(*it, name);
        if ((*it)->vars.erase(name)) return true;
        if ((*it)->ns) break;
    }
    return false;
}

const FnDef* Interp::find_fn(const std::string& name, size_t* scope_index) {
    for (size_t k = chain.size(); k-- > 0;) {
        auto f = chain[k]->fns.find(name);
        if (f != chain[k]->fns.end()) {
            if (scope_index) *scope_index = k;
            return f->second.get();
        }
    }
    return nullptr;
}

void Interp::define_fn(std::shared_ptr<const FnDef> fn) { chain.back()->fns[fn->name] = std::move(fn); }

// ---------------------------------------------------------------- functions

int Interp::call_function(const FnDef& fn, size_t scope_index, const Command& cmd, std::vector<Expanded>& args) {
    if (call_depth >= opts.max_call_depth || stack_nearly_full(kStackMargin))
        throw Fatal{"function error: maximum recursion depth (" + std::to_string(opts.max_call_depth) + ") exceeded in '" + fn.name + "'"};
    // Keep the definition alive even if the body redefines the function.
    std::shared_ptr<const FnDef> keep = chain[scope_index]->fns[fn.name];
    Scope local;
    local.ns = true;
    // Bind parameters: one per source word; a word that expanded to an array
    // binds whole to an array-typed parameter, otherwise its items spread.
    std::vector<std::pair<Value, std::string>> values;  // value, source text
    for (size_t w = 1; w < args.size(); ++w) {
        size_t pi = values.size();
        bool want_array = pi < fn.params.size() && fn.params[pi].find(":[") != std::string::npos;
        const std::string& src = w < cmd.words.size() ? cmd.words[w] : args[w].items.empty() ? "" : args[w].items[0];
        if (want_array) {
            values.emplace_back(Value::array(args[w].items), src);
        } else {
            for (auto& it : args[w].items) values.emplace_back(Value::string(it), src);
        }
    }
    for (size_t k = 0; k < fn.params.size(); ++k) {
        const std::string& p = fn.params[k];
        size_t colon = p.find(':');
        std::string pname = p.substr(0, colon);
        std::string type = colon == std::string::npos ? "" : p.substr(colon + 1);
        Value v = k < values.size() ? values[k].first : Value::string("");
        std::string src = k < values.size() ? values[k].second : "";
        auto bad = [&](const std::string& want) {
            throw Fatal{"function error: argument has invalid type: expected " + want + ", found value '" + src + "'"};
        };
        if (type == "int") {
            auto n = parse_number(v.str);
            if (!n || n->is_float) bad("int");
        } else if (type == "float") {
            if (!parse_number(v.str)) bad("float");
        } else if (type == "bool") {
            if (v.str == "true" || v.str == "1" || v.str == "y") v.str = "true";
            else if (v.str == "false" || v.str == "0" || v.str == "n") v.str = "false";
            else bad("bool");
        } else if (type.starts_with("[") && v.kind == Value::Str) {
            v = Value::array(v.str.empty() ? std::vector<std::string>{} : std::vector<std::string>{v.str});
        }
        local.vars[pname] = std::move(v);
    }
    std::vector<Scope*> saved = chain;
    chain.resize(scope_index + 1);
    chain.push_back(&local);
    ++call_depth;
    struct Restore {
        Interp& in;
        std::vector<Scope*>& saved;
        ~Restore() {
            in.chain = std::move(saved);
            --in.call_depth;
        }
    } restore{*this, saved};
    status = 0;
    run_block(keep->body);
    if (flow == Flow::Return) flow = Flow::Normal;
    if (flow == Flow::Break || flow == Flow::Continue) flow = Flow::Normal;
    return status;
}

namespace {

// Undoes what a `$(..)` changed outside itself, newest change first.
struct JournalGuard {
    Interp& in;
    CaptureJournal j;
    CaptureJournal* outer;
    explicit JournalGuard(Interp& i) : in(i), outer(i.journal) {
        j.outer = in.chain;
        j.dir_stack = in.dir_stack;
        j.aliases = in.aliases;
        in.journal = &j;
    }
    ~JournalGuard() {
        in.journal = outer;
        for (auto it = j.vars.rbegin(); it != j.vars.rend(); ++it) {
            auto& [scope, name, old] = *it;
            if (old) scope->vars[name] = std::move(*old);
            else scope->vars.erase(name);
        }
        for (auto it = j.env.rbegin(); it != j.env.rend(); ++it) {
            if (it->second) in.os.setenv(it->first, *it->second);
            else in.os.unsetenv(it->first);
        }
        if (j.cwd) (void)in.os.chdir(*j.cwd);
        if (j.args) in.args = std::move(*j.args);
        in.dir_stack = std::move(j.dir_stack);
        in.aliases = std::move(j.aliases);
    }
};

}  // namespace

std::string Interp::capture(const std::string& src) {
    if (stack_nearly_full(kStackMargin)) throw Fatal{"expansion error: command substitutions nested too deeply"};
    auto block = parse_cached(src);
    StringOutput out;
    Io saved = io;
    io.out = &out;
    Flow saved_flow = flow;
    size_t depth = chain.size();
    try {
        JournalGuard journal_guard(*this);
        ScopeGuard g(*this);
        run_block(*block);
    } catch (const Fatal& f) {
        io = saved;
        chain.resize(depth);
        if (f.msg == "interrupted") throw;
        throw Fatal{"expansion error: Could not expand subprocess: " + f.msg};
    }
    io = saved;
    if (flow == Flow::Exit) exit_called = false;
    flow = saved_flow;
    return std::move(out.data());
}

}  // namespace ion
