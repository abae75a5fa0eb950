// String methods ($name(..)) and array methods (@name(..)).
#include "ion/expand_impl.h"
#include "ion/lexer.h"
#include "ion/number.h"
#include "ion/text.h"

#include <algorithm>
#include <cstring>
#include <regex>

namespace ion {

namespace {

[[noreturn]] void method_error(const std::string& msg) { throw Fatal{"expansion error: " + msg}; }

std::string replace_all(const std::string& s, const std::string& from, const std::string& to, long long limit) {
    if (from.empty()) return s;
    std::string out;
    size_t pos = 0;
    long long n = 0;
    while (limit < 0 || n < limit) {
        size_t hit = s.find(from, pos);
        if (hit == std::string::npos) break;
        out.append(s, pos, hit - pos);
        out += to;
        pos = hit + from.size();
        ++n;
    }
    out.append(s, pos);
    return out;
}

std::regex make_regex(std::string pattern) {
    // POSIX class names that ECMAScript regexes spell differently.
    for (auto [from, to] : {std::pair<const char*, const char*>{"[:word:]", "[:w:]"}}) {
        size_t p;
        while ((p = pattern.find(from)) != std::string::npos) pattern.replace(p, std::strlen(from), to);
    }
    try {
        return std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
        method_error("invalid regex '" + pattern + "'");
    }
}

long long to_count(const std::string& s, const char* method) {
    auto n = parse_number(s);
    if (!n || n->is_float || n->i < 0 || n->i > (__int128)1e12) method_error(std::string(method) + ": requires a valid number as an argument");
    return (long long)n->i;
}

std::string trim(std::string_view s, bool start, bool end) {
    size_t a = 0, b = s.size();
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
    if (start) while (a < b && ws(s[a])) ++a;
    if (end) while (b > a && ws(s[b - 1])) --b;
    return std::string(s.substr(a, b - a));
}

}  // namespace

bool regex_search_text(const std::string& text, const std::string& pattern, bool& ok) {
    try {
        ok = true;
        return std::regex_search(text, make_regex(pattern));
    } catch (const Fatal&) {
        ok = false;
        return false;
    }
}

Expanded WordExpander::method_input(const std::string& w, bool tolerate_missing) {
    if (is_identifier(w)) {
        if (Value* v = m_in.find_var(w)) return Expanded{v->items(), v->kind != Value::Str};
        if (const char* e = m_in.os.getenv(w)) return Expanded{{e}, false};
        if (tolerate_missing) return Expanded{{""}, false};
        return Expanded{{w}, false};
    }
    if (tolerate_missing) {
        try {
            return m_in.expand(w);
        } catch (const Fatal&) {
            return Expanded{{""}, false};
        }
    }
    return m_in.expand(w);
}

std::vector<std::string> WordExpander::method_args(const std::vector<std::string>& words, size_t from) {
    std::vector<std::string> out;
    for (size_t k = from; k < words.size(); ++k) out.push_back(unescape_arg(m_in.expand_string(words[k])));
    return out;
}

std::string WordExpander::string_method(const std::string& name, std::string_view inner) {
    std::vector<std::string> words = split_words(inner);
    if (words.empty()) method_error(name + ": requires an argument");
    Expanded in = method_input(words[0], name == "or");
    std::vector<std::string> a = method_args(words, 1);
    std::string s = in.items.size() == 1 ? in.items[0] : join(in.items, " ");
    auto need = [&](size_t n) {
        if (a.size() < n) method_error(name + ": requires " + std::to_string(n) + " argument(s)");
    };
    if (name == "len") return std::to_string(in.array ? in.items.size() : graphemes(s).size());
    if (name == "len_bytes") return std::to_string(s.size());
    if (name == "join") return join(in.items, a.empty() ? " " : a[0]);
    if (name == "find") {
        need(1);
        size_t p = s.find(a[0]);
        if (p == std::string::npos) return "-1";
        return std::to_string(graphemes(std::string_view(s).substr(0, p)).size());
    }
    if (name == "replace") {
        need(2);
        return replace_all(s, a[0], a[1], -1);
    }
    if (name == "replacen") {
        need(3);
        return replace_all(s, a[0], a[1], to_count(a[2], "replacen"));
    }
    if (name == "regex_replace") {
        need(2);
        return std::regex_replace(s, make_regex(a[0]), a[1]);
    }
    if (name == "repeat") {
        need(1);
        long long n = to_count(a[0], "repeat");
        if (double(n) * double(s.size()) > 1e8) method_error("repeat: result is too large");
        std::string out;
        for (long long k = 0; k < n; ++k) out += s;
        return out;
    }
    if (name == "reverse") {
        auto g = graphemes(s);
        std::string out;
        for (auto it = g.rbegin(); it != g.rend(); ++it) out += *it;
        return out;
    }
    if (name == "to_lowercase" || name == "to_uppercase") {
        bool up = name == "to_uppercase";
        for (char& c : s) c = char(up ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
        return s;
    }
    if (name == "trim") return trim(s, true, true);
    if (name == "trim_start") return trim(s, true, false);
    if (name == "trim_end") return trim(s, false, true);
    if (name == "basename" || name == "filename" || name == "extension" || name == "parent") {
        std::string p = s;
        while (p.size() > 1 && p.back() == '/') p.pop_back();
        size_t slash = p.rfind('/');
        std::string base = slash == std::string::npos ? p : p.substr(slash + 1);
        if (name == "basename") return base;
        if (name == "parent") return slash == std::string::npos ? "" : slash == 0 ? "/" : p.substr(0, slash);
        size_t dot = base.rfind('.');
        bool has_ext = dot != std::string::npos && dot > 0;
        if (name == "filename") return has_ext ? base.substr(0, dot) : base;
        return has_ext ? base.substr(dot + 1) : "";
    }
    if (name == "escape") return escape_c(s);
    if (name == "unescape") return unescape_c(s);
    if (name == "or") {
        if (!s.empty()) return s;
        return a.empty() ? "" : a[0];
    }
    method_error("invalid string method '" + name + "'");
}

std::vector<std::string> WordExpander::array_method(const std::string& name, std::string_view inner) {
    std::vector<std::string> words = split_words(inner);
    if (words.empty()) method_error(name + ": requires an argument");
    if (name == "keys" || name == "values") {
        Value* v = is_identifier(words[0]) ? m_in.find_var(words[0]) : nullptr;
        if (!v || !v->is_map()) method_error(name + ": requires a map variable");
        std::vector<std::string> out;
        for (auto& [k, val] : v->map) {
            if (name == "keys") out.push_back(k);
            else for (auto& x : val.items()) out.push_back(x);
        }
        return out;
    }
    Expanded in = method_input(words[0], false);
    std::string s = in.items.size() == 1 ? in.items[0] : join(in.items, " ");
    if (name == "split") {
        std::vector<std::string> a = method_args(words, 1);
        if (a.empty()) return split_whitespace(s);
        if (a[0].empty()) {
            std::vector<std::string> out;
            for (auto g : graphemes(s)) out.emplace_back(g);
            return out;
        }
        std::vector<std::string> out;
        size_t pos = 0;
        for (;;) {
            size_t hit = s.find(a[0], pos);
            if (hit == std::string::npos) break;
            out.push_back(s.substr(pos, hit - pos));
            pos = hit + a[0].size();
        }
        out.push_back(s.substr(pos));
        return out;
    }
    if (name == "split_at") {
        std::vector<std::string> a = method_args(words, 1);
        if (a.empty()) method_error("split_at: requires an argument");
        auto n = parse_number(a[0]);
        if (!n || n->is_float || n->i < 0) method_error("split_at: requires a valid number as an argument");
        auto g = graphemes(s);
        if (n->i > (__int128)g.size()) method_error("split_at: value is out of bounds");
        std::string l, r;
        for (size_t k = 0; k < g.size(); ++k) ((__int128)k < n->i ? l : r) += g[k];
        return {l, r};
    }
    if (name == "lines") {
        std::vector<std::string> out;
        size_t pos = 0;
        while (pos < s.size()) {
            size_t nl = s.find('\n', pos);
            if (nl == std::string::npos) nl = s.size();
            std::string line = s.substr(pos, nl - pos);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            out.push_back(line);
            pos = nl + 1;
        }
        return out;
    }
    if (name == "chars" || name == "graphemes") {
        std::vector<std::string> out;
        for (auto g : graphemes(s)) out.emplace_back(g);
        return out;
    }
    if (name == "bytes") {
        std::vector<std::string> out;
        for (unsigned char c : s) out.push_back(std::to_string(c));
        return out;
    }
    if (name == "reverse") {
        std::vector<std::string> out = in.items;
        std::reverse(out.begin(), out.end());
        return out;
    }
    if (name == "subst") {
        if (words.size() < 2) method_error("subst: requires a default array");
        bool empty = in.items.empty() || (!in.array && in.items.size() == 1 && in.items[0].empty());
        if (!empty) return in.items;
        return m_in.expand(words[1]).items;
    }
    method_error("invalid array method '" + name + "'");
}

}  // namespace ion
