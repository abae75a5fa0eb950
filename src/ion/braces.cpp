// Brace expansion on the source text of a word: alternatives a{b,c}d, nested
// braces, and ranges {1..10} {1...10} {1..=10} {a..e} {0..2..10}.
#include "ion/interp.h"
#include "ion/number.h"
#include "ion/text.h"

#include <optional>

namespace ion {

namespace {

constexpr size_t kMaxBraceItems = 1'000'000;

// The first top-level `{` that is not a `${`/`@{` sigil, outside quotes.
size_t find_brace(std::string_view w) {
    char quote = 0;
    for (size_t i = 0; i < w.size(); ++i) {
        char c = w[i];
        if (quote) {
            if (c == '\\' && quote == '"') ++i;
            else if (c == quote) quote = 0;
            continue;
        }
        if (c == '\\') {
            ++i;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            continue;
        }
        if ((c == '$' || c == '@') && i + 1 < w.size() && (w[i + 1] == '{' || w[i + 1] == '(' || w[i + 1] == '[')) {
            size_t e = match_bracket(w, i + 1);
            if (e == std::string_view::npos) return e;
            i = e;
            continue;
        }
        if ((c == '$' || c == '@') && i + 1 < w.size() && is_ident_char(w[i + 1])) {
            // $method(...) arguments are not brace-expanded here.
            size_t j = i + 1;
            while (j < w.size() && is_ident_char(w[j])) ++j;
            if (j < w.size() && w[j] == '(') {
                size_t e = match_bracket(w, j);
                if (e == std::string_view::npos) return e;
                i = e;
            }
            continue;
        }
        if (c == '(' || c == '[') {
            size_t e = match_bracket(w, i);
            if (e == std::string_view::npos) return e;
            i = e;
            continue;
        }
        if (c == '{') return i;
    }
    return std::string_view::npos;
}

std::vector<std::string> split_commas(std::string_view inner) {
    std::vector<std::string> parts;
    std::string cur;
    char quote = 0;
    int depth = 0;
    for (size_t i = 0; i < inner.size(); ++i) {
        char c = inner[i];
        if (quote) {
            cur += c;
            if (c == '\\' && quote == '"' && i + 1 < inner.size()) cur += inner[++i];
            else if (c == quote) quote = 0;
            continue;
        }
        if (c == '\\' && i + 1 < inner.size()) {
            cur += c;
            cur += inner[++i];
            continue;
        }
        if (c == '\'' || c == '"') quote = c;
        else if (c == '{' || c == '[' || c == '(') ++depth;
        else if ((c == '}' || c == ']' || c == ')') && depth > 0) --depth;
        else if (c == ',' && depth == 0) {
            parts.push_back(std::move(cur));
            cur.clear();
            continue;
        }
        cur += c;
    }
    parts.push_back(std::move(cur));
    return parts;
}

struct RangeEnd {
    bool is_char = false;
    long long v = 0;
};

std::optional<RangeEnd> range_end(std::string_view s) {
    if (s.size() == 1 && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return RangeEnd{true, s[0]};
    auto n = parse_number(s);
    if (!n || n->is_float || n->i > (__int128)1e15 || n->i < -(__int128)1e15) return std::nullopt;
    return RangeEnd{false, (long long)n->i};
}

}  // namespace

// Parses `A..B`, `A...B`, `A..=B`, `A..S..B`, `A..S...B`; nullopt if not a range.
std::optional<std::vector<std::string>> parse_range(std::string_view s, size_t limit) {
    size_t p = s.find("..");
    if (p == std::string_view::npos || p == 0) return std::nullopt;
    auto a = range_end(s.substr(0, p));
    if (!a) return std::nullopt;
    std::string_view rest = s.substr(p + 2);
    long long step = 1;
    bool has_step = false;
    // A stepped range has a second `..` after the step.
    size_t q = rest.find("..");
    if (q != std::string_view::npos && q > 0 && rest[0] != '.' && rest[0] != '=') {
        auto st = parse_number(rest.substr(0, q));
        if (!st || st->is_float || st->i == 0 || st->i > (__int128)1e15 || st->i < -(__int128)1e15) return std::nullopt;
        step = (long long)st->i;
        has_step = true;
        rest = rest.substr(q + 2);
    }
    bool inclusive = false;
    if (!rest.empty() && (rest[0] == '.' || rest[0] == '=')) {
        inclusive = true;
        rest.remove_prefix(1);
    }
    auto b = range_end(rest);
    if (!b || b->is_char != a->is_char) return std::nullopt;
    long long from = a->v, to = b->v;
    if (has_step) {
        if ((step > 0 && from > to) || (step < 0 && from < to)) return std::vector<std::string>{};
    } else {
        step = from <= to ? 1 : -1;
    }
    std::vector<std::string> out;
    for (long long v = from;; v += step) {
        if (step > 0 ? (inclusive ? v > to : v >= to) : (inclusive ? v < to : v <= to)) break;
        if (out.size() >= limit) throw Fatal{"expansion error: range is too large"};
        if (a->is_char) out.emplace_back(1, char(v));
        else out.push_back(std::to_string(v));
    }
    return out;
}

static void expand_into(const std::string& w, std::vector<std::string>& out, int depth) {
    size_t open = depth > 64 ? std::string::npos : find_brace(w);
    size_t close = open == std::string::npos ? open : match_bracket(w, open);
    if (open == std::string::npos || close == std::string::npos) {
        out.push_back(w);
        return;
    }
    std::string_view inner = std::string_view(w).substr(open + 1, close - open - 1);
    // Each alternative may itself be a range: {0...9,a...f}.
    std::vector<std::string> alts;
    for (auto& a : split_commas(inner)) {
        if (auto r = parse_range(a, kMaxBraceItems)) alts.insert(alts.end(), r->begin(), r->end());
        else alts.push_back(std::move(a));
    }
    std::string prefix = w.substr(0, open), suffix = w.substr(close + 1);
    for (auto& a : alts) {
        if (out.size() > kMaxBraceItems) throw Fatal{"expansion error: brace expansion is too large"};
        expand_into(prefix + a + suffix, out, depth + 1);
    }
}

std::vector<std::string> brace_expand(const std::string& word) {
    std::vector<std::string> out;
    expand_into(word, out, 0);
    return out;
}

}  // namespace ion
