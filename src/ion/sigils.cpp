// $ and @ forms, namespaces and slices.
#include "ion/expand_impl.h"
#include "ion/lexer.h"
#include "ion/number.h"
#include "ion/text.h"

namespace ion {

namespace {

[[noreturn]] void expansion_error(const std::string& msg) { throw Fatal{"expansion error: " + msg}; }

std::string strip_newlines(std::string s) {
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

size_t scan_name(const std::string& w, size_t j) {
    while (j < w.size()) {
        if (is_ident_char(w[j])) {
            ++j;
        } else if (w[j] == ':' && j + 2 < w.size() && w[j + 1] == ':' && is_ident_char(w[j + 2])) {
            j += 2;
        } else {
            break;
        }
    }
    return j;
}

}  // namespace

std::string WordExpander::dollar(const std::string& w, size_t& i) {
    size_t start = i;
    std::string val;
    size_t next = i;
    if (i + 1 >= w.size()) return {};
    char c = w[i + 1];
    if (c == '(') {
        size_t close = match_bracket(w, i + 1);
        if (close == std::string::npos) expansion_error("unterminated '$('");
        bool arith = w[i + 2] == '(' && close >= i + 4 && w[close - 1] == ')' &&
                     match_bracket(w, i + 2) == close - 1;
        if (arith) {
            std::string expr = dquote(std::string_view(w).substr(i + 3, close - i - 4));
            std::string error;
            auto lookup = [&](const std::string& n) -> std::optional<std::string> {
                if (!m_in.find_var(n) && !m_in.os.getenv(n)) return std::nullopt;
                return m_in.string_var(n);
            };
            auto r = eval_arith(expr, lookup, error);
            if (!r) expansion_error("invalid arithmetic expression '" + expr + "': " + error);
            val = r->str();
        } else {
            val = strip_newlines(m_in.capture(w.substr(i + 2, close - i - 2)));
        }
        next = close + 1;
    } else if (c == '{') {
        size_t close = match_bracket(w, i + 1);
        if (close == std::string::npos) expansion_error("unterminated '${'");
        val = braced(std::string_view(w).substr(i + 2, close - i - 2));
        next = close + 1;
    } else if (c == '?') {
        val = std::to_string(m_in.status);
        next = i + 2;
    } else if (is_ident_char(c)) {
        size_t j = scan_name(w, i + 1);
        std::string name = w.substr(i + 1, j - i - 1);
        if (j < w.size() && w[j] == '(') {
            size_t close = match_bracket(w, j);
            if (close == std::string::npos) expansion_error("unterminated method call '" + name + "('");
            val = string_method(name, std::string_view(w).substr(j + 1, close - j - 1));
            next = close + 1;
        } else {
            val = m_in.string_var(name);
            next = j;
        }
    } else {
        return {};
    }
    if (next < w.size() && w[next] == '[') {
        size_t close = match_bracket(w, next);
        if (close != std::string::npos) {
            val = slice_string(val, std::string_view(w).substr(next + 1, close - next - 1));
            next = close + 1;
        }
    }
    (void)start;
    i = next;
    return val;
}

std::vector<std::string> WordExpander::at(const std::string& w, size_t& i) {
    if (i + 1 >= w.size()) return {};
    char c = w[i + 1];
    std::vector<std::string> val;
    const Value* map = nullptr;
    Value holder;
    size_t next;
    if (c == '(') {
        size_t close = match_bracket(w, i + 1);
        if (close == std::string::npos) expansion_error("unterminated '@('");
        val = split_whitespace(m_in.capture(w.substr(i + 2, close - i - 2)));
        next = close + 1;
    } else if (c == '{') {
        size_t close = match_bracket(w, i + 1);
        if (close == std::string::npos) expansion_error("unterminated '@{'");
        holder = array_var(w.substr(i + 2, close - i - 2));
        next = close + 1;
        if (holder.is_map()) map = &holder;
        else val = holder.items();
    } else if (is_ident_char(c)) {
        size_t j = scan_name(w, i + 1);
        std::string name = w.substr(i + 1, j - i - 1);
        if (j < w.size() && w[j] == '(') {
            size_t close = match_bracket(w, j);
            if (close == std::string::npos) expansion_error("unterminated method call '" + name + "('");
            val = array_method(name, std::string_view(w).substr(j + 1, close - j - 1));
            next = close + 1;
        } else {
            holder = array_var(name);
            next = j;
            if (holder.is_map()) map = &holder;
            else val = std::move(holder.arr.empty() && holder.kind == Value::Str ? holder.items() : holder.arr);
        }
    } else {
        return {};
    }
    if (next < w.size() && w[next] == '[') {
        size_t close = match_bracket(w, next);
        if (close != std::string::npos) {
            std::string_view spec = std::string_view(w).substr(next + 1, close - next - 1);
            if (map) {
                std::string key = dquote(spec);
                auto it = map->map.find(key);
                val = it == map->map.end() ? std::vector<std::string>{} : it->second.items();
                map = nullptr;
            } else {
                val = slice_array(val, spec);
            }
            next = close + 1;
        }
    }
    if (map) val = map->items();
    i = next;
    return val;
}

Value WordExpander::array_var(const std::string& name) {
    if (Value* v = m_in.find_var(name)) return *v;
    if (const char* e = m_in.os.getenv(name)) return Value::array({e});
    expansion_error("Variable \"" + name + "\" does not exist");
}

std::string WordExpander::braced(std::string_view name) {
    size_t p = name.find("::");
    if (p != std::string_view::npos) {
        std::string_view ns = name.substr(0, p), rest = name.substr(p + 2);
        if (ns == "c" || ns == "color") {
            bool ok = true;
            std::string s = ansi_color(rest, ok);
            if (!ok) expansion_error("invalid color '" + std::string(rest) + "'");
            return s;
        }
        if (ns == "x" || ns == "hex") {
            std::string out;
            for (size_t k = 0; k + 1 < rest.size() + 1; k += 2) {
                std::string hh(rest.substr(k, 2));
                char* end = nullptr;
                long b = std::strtol(hh.c_str(), &end, 16);
                if (hh.empty() || *end) expansion_error("invalid hex value '" + std::string(rest) + "'");
                out += char(b);
            }
            return out;
        }
        if (ns == "env") {
            const char* e = m_in.os.getenv(std::string(rest));
            return e ? e : "";
        }
    }
    return m_in.string_var(std::string(name));
}

// ---------------------------------------------------------------- slices

namespace {

struct Sel {
    bool range = false;
    long long a = 0, b = 0;
    bool has_a = false, has_b = false, inclusive = false;
    std::string text_a, text_b;
};

bool parse_int(std::string_view s, long long& v) {
    auto n = parse_number(s);
    if (!n || n->is_float || n->i > (__int128)1e17 || n->i < -(__int128)1e17) return false;
    v = (long long)n->i;
    return true;
}

Sel parse_sel(const std::string& s) {
    Sel sel;
    size_t p = s.find("..");
    if (p == std::string::npos) {
        if (!parse_int(s, sel.a)) expansion_error("invalid index '" + s + "'");
        sel.has_a = true;
        sel.text_a = s;
        return sel;
    }
    sel.range = true;
    std::string a = s.substr(0, p), b = s.substr(p + 2);
    if (!b.empty() && (b[0] == '.' || b[0] == '=')) {
        sel.inclusive = true;
        b = b.substr(1);
    }
    if (!a.empty()) {
        if (!parse_int(a, sel.a)) expansion_error("invalid range '" + s + "'");
        sel.has_a = true;
    }
    if (!b.empty()) {
        if (!parse_int(b, sel.b)) expansion_error("invalid range '" + s + "'");
        sel.has_b = true;
    }
    sel.text_a = a;
    sel.text_b = b;
    return sel;
}

template <typename T>
void select(const std::vector<T>& in, const Sel& sel, std::vector<T>& out) {
    long long len = (long long)in.size();
    if (!sel.range) {
        long long k = sel.a < 0 ? len + sel.a : sel.a;
        if (k < 0 || k >= len)
            expansion_error("Invalid index " + sel.text_a + " for sequence with length " + std::to_string(len));
        out.push_back(in[size_t(k)]);
        return;
    }
    long long a = sel.has_a ? (sel.a < 0 ? len + sel.a : sel.a) : 0;
    long long b = sel.has_b ? (sel.b < 0 ? len + sel.b : sel.b) : len;
    if (sel.has_b && sel.inclusive) ++b;
    if (a < 0 || b > len || a > b)
        expansion_error("Invalid range between (" + std::to_string(sel.has_a ? sel.a : 0) + "," +
                        std::to_string(sel.has_b ? sel.b : len) + ") for sequence with length " +
                        std::to_string(len));
    for (long long k = a; k < b; ++k) out.push_back(in[size_t(k)]);
}

}  // namespace

std::vector<std::string> WordExpander::slice_array(const std::vector<std::string>& a, std::string_view spec) {
    std::vector<std::string> out;
    for (auto& s : split_whitespace(dquote(spec))) select(a, parse_sel(s), out);
    return out;
}

std::string WordExpander::slice_string(const std::string& s, std::string_view spec) {
    auto g = graphemes(s);
    std::vector<std::string_view> out;
    for (auto& sel : split_whitespace(dquote(spec))) select(g, parse_sel(sel), out);
    std::string r;
    for (auto& x : out) r += x;
    return r;
}

// ---------------------------------------------------------------- colours

std::string ansi_color(std::string_view spec, bool& ok) {
    static const char* names[] = {"black", "red", "green", "yellow", "blue", "magenta", "cyan", "light_gray"};
    static const char* light[] = {"dark_gray", "light_red", "light_green", "light_yellow",
                                  "light_blue", "light_magenta", "light_cyan", "white"};
    static const int table[16] = {0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 180, 195, 210, 225, 240, 255};
    std::vector<std::string> attrs, fg, bg;
    size_t start = 0;
    while (start <= spec.size()) {
        size_t e = spec.find(',', start);
        if (e == std::string_view::npos) e = spec.size();
        std::string item(spec.substr(start, e - start));
        start = e + 1;
        bool is_bg = false;
        if (item.size() > 2 && item.ends_with("bg")) {
            is_bg = true;
            item.resize(item.size() - 2);
        }
        auto& dst = is_bg ? bg : fg;
        int base = is_bg ? 40 : 30;
        bool found = false;
        for (int k = 0; k < 8 && !found; ++k) {
            if (item == names[k]) {
                dst.push_back(std::to_string(base + k));
                found = true;
            } else if (item == light[k]) {
                dst.push_back(std::to_string(base + 60 + k));
                found = true;
            }
        }
        if (found) continue;
        if (item == "default") {
            dst.push_back(std::to_string(base + 9));
            continue;
        }
        static const std::pair<const char*, const char*> attr_names[] = {
            {"reset", "0"}, {"bold", "1"}, {"dim", "2"}, {"underlined", "4"},
            {"blink", "5"}, {"reverse", "7"}, {"hidden", "8"}};
        for (auto& [n, code] : attr_names) {
            if (item == n) {
                attrs.push_back(code);
                found = true;
            }
        }
        if (found) continue;
        std::string pre = is_bg ? "48" : "38";
        if (item.starts_with("0x")) {
            std::string h = item.substr(2);
            bool hex = !h.empty();
            for (char c : h) hex &= std::isxdigit(static_cast<unsigned char>(c)) != 0;
            if (!hex) {
                ok = false;
                return {};
            }
            if (h.size() <= 2) {
                dst.push_back(pre + ";5;" + std::to_string(std::stoi(h, nullptr, 16)));
            } else if (h.size() == 3) {
                std::string s = pre + ";2";
                for (char c : h) s += ";" + std::to_string(table[std::stoi(std::string(1, c), nullptr, 16)]);
                dst.push_back(s);
            } else if (h.size() == 6) {
                std::string s = pre + ";2";
                for (int k = 0; k < 3; ++k) s += ";" + std::to_string(std::stoi(h.substr(k * 2, 2), nullptr, 16));
                dst.push_back(s);
            } else {
                ok = false;
                return {};
            }
            continue;
        }
        bool dec = !item.empty() && item.size() <= 3;
        for (char c : item) dec &= c >= '0' && c <= '9';
        if (dec && std::stoi(item) < 256) {
            dst.push_back(pre + ";5;" + item);
            continue;
        }
        ok = false;
        return {};
    }
    std::vector<std::string> all = attrs;
    all.insert(all.end(), fg.begin(), fg.end());
    all.insert(all.end(), bg.begin(), bg.end());
    return "\x1b[" + join(all, ";") + "m";
}

}  // namespace ion
