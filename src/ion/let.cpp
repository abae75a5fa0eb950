// `let` and `export`: typed assignment, index assignment, maps, and the
// arithmetic / string / array assignment operators.
#include "ion/interp.h"
#include "ion/lexer.h"
#include "ion/number.h"
#include "ion/text.h"

#include <algorithm>

namespace ion {

namespace {

constexpr std::string_view kOps[] = {"//=", "**=", "++=", "::=", "\\\\=", "+=", "-=", "*=", "/=", "?=", "="};

// Position of the first '=' outside quotes and brackets, or npos.
size_t top_level_eq(std::string_view w) {
    int depth = 0;
    char q = 0;
    for (size_t i = 0; i < w.size(); ++i) {
        char c = w[i];
        if (q) {
            if (c == '\\' && q == '"') ++i;
            else if (c == q) q = 0;
            continue;
        }
        if (c == '\'' || c == '"') q = c;
        else if (c == '[' || c == '(' || c == '{') ++depth;
        else if ((c == ']' || c == ')' || c == '}') && depth > 0) --depth;
        else if (c == '=' && depth == 0) return i;
    }
    return std::string_view::npos;
}

struct Target {
    std::string name, index, type;  // index: the source text between [ and ], if any
    bool has_index = false;
};

bool parse_target(const std::string& w, Target& t) {
    std::string s = w;
    size_t colon = std::string::npos;
    // name[idx]:type, name:type, name[]
    size_t br = s.find('[');
    size_t c0 = s.find(':');
    if (br != std::string::npos && (c0 == std::string::npos || br < c0)) {
        size_t close = match_bracket(s, br);
        if (close == std::string::npos) return false;
        std::string inner = s.substr(br + 1, close - br - 1);
        t.name = s.substr(0, br);
        if (inner.empty() && close + 1 == s.size()) {
            t.type = "[str]";
        } else {
            t.index = inner;
            t.has_index = true;
        }
        if (close + 1 < s.size()) {
            if (s[close + 1] != ':') return false;
            colon = close + 1;
            t.type = s.substr(colon + 1);
        }
        return true;
    }
    if (c0 != std::string::npos) {
        t.name = s.substr(0, c0);
        t.type = s.substr(c0 + 1);
    } else {
        t.name = s;
    }
    return true;
}

struct LetPlan {
    std::vector<Target> targets;
    std::vector<std::string> rhs;
    std::string op;
    std::string error;  // reported each time the statement runs
};

LetPlan make_plan(const std::vector<std::string>& words) {
    LetPlan plan;
    std::vector<std::string> lhs;
    std::string& op = plan.op;
    std::vector<std::string>& rhs = plan.rhs;
    for (size_t k = 0; k < words.size() && op.empty(); ++k) {
        const std::string& w = words[k];
        for (auto o : kOps) {
            if (w == o) {
                op = o;
                break;
            }
        }
        if (!op.empty()) {
            rhs.assign(words.begin() + long(k) + 1, words.end());
            break;
        }
        size_t eq = top_level_eq(w);
        if (eq == std::string::npos) {
            lhs.push_back(w);
            continue;
        }
        size_t start = eq;
        for (auto o : kOps) {
            size_t n = o.size() - 1;
            if (eq >= n && std::string_view(w).substr(eq - n, n + 1) == o) {
                start = eq - n;
                op = o;
                break;
            }
        }
        if (start > 0) lhs.push_back(w.substr(0, start));
        if (eq + 1 < w.size()) rhs.push_back(w.substr(eq + 1));
        rhs.insert(rhs.end(), words.begin() + long(k) + 1, words.end());
    }
    if (op.empty() || lhs.empty()) {
        plan.error = "assignment error: expected an assignment: let " + join(words, " ");
        return plan;
    }
    if (op == "\\\\=") op = "\\=";
    for (auto& w : lhs) {
        Target t;
        if (!parse_target(w, t) || !is_identifier(t.name)) {
            plan.error = "assignment error: invalid variable name: only alphanumerical characters and underscores are supported";
            return plan;
        }
        plan.targets.push_back(std::move(t));
    }
    return plan;
}

}  // namespace

void Interp::run_let(const Stmt& stmt) {
    const std::vector<std::string>& words = stmt.words;
    if (words.empty()) {
        for (auto& [k, v] : global.vars) io.out->write(k + " = " + v.joined() + "\n");
        status = 0;
        return;
    }
    if (!stmt.plan) stmt.plan = std::make_shared<const LetPlan>(make_plan(words));
    const LetPlan& plan = *static_cast<const LetPlan*>(stmt.plan.get());
    if (!plan.error.empty()) {
        report(plan.error);
        status = 1;
        return;
    }
    const std::string& op = plan.op;
    const std::vector<std::string>& rhs = plan.rhs;
    const std::vector<Target>& targets = plan.targets;

    // Expand the whole right side before assigning anything.
    struct Rv {
        Value v;
        std::string raw;
    };
    std::vector<Rv> values;
    bool map_type = targets.size() == 1 && (targets[0].type.starts_with("hmap[") || targets[0].type.starts_with("bmap["));
    if (map_type && rhs.size() == 1 && rhs[0].starts_with("[") && rhs[0].ends_with("]")) {
        Value m;
        m.kind = targets[0].type.starts_with("hmap") ? Value::HMap : Value::BMap;
        for (auto& kv : split_words(std::string_view(rhs[0]).substr(1, rhs[0].size() - 2))) {
            size_t eq = top_level_eq(kv);
            if (eq == std::string::npos) {
                report("assignment error: " + targets[0].name + ": expected key=value, found '" + kv + "'");
                status = 1;
                return;
            }
            std::string key = expand_string(kv.substr(0, eq));
            std::string vw = kv.substr(eq + 1);
            Expanded e = expand(vw);
            m.map[key] = vw.starts_with("[") ? Value::array(e.items) : Value::string(join(e.items, " "));
        }
        values.push_back({std::move(m), rhs[0]});
    } else if (targets.size() == 1) {
        if (rhs.size() == 1 && rhs[0].starts_with("[")) {
            Expanded e = expand(rhs[0]);
            values.push_back({e.array ? Value::array(std::move(e.items)) : Value::string(join(e.items, " ")), rhs[0]});
        } else {
            std::vector<std::string> all = expand_args(rhs);
            values.push_back({Value::string(join(all, " ")), join(rhs, " ")});
        }
    } else {
        for (auto& w : rhs) {
            Expanded e = expand(w);
            if (w.starts_with("[") && e.array) values.push_back({Value::array(std::move(e.items)), w});
            else values.push_back({Value::string(join(e.items, " ")), w});
        }
    }

    status = 0;
    for (size_t k = 0; k < targets.size(); ++k) {
        const Target& t = targets[k];
        if (k >= values.size()) {
            report("assignment error: " + t.name + ": no value given");
            status = 1;
            return;
        }
        Value v = std::move(values[k].v);
        // Type checks and normalisation.
        auto fail = [&](const std::string& what) {
            report("assignment error: " + t.name + ": expected " + what);
            status = 1;
        };
        std::string elem = t.type;
        bool want_array = elem.starts_with("[") && elem.ends_with("]");
        if (want_array) elem = elem.substr(1, elem.size() - 2);
        auto check = [&](std::string& s) -> bool {
            if (elem == "bool") {
                if (s == "true" || s == "1" || s == "y") s = "true";
                else if (s == "false" || s == "0" || s == "n") s = "false";
                else return false;
            } else if (elem == "int") {
                auto n = parse_number(s);
                if (!n || n->is_float) return false;
            } else if (elem == "float") {
                auto n = parse_number(s);
                if (!n) return false;
            }
            return true;
        };
        if (!t.type.empty() && !map_type) {
            bool ok = true;
            if (want_array) {
                if (v.kind == Value::Str) v = Value::array(v.str.empty() ? std::vector<std::string>{} : std::vector<std::string>{v.str});
                for (auto& s : v.arr) ok &= check(s);
            } else if (v.kind == Value::Str) {
                ok = check(v.str);
            } else {
                ok = false;
            }
            if (!ok) {
                fail(t.type);
                continue;
            }
        }
        if (t.has_index) {
            Value* cur = find_var_for_write(t.name);
            if (!cur) {
                report("assignment error: " + t.name + ": variable does not exist");
                status = 1;
                continue;
            }
            std::string idx = expand_string(t.index);
            if (cur->is_map()) {
                cur->map[idx] = std::move(v);
            } else if (cur->kind == Value::Array) {
                auto n = parse_number(idx);
                long long len = (long long)cur->arr.size();
                long long i = n && !n->is_float ? (long long)std::clamp<__int128>(n->i, -(__int128)1e12, (__int128)1e12) : len;
                if (i < 0) i += len;
                if (i < 0 || i >= len) {
                    report("assignment error: " + t.name + ": index " + idx + " out of range");
                    status = 1;
                    continue;
                }
                cur->arr[size_t(i)] = v.joined();
            } else {
                report("assignment error: " + t.name + ": not an array or map");
                status = 1;
            }
            continue;
        }
        if (op == "=") {
            assign(t.name, std::move(v));
            continue;
        }
        if (op == "?=") {
            if (!find_var(t.name)) assign(t.name, std::move(v));
            continue;
        }
        Value* cur = find_var_for_write(t.name);
        if (op == "++=" || op == "::=" || op == "\\=") {
            if (!cur) {
                assign(t.name, std::move(v));
                continue;
            }
            if (cur->kind == Value::Array) {
                std::vector<std::string> add = v.items();
                if (op == "++=") cur->arr.insert(cur->arr.end(), add.begin(), add.end());
                else if (op == "::=") cur->arr.insert(cur->arr.begin(), add.begin(), add.end());
                else std::erase_if(cur->arr, [&](const std::string& e) { return std::find(add.begin(), add.end(), e) != add.end(); });
                if (cur->arr.size() > opts.max_array_len) throw Fatal{"assignment error: " + t.name + ": array is too large"};
            } else if (cur->kind == Value::Str) {
                if (op == "++=") cur->str += v.joined();
                else if (op == "::=") cur->str = v.joined() + cur->str;
                if (cur->str.size() > (size_t(1) << 30)) throw Fatal{"assignment error: " + t.name + ": string is too large"};
            }
            continue;
        }
        // Arithmetic operators.
        std::string a = cur ? cur->joined() : "0";
        auto x = parse_number(a);
        auto y = parse_number(v.joined());
        if (!x || !y) {
            report("assignment error: " + t.name + ": value is not a number");
            status = 1;
            continue;
        }
        auto r = apply_op(*x, *y, std::string_view(op).substr(0, op.size() - 1));
        if (!r) {
            report("assignment error: " + t.name + ": division by zero");
            status = 1;
            continue;
        }
        assign(t.name, Value::string(r->str()));
    }
}

void Interp::run_export(const std::vector<std::string>& words) {
    status = 0;
    if (words.empty()) {
        for (auto& e : os.environ()) io.out->write(e + "\n");
        return;
    }
    std::string name, value;
    if (words.size() >= 2 && words[1] == "=") {
        name = words[0];
        value = join(expand_args(std::vector<std::string>(words.begin() + 2, words.end())), " ");
    } else if (size_t eq = words[0].find('='); eq != std::string::npos) {
        name = words[0].substr(0, eq);
        std::vector<std::string> rest(words.begin() + 1, words.end());
        rest.insert(rest.begin(), words[0].substr(eq + 1));
        value = join(expand_args(rest), " ");
    } else {
        for (auto& w : words) {
            Value* v = find_var(w);
            if (!v) {
                report("export: " + w + ": variable does not exist");
                status = 1;
                continue;
            }
            note_env_change(w);
            os.setenv(w, v->joined());
        }
        return;
    }
    if (!is_identifier(name)) {
        report("assignment error: invalid variable name: only alphanumerical characters and underscores are supported");
        status = 1;
        return;
    }
    note_env_change(name);
    os.setenv(name, value);
    if (Value* v = find_var_for_write(name)) *v = Value::string(value);
}

}  // namespace ion
