// Word expansion: quotes, $var / @array sigils, namespaces, $(..) / @(..),
// $((..)), methods, slices, array literals, braces, tilde and globs.
#include "ion/expand_impl.h"

#include "ion/lexer.h"
#include "ion/number.h"
#include "ion/text.h"

namespace ion {

namespace {

bool needs_expansion(std::string_view w) {
    for (char c : w) {
        switch (c) {
            case '$': case '@': case '\'': case '"': case '\\': case '{': case '[':
            case '~': case '*': case '?':
                return true;
            default: break;
        }
    }
    return false;
}

}  // namespace

// `$name` alone: the most common word in loops, looked up without the
// general scanner.
static bool simple_var(const std::string& w) {
    if (w.size() < 2 || w[0] != '$') return false;
    for (size_t i = 1; i < w.size(); ++i) {
        if (!is_ident_char(static_cast<unsigned char>(w[i]))) return false;
    }
    return true;
}

Expanded Interp::expand(const std::string& word) {
    if (!needs_expansion(word)) return Expanded{{word}, false};
    if (simple_var(word)) return Expanded{{string_var(word.substr(1))}, false};
    WordExpander wx(*this);
    return wx.word(word);
}

std::string Interp::expand_string(const std::string& word) {
    if (!needs_expansion(word)) return word;
    Expanded e = expand(word);
    if (e.items.size() == 1) return std::move(e.items[0]);
    return join(e.items, " ");
}

std::vector<std::string> Interp::expand_args(const std::vector<std::string>& words) {
    std::vector<std::string> out;
    out.reserve(words.size());
    for (auto& w : words) {
        if (!needs_expansion(w)) {
            out.push_back(w);
            continue;
        }
        Expanded e = expand(w);
        for (auto& s : e.items) out.push_back(std::move(s));
        if (out.size() > opts.max_array_len) throw Fatal{"expansion error: too many arguments"};
    }
    return out;
}

std::vector<std::string> Interp::expand_array_literal(std::string_view inner) {
    std::vector<std::string> out;
    for (auto& w : split_words(inner)) {
        Expanded e = expand(w);
        for (auto& s : e.items) out.push_back(std::move(s));
        if (out.size() > opts.max_array_len) throw Fatal{"expansion error: array is too large"};
    }
    return out;
}

// ---------------------------------------------------------------- words

Expanded WordExpander::word(const std::string& w) {
    Expanded lit;
    if (array_literal(w, lit)) return lit;
    if (w.find('{') == std::string::npos) return single(w);
    std::vector<std::string> alts = brace_expand(w);
    if (alts.size() == 1 && alts[0] == w) return single(w);
    Expanded out;
    out.array = true;
    bool any_glob_hit = false;
    std::vector<std::pair<std::string, bool>> pieces;  // text, was a failed glob
    for (auto& a : alts) {
        m_glob_failed = false;
        m_glob_hit = false;
        Expanded e;
        if (!array_literal(a, e)) e = single(a);
        for (auto& s : e.items) pieces.emplace_back(std::move(s), m_glob_failed);
        any_glob_hit |= m_glob_hit;
        if (pieces.size() > m_in.opts.max_array_len) throw Fatal{"expansion error: brace expansion is too large"};
    }
    for (auto& [s, failed] : pieces) {
        if (failed && any_glob_hit) continue;
        out.items.push_back(std::move(s));
    }
    return out;
}

// An array literal, possibly sliced: [a b c] or [a b c][1].
bool WordExpander::array_literal(const std::string& w, Expanded& result) {
    if (!w.empty() && w[0] == '[') {
        size_t close = match_bracket(w, 0);
        if (close != std::string::npos) {
            size_t end = close + 1;
            while (end < w.size() && w[end] == '[') {
                size_t c2 = match_bracket(w, end);
                if (c2 == std::string::npos) break;
                end = c2 + 1;
            }
            if (end == w.size()) {
                Expanded e{m_in.expand_array_literal(std::string_view(w).substr(1, close - 1)), true};
                size_t pos = close + 1;
                while (pos < w.size()) {
                    size_t c2 = match_bracket(w, pos);
                    e.items = slice_array(e.items, std::string_view(w).substr(pos + 1, c2 - pos - 1));
                    pos = c2 + 1;
                }
                result = std::move(e);
                return true;
            }
        }
    }
    return false;
}

// One word without top-level braces.
Expanded WordExpander::single(const std::string& w) {
    std::string cur;
    // The glob pattern (literal parts escaped) is only built when the word
    // has a glob character somewhere.
    GlobPattern pat{w.find_first_of("*?[") != std::string::npos};
    bool glob = false;
    std::vector<std::string> array;
    int parts = 0;      // number of pieces that make up the word
    bool sole_array = false;
    m_glob_hit = false;
    size_t i = 0;
    if (!w.empty() && w[0] == '~') {
        size_t end = w.find('/');
        if (end == std::string::npos) end = w.size();
        if (auto t = tilde(std::string_view(w).substr(1, end - 1))) {
            cur = *t;
            pat.literal(*t);
            i = end;
            ++parts;
        }
    }
    while (i < w.size()) {
        char c = w[i];
        if (c == '\'') {
            size_t e = w.find('\'', i + 1);
            if (e == std::string::npos) e = w.size();
            std::string_view lit = std::string_view(w).substr(i + 1, e - i - 1);
            cur += lit;
            pat.literal(lit);
            i = e + 1;
            ++parts;
            continue;
        }
        if (c == '"') {
            size_t e = i + 1;
            while (e < w.size() && w[e] != '"') e += w[e] == '\\' ? 2 : 1;
            std::string s = dquote(std::string_view(w).substr(i + 1, std::min(e, w.size()) - i - 1));
            cur += s;
            pat.literal(s);
            i = e + 1;
            ++parts;
            continue;
        }
        if (c == '\\') {
            if (i + 1 < w.size()) {
                cur += w[i + 1];
                pat.literal(std::string_view(w).substr(i + 1, 1));
            }
            i += 2;
            ++parts;
            continue;
        }
        if (c == '$') {
            size_t before = i;
            std::string s = dollar(w, i);
            if (i == before) {  // a lone '$'
                cur += '$';
                pat.raw('$');
                ++i;
            } else {
                cur += s;
                pat.literal(s);
            }
            ++parts;
            continue;
        }
        if (c == '@') {
            size_t before = i;
            std::vector<std::string> a = at(w, i);
            if (i == before) {
                cur += '@';
                pat.raw('@');
                ++i;
                ++parts;
                continue;
            }
            if (parts == 0 && i == w.size()) {
                array = std::move(a);
                sole_array = true;
                ++parts;
                continue;
            }
            std::string s = join(a, " ");
            cur += s;
            pat.literal(s);
            ++parts;
            continue;
        }
        if (c == '*' || c == '?' || c == '[') glob = true;
        cur += c;
        pat.raw(c);
        ++i;
        ++parts;
    }
    if (sole_array) return Expanded{std::move(array), true};
    if (glob && has_glob_chars(pat.text)) {
        auto hits = glob_expand(m_in.os, pat.text);
        if (!hits.empty()) {
            m_glob_hit = true;
            return Expanded{std::move(hits), true};
        }
        m_glob_failed = true;
    }
    return Expanded{{std::move(cur)}, false};
}

std::string WordExpander::escape_glob(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::optional<std::string> WordExpander::tilde(std::string_view rest) {
    auto env = [&](const char* n) -> std::string {
        const char* v = m_in.os.getenv(n);
        return v ? v : "";
    };
    if (rest.empty()) return env("HOME");
    if (rest == "+") {
        auto c = m_in.os.getcwd();
        return c ? *c : env("PWD");
    }
    if (rest == "-") return env("OLDPWD");
    bool digits = true;
    size_t off = (rest[0] == '+' || rest[0] == '-') ? 1 : 0;
    for (size_t k = off; k < rest.size(); ++k) digits &= rest[k] >= '0' && rest[k] <= '9';
    if (digits && off < rest.size()) {
        size_t n = std::stoul(std::string(rest.substr(off)));
        auto& st = m_in.dir_stack;
        if (n < st.size()) return rest[0] == '-' ? st[n] : st[st.size() - 1 - n];
        return std::nullopt;
    }
    if (!is_identifier(rest)) return std::nullopt;
    std::string h = m_in.os.home_of(std::string(rest));
    if (h.empty()) return std::nullopt;
    return h;
}

// The body of a double-quoted string.
std::string WordExpander::dquote(std::string_view s) {
    std::string out;
    std::string buf(s);
    size_t i = 0;
    while (i < buf.size()) {
        char c = buf[i];
        if (c == '\\' && i + 1 < buf.size()) {
            char n = buf[i + 1];
            if (n == '$' || n == '\\' || n == '"' || n == '@') out += n;
            else {
                out += c;
                out += n;
            }
            i += 2;
            continue;
        }
        if (c == '$') {
            size_t before = i;
            std::string v = dollar(buf, i);
            if (i == before) {
                out += '$';
                ++i;
            } else {
                out += v;
            }
            continue;
        }
        if (c == '@') {
            size_t before = i;
            auto a = at(buf, i);
            if (i == before) {
                out += '@';
                ++i;
            } else {
                out += join(a, " ");
            }
            continue;
        }
        out += c;
        ++i;
    }
    return out;
}

}  // namespace ion
