// Globbing through the Os (readdir/stat): * ? [a-z] [!x], per path component.
#include "ion/interp.h"

#include <algorithm>

namespace ion {

bool has_glob_chars(std::string_view p) {
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '\\') {
            ++i;
            continue;
        }
        if (p[i] == '*' || p[i] == '?') return true;
        if (p[i] == '[' && p.find(']', i + 1) != std::string_view::npos) return true;
    }
    return false;
}

bool glob_match(std::string_view pat, std::string_view s) {
    size_t p = 0, i = 0, star_p = std::string_view::npos, star_i = 0;
    while (i < s.size()) {
        if (p < pat.size()) {
            char c = pat[p];
            if (c == '*') {
                star_p = ++p;
                star_i = i;
                continue;
            }
            if (c == '?') {
                ++p;
                ++i;
                continue;
            }
            if (c == '[') {
                size_t q = p + 1;
                bool neg = q < pat.size() && (pat[q] == '!' || pat[q] == '^');
                if (neg) ++q;
                bool matched = false;
                size_t first = q;
                while (q < pat.size() && (pat[q] != ']' || q == first)) {
                    char lo = pat[q];
                    if (q + 2 < pat.size() && pat[q + 1] == '-' && pat[q + 2] != ']') {
                        if (s[i] >= lo && s[i] <= pat[q + 2]) matched = true;
                        q += 3;
                    } else {
                        if (s[i] == lo) matched = true;
                        ++q;
                    }
                }
                if (q < pat.size() && matched != neg) {
                    p = q + 1;
                    ++i;
                    continue;
                }
                if (q >= pat.size() && s[i] == '[') {  // no closing ]: literal
                    ++p;
                    ++i;
                    continue;
                }
            } else {
                if (c == '\\' && p + 1 < pat.size()) c = pat[++p];
                if (c == s[i]) {
                    ++p;
                    ++i;
                    continue;
                }
            }
        }
        if (star_p == std::string_view::npos) return false;
        p = star_p;
        i = ++star_i;
    }
    while (p < pat.size() && pat[p] == '*') ++p;
    return p == pat.size();
}

static std::string unescape_glob(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out += s[i];
    }
    return out;
}

std::vector<std::string> glob_expand(Os& os, const std::string& pattern) {
    std::vector<std::string> comps;
    size_t start = 0;
    while (start <= pattern.size()) {
        size_t e = pattern.find('/', start);
        if (e == std::string::npos) e = pattern.size();
        comps.push_back(pattern.substr(start, e - start));
        start = e + 1;
    }
    std::vector<std::string> cur = {pattern[0] == '/' ? "/" : ""};
    for (size_t k = pattern[0] == '/' ? 1 : 0; k < comps.size(); ++k) {
        const std::string& c = comps[k];
        bool last = k + 1 == comps.size();
        std::vector<std::string> next;
        for (auto& base : cur) {
            std::string sep = base.empty() || base.back() == '/' ? "" : "/";
            if (c.empty()) {
                if (last) next.push_back(base + sep);
                continue;
            }
            if (!has_glob_chars(c)) {
                std::string p = base + sep + unescape_glob(c);
                if (last || os.stat(p).is_dir) next.push_back(p);
                continue;
            }
            auto names = os.readdir(base.empty() ? "." : base);
            if (!names) continue;
            std::vector<std::string> hits;
            for (auto& n : *names) {
                if (n[0] == '.' && c[0] != '.') continue;
                if (glob_match(c, n)) hits.push_back(base + sep + n);
            }
            std::sort(hits.begin(), hits.end());
            for (auto& h : hits) {
                if (last || os.stat(h).is_dir) next.push_back(h);
            }
        }
        cur = std::move(next);
        if (cur.empty()) break;
    }
    if (!cur.empty() && !has_glob_chars(pattern)) cur.clear();
    std::vector<std::string> out;
    for (auto& p : cur) {
        if (os.stat(p, false).exists || os.stat(p).exists) out.push_back(p);
    }
    return out;
}

}  // namespace ion
