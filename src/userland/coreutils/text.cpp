// head, tail, wc, grep, sort, uniq, cut, tr, tee: text filters.
#include "userland/coreutils/util.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <cstdlib>
#include <regex>

namespace redox::userland {

namespace {

// head/tail count: "N", "+N" (tail: from line N), "-N" (head: all but the last N).
struct Count {
    long long n = 10;
    bool from_start = false;  // tail +N
    bool all_but = false;     // head -N
};
std::optional<Count> parse_count(std::string s) {
    Count c;
    if (s.starts_with('+')) { c.from_start = true; s.erase(0, 1); }
    else if (s.starts_with('-')) { c.all_but = true; s.erase(0, 1); }
    if (!parse_int(s, c.n) || c.n < 0) return std::nullopt;
    return c;
}

// Text of every operand ("-" or none: standard input), calling fn(name, text).
template <typename Fn>
int each_input(std::string_view prog, const Args& files, Fn&& fn) {
    Args list = files.empty() ? Args{"-"} : files;
    int rc = 0;
    for (auto& f : list) {
        auto text = read_input(f);
        if (!text) { rc = fail(prog, f, text.error()); continue; }
        fn(f, *text);
    }
    return rc;
}

// Split keeping each line's '\n' (the last may have none).
std::vector<std::string_view> lines_with_nl(std::string_view text) {
    std::vector<std::string_view> v;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        v.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return v;
}

// head's first N lines or bytes of one input, read only as far as they go, so
// an endless input (/scheme/rand, `yes`) ends at the count.
Result<void> head_stream(const std::string& path, size_t n, bool bytes) {
    int fd = 0;
    if (path != "-") fd = TRY(sys::open(path, O_RDONLY_));
    auto closer = [&] { if (fd != 0) (void)sys::close(fd); };
    std::string chunk(65536, '\0'), text_out;
    while (n > 0) {
        auto got = sys::read(fd, chunk.data(), bytes ? std::min(n, chunk.size()) : chunk.size());
        if (!got) { closer(); out(text_out); return std::unexpected(got.error()); }
        if (*got == 0) break;
        std::string_view part(chunk.data(), *got);
        if (bytes) {
            n -= part.size();
        } else {
            // Count the line ends in this read; a line without one goes on in the next.
            for (size_t pos = 0, nl; n > 0 && (nl = part.find('\n', pos)) != std::string_view::npos;) {
                pos = nl + 1;
                if (--n == 0) part = part.substr(0, pos);
            }
        }
        text_out.append(part);
        if (text_out.size() >= 65536) { out(text_out); text_out.clear(); }
    }
    closer();
    out(text_out);
    return {};
}

int head_tail(const Args& args, bool head) {
    const char* prog = head ? "head" : "tail";
    // The old form `head -5` / `tail -5`, a count as the first option, is `-n 5`.
    Args a = args;
    if (!a.empty() && a[0].size() > 1 && a[0][0] == '-' &&
        std::all_of(a[0].begin() + 1, a[0].end(), [](char c) { return c >= '0' && c <= '9'; })) {
        std::string n = a[0].substr(1);
        a[0] = "-n";
        a.insert(a.begin() + 1, n);
    }
    auto o = parse_opts(prog, a, {"qv", "nc", {{"lines", 'n'}, {"bytes", 'c'}, {"quiet", 'q'}, {"verbose", 'v'}}});
    if (!o) return 1;
    bool bytes = o->values.count('c');
    std::string spec = bytes ? o->value('c') : o->value('n', "10");
    auto count = parse_count(spec);
    if (!count) return usage_error(prog, std::string("invalid number of ") + (bytes ? "bytes" : "lines") + ": '" + spec + "'");
    bool headers = (o->operands.size() > 1 && !o->has('q')) || o->has('v');
    bool first = true;
    if (head && !count->all_but) {
        int rc = 0;
        Args list = o->operands.empty() ? Args{"-"} : o->operands;
        for (auto& f : list) {
            if (headers) out((first ? "" : "\n") + std::string("==> ") + (f == "-" ? "standard input" : f) + " <==\n");
            first = false;
            if (auto r = head_stream(f, size_t(count->n), bytes); !r) rc = fail(prog, f, r.error());
        }
        return rc;
    }
    std::string text_out;
    int rc = each_input(prog, o->operands, [&](const std::string& name, const std::string& text) {
        if (headers) {
            text_out += (first ? "" : "\n") + std::string("==> ") + (name == "-" ? "standard input" : name) + " <==\n";
        }
        first = false;
        size_t n = size_t(count->n);
        if (bytes) {
            size_t len = text.size();
            if (head) text_out += count->all_but ? text.substr(0, len > n ? len - n : 0) : text.substr(0, std::min(n, len));
            else if (count->from_start) text_out += text.substr(std::min(len, n ? n - 1 : 0));
            else text_out += text.substr(len > n ? len - n : 0);
            return;
        }
        auto lines = lines_with_nl(text);
        size_t total = lines.size(), begin = 0, end = total;
        if (head) end = count->all_but ? (total > n ? total - n : 0) : std::min(n, total);
        else if (count->from_start) begin = std::min(total, n ? n - 1 : 0);
        else begin = total > n ? total - n : 0;
        for (size_t i = begin; i < end; ++i) text_out += lines[i];
    });
    out(text_out);
    return rc;
}

} // namespace

int cmd_head(const Args& a) { return head_tail(a, true); }
int cmd_tail(const Args& a) { return head_tail(a, false); }

int cmd_wc(const Args& a) {
    auto o = parse_opts("wc", a, {"lwcmL", "", {{"lines", 'l'}, {"words", 'w'}, {"bytes", 'c'}, {"chars", 'm'}}});
    if (!o) return 1;
    bool l = o->has('l'), w = o->has('w'), c = o->has('c') || o->has('m');
    if (!l && !w && !c) l = w = c = true;
    struct Counts { uint64_t lines = 0, words = 0, bytes = 0; std::string name; };
    std::vector<Counts> rows;
    bool stdin_used = false;
    int rc = each_input("wc", o->operands, [&](const std::string& name, const std::string& text) {
        Counts k;
        k.name = name == "-" && o->operands.empty() ? "" : name;
        stdin_used |= name == "-";
        bool in_word = false;
        for (char ch : text) {
            if (ch == '\n') ++k.lines;
            bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
            if (!space && !in_word) ++k.words;
            in_word = !space;
        }
        k.bytes = text.size();
        rows.push_back(k);
    });
    if (rows.size() > 1) {
        Counts t;
        t.name = "total";
        for (auto& r : rows) { t.lines += r.lines; t.words += r.words; t.bytes += r.bytes; }
        rows.push_back(t);
    }
    // GNU pads every column to the width of the largest count (7 when reading
    // standard input, whose size is unknown beforehand); one column alone is unpadded.
    int columns = int(l) + int(w) + int(c);
    size_t width = 1;
    for (auto& r : rows) width = std::max({width, std::to_string(r.bytes).size(), std::to_string(r.lines).size()});
    if (stdin_used) width = std::max<size_t>(width, 7);
    if (columns == 1 && rows.size() == 1) width = 1;
    std::string text;
    for (auto& r : rows) {
        std::string line;
        auto col = [&](uint64_t v) {
            std::string s = std::to_string(v);
            if (!line.empty()) line += ' ';
            line += std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
        };
        if (l) col(r.lines);
        if (w) col(r.words);
        if (c) col(r.bytes);
        if (!r.name.empty()) line += " " + r.name;
        text += line + "\n";
    }
    out(text);
    return rc;
}

namespace {

// A POSIX basic regular expression (with the GNU \| \+ \? extensions) as an
// extended one: in a BRE, ( ) { } | + ? are literal unless escaped.
std::string bre_to_ere(std::string_view bre) {
    std::string ere;
    bool in_bracket = false;
    for (size_t i = 0; i < bre.size(); ++i) {
        char c = bre[i];
        if (in_bracket) {
            ere += c;
            if (c == ']' && !(ere.ends_with("[]") || ere.ends_with("[^]"))) in_bracket = false;
            continue;
        }
        if (c == '[') { in_bracket = true; ere += c; continue; }
        if (c == '\\' && i + 1 < bre.size()) {
            char n = bre[++i];
            if (std::string_view("(){}|+?").find(n) != std::string_view::npos) ere += n;
            else { ere += '\\'; ere += n; }
            continue;
        }
        if (std::string_view("(){}|+?").find(c) != std::string_view::npos) { ere += '\\'; ere += c; continue; }
        // A leading '*' (or one after '^') is literal in a BRE.
        if (c == '*' && (ere.empty() || ere == "^")) { ere += "\\*"; continue; }
        ere += c;
    }
    return ere;
}

} // namespace

int cmd_grep(const Args& a) {
    auto o = parse_opts("grep", a, {"ivcnlLqHhEFrwxos", "e", {{"ignore-case", 'i'}, {"invert-match", 'v'}, {"count", 'c'},
                                                              {"line-number", 'n'}, {"quiet", 'q'}, {"recursive", 'r'},
                                                              {"regexp", 'e'}, {"word-regexp", 'w'}, {"line-regexp", 'x'}}});
    if (!o) return 2;
    Args ops = o->operands;
    std::string pattern;
    if (o->values.count('e')) pattern = o->value('e');
    else if (ops.empty()) return usage_error("grep", "no pattern given (usage: grep [OPTION]... PATTERN [FILE]...)", 2);
    else { pattern = ops[0]; ops.erase(ops.begin()); }
    auto flags = std::regex::extended;
    if (o->has('i')) flags |= std::regex::icase;
    std::string re_text = o->has('E') ? pattern : bre_to_ere(pattern);
    if (o->has('F')) {
        re_text.clear();
        for (char ch : pattern) {
            if (std::string_view(".[]\\*^$+?(){}|").find(ch) != std::string_view::npos) re_text += '\\';
            re_text += ch;
        }
        flags = std::regex::extended;
        if (o->has('i')) flags |= std::regex::icase;
    }
    if (o->has('x')) re_text = "^(" + re_text + ")$";
    std::regex re;
    try {
        re = std::regex(re_text, flags);
    } catch (const std::regex_error& e) {
        return usage_error("grep", "invalid pattern '" + pattern + "': " + e.what(), 2);
    }
    auto word_match = [&](const std::string& line) {
        for (auto it = std::sregex_iterator(line.begin(), line.end(), re); it != std::sregex_iterator(); ++it) {
            size_t b = size_t(it->position()), e = b + size_t(it->length());
            auto is_word = [](char ch) { return std::isalnum(uint8_t(ch)) || ch == '_'; };
            if ((b == 0 || !is_word(line[b - 1])) && (e >= line.size() || !is_word(line[e]))) return true;
        }
        return false;
    };
    // -r: expand directories into their files.
    Args files;
    std::function<void(const std::string&)> expand = [&](const std::string& p) {
        auto st = sys::stat(p);
        if (o->has('r') && st && (st->st_mode & MODE_TYPE) == MODE_DIR) {
            auto entries = sys::read_dir(p);
            if (!entries) return;
            std::sort(entries->begin(), entries->end(), [](auto& x, auto& y) { return x.name < y.name; });
            for (auto& e : *entries) expand(join_path(p, e.name));
            return;
        }
        files.push_back(p);
    };
    if (ops.empty()) ops.push_back(o->has('r') ? "." : "-");
    for (auto& p : ops) expand(p);
    bool with_name = (files.size() > 1 || o->has('r') || o->has('H')) && !o->has('h');
    bool any = false;
    std::string text_out;
    int rc = 0;
    for (auto& f : files) {
        auto text = read_input(f);
        if (!text) {
            if (!o->has('s')) fail("grep", f, text.error());
            rc = 2;
            continue;
        }
        std::string label = f == "-" ? "(standard input)" : f;
        long long count = 0, line_no = 0;
        for (auto& line : split_lines(*text)) {
            ++line_no;
            bool m = o->has('w') ? word_match(line) : std::regex_search(line, re);
            if (m == o->has('v')) continue;
            ++count;
            any = true;
            if (o->has('q')) { out(text_out); return 0; }
            if (o->has('c') || o->has('l') || o->has('L')) continue;
            std::string prefix = (with_name ? label + ":" : "") + (o->has('n') ? std::to_string(line_no) + ":" : "");
            if (o->has('o') && !o->has('v')) {
                for (auto it = std::sregex_iterator(line.begin(), line.end(), re); it != std::sregex_iterator(); ++it)
                    if (it->length()) text_out += prefix + it->str() + "\n";
            } else {
                text_out += prefix + line + "\n";
            }
        }
        if (o->has('c')) text_out += (with_name ? label + ":" : "") + std::to_string(count) + "\n";
        if (o->has('l') && count) text_out += label + "\n";
        if (o->has('L') && !count) text_out += label + "\n";
    }
    out(text_out);
    if (rc) return rc;
    return any ? 0 : 1;
}

namespace {

// The sort key of a line: fields -k N[,M] split on -t SEP or on blank runs.
std::string sort_key(const std::string& line, long long from, long long to, char sep) {
    if (from <= 0) return line;
    std::vector<std::pair<size_t, size_t>> fields;  // begin, end
    if (sep) {
        size_t b = 0;
        for (;;) {
            size_t e = line.find(sep, b);
            fields.push_back({b, e == std::string::npos ? line.size() : e});
            if (e == std::string::npos) break;
            b = e + 1;
        }
    } else {
        // Blank-separated: a field includes its leading blanks, as in GNU sort.
        size_t i = 0;
        while (i < line.size()) {
            size_t b = i;
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
            fields.push_back({b, i});
        }
    }
    if (size_t(from) > fields.size()) return "";
    size_t last = to > 0 ? std::min<size_t>(size_t(to), fields.size()) : fields.size();
    size_t b = fields[size_t(from) - 1].first, e = fields[last - 1].second;
    return line.substr(b, e > b ? e - b : 0);
}

} // namespace

int cmd_sort(const Args& a) {
    auto o = parse_opts("sort", a, {"rnufbo", "kto", {{"reverse", 'r'}, {"numeric-sort", 'n'}, {"unique", 'u'},
                                                      {"ignore-case", 'f'}, {"key", 'k'}, {"field-separator", 't'}, {"output", 'o'}}});
    if (!o) return 2;
    long long kfrom = 0, kto = 0;
    if (o->values.count('k')) {
        std::string k = o->value('k');
        size_t comma = k.find(',');
        if (!parse_int(k.substr(0, comma), kfrom) || kfrom < 1 ||
            (comma != std::string::npos && (!parse_int(k.substr(comma + 1), kto) || kto < kfrom)))
            return usage_error("sort", "invalid key '" + k + "'", 2);
    }
    char sep = 0;
    if (o->values.count('t')) {
        if (o->value('t').size() != 1) return usage_error("sort", "the separator must be one character", 2);
        sep = o->value('t')[0];
    }
    std::vector<std::string> lines;
    int rc = each_input("sort", o->operands, [&](const std::string&, const std::string& text) {
        auto l = split_lines(text);
        lines.insert(lines.end(), l.begin(), l.end());
    });
    if (rc) return 2;
    bool numeric = o->has('n'), fold = o->has('f');
    auto key = [&](const std::string& l) {
        std::string k = sort_key(l, kfrom, kto, sep);
        if (o->has('b') || numeric) k.erase(0, k.find_first_not_of(" \t") == std::string::npos ? k.size() : k.find_first_not_of(" \t"));
        if (fold) std::transform(k.begin(), k.end(), k.begin(), [](char ch) { return char(std::toupper(uint8_t(ch))); });
        return k;
    };
    // compare: <0, 0, >0 on keys only (for -u equality).
    auto cmp_keys = [&](const std::string& x, const std::string& y) -> int {
        std::string kx = key(x), ky = key(y);
        if (numeric) {
            double dx = std::strtod(kx.c_str(), nullptr), dy = std::strtod(ky.c_str(), nullptr);
            if (dx != dy) return dx < dy ? -1 : 1;
            return 0;
        }
        return kx.compare(ky) < 0 ? -1 : kx.compare(ky) > 0 ? 1 : 0;
    };
    std::stable_sort(lines.begin(), lines.end(), [&](const std::string& x, const std::string& y) {
        int c = cmp_keys(x, y);
        if (c == 0 && !o->has('u')) c = x.compare(y) < 0 ? -1 : x.compare(y) > 0 ? 1 : 0;  // last-resort comparison
        return o->has('r') ? c > 0 : c < 0;
    });
    std::string text;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (o->has('u') && i > 0 && cmp_keys(lines[i - 1], lines[i]) == 0) continue;
        text += lines[i] + "\n";
    }
    if (o->values.count('o')) {
        auto fd = sys::open(o->value('o'), O_WRONLY_ | O_CREAT_ | O_TRUNC_, 0644);
        if (!fd) return fail("sort", "open failed: " + o->value('o'), fd.error()) + 1;
        auto r = sys::write_all(*fd, text);
        (void)sys::close(*fd);
        if (!r) return fail("sort", o->value('o'), r.error()) + 1;
        return 0;
    }
    out(text);
    return 0;
}

int cmd_uniq(const Args& a) {
    auto o = parse_opts("uniq", a, {"cdui", "", {{"count", 'c'}, {"repeated", 'd'}, {"unique", 'u'}, {"ignore-case", 'i'}}});
    if (!o) return 1;
    if (o->operands.size() > 1) return usage_error("uniq", "extra operand '" + o->operands[1] + "'");
    auto text = read_input(o->operands.empty() ? "-" : o->operands[0]);
    if (!text) return fail("uniq", o->operands.empty() ? "-" : o->operands[0], text.error());
    auto lines = split_lines(*text);
    auto same = [&](const std::string& x, const std::string& y) {
        if (!o->has('i')) return x == y;
        return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), [](char p, char q) {
            return std::tolower(uint8_t(p)) == std::tolower(uint8_t(q));
        });
    };
    std::string result;
    for (size_t i = 0; i < lines.size();) {
        size_t j = i + 1;
        while (j < lines.size() && same(lines[i], lines[j])) ++j;
        size_t n = j - i;
        bool show = (!o->has('d') || n > 1) && (!o->has('u') || n == 1);
        if (show) {
            if (o->has('c')) {
                char prefix[32];
                std::snprintf(prefix, sizeof prefix, "%7zu ", n);
                result += prefix;
            }
            result += lines[i] + "\n";
        }
        i = j;
    }
    out(result);
    return 0;
}

namespace {

// "1,3-5,7-" as inclusive 1-based ranges (0 = open end).
std::optional<std::vector<std::pair<size_t, size_t>>> parse_list(const std::string& s) {
    std::vector<std::pair<size_t, size_t>> v;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t comma = s.find(',', pos);
        std::string part = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        size_t dash = part.find('-');
        long long lo = 1, hi = 0;
        if (dash == std::string::npos) {
            if (!parse_int(part, lo) || lo < 1) return std::nullopt;
            hi = lo;
        } else {
            if (dash > 0 && (!parse_int(part.substr(0, dash), lo) || lo < 1)) return std::nullopt;
            if (dash + 1 < part.size() && (!parse_int(part.substr(dash + 1), hi) || hi < lo)) return std::nullopt;
            if (dash == 0 && dash + 1 >= part.size()) return std::nullopt;
        }
        v.push_back({size_t(lo), size_t(hi)});
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return v;
}

bool in_list(const std::vector<std::pair<size_t, size_t>>& list, size_t i) {
    for (auto& [lo, hi] : list)
        if (i >= lo && (hi == 0 || i <= hi)) return true;
    return false;
}

} // namespace

int cmd_cut(const Args& a) {
    auto o = parse_opts("cut", a, {"s", "dfcb", {{"delimiter", 'd'}, {"fields", 'f'}, {"characters", 'c'}, {"bytes", 'b'},
                                                 {"only-delimited", 's'}}});
    if (!o) return 1;
    bool fields = o->values.count('f');
    std::string spec = fields ? o->value('f') : o->values.count('c') ? o->value('c') : o->value('b');
    if (spec.empty()) return usage_error("cut", "you must specify a list of bytes, characters, or fields");
    auto list = parse_list(spec);
    if (!list) return usage_error("cut", "invalid field list '" + spec + "'");
    char delim = '\t';
    if (o->values.count('d')) {
        if (o->value('d').size() != 1) return usage_error("cut", "the delimiter must be a single character");
        delim = o->value('d')[0];
    }
    std::string result;
    int rc = each_input("cut", o->operands, [&](const std::string&, const std::string& text) {
        for (auto& line : split_lines(text)) {
            if (!fields) {
                for (size_t i = 0; i < line.size(); ++i)
                    if (in_list(*list, i + 1)) result += line[i];
                result += '\n';
                continue;
            }
            if (line.find(delim) == std::string::npos) {
                if (!o->has('s')) result += line + "\n";
                continue;
            }
            size_t b = 0, idx = 1;
            bool first = true;
            for (;;) {
                size_t e = line.find(delim, b);
                if (in_list(*list, idx)) {
                    if (!first) result += delim;
                    result += line.substr(b, e == std::string::npos ? std::string::npos : e - b);
                    first = false;
                }
                if (e == std::string::npos) break;
                b = e + 1;
                ++idx;
            }
            result += '\n';
        }
    });
    out(result);
    return rc;
}

namespace {

// A tr set: escapes (\n \t \\ \NNN), ranges a-z and the classes [:lower:] [:upper:] [:digit:] [:space:] [:alpha:] [:alnum:].
std::optional<std::string> expand_set(std::string_view s) {
    std::string chars;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s.substr(i).starts_with("[:")) {
            size_t end = s.find(":]", i + 2);
            if (end == std::string_view::npos) return std::nullopt;
            std::string_view cls = s.substr(i + 2, end - i - 2);
            int (*pred)(int) = cls == "lower" ? ::islower : cls == "upper" ? ::isupper : cls == "digit" ? ::isdigit
                             : cls == "space" ? ::isspace : cls == "alpha" ? ::isalpha : cls == "alnum" ? ::isalnum
                             : cls == "punct" ? ::ispunct : nullptr;
            if (!pred) return std::nullopt;
            for (int c = 0; c < 256; ++c) if (pred(c)) chars += char(c);
            i = end + 1;
            continue;
        }
        char c = s[i];
        if (c == '\\' && i + 1 < s.size()) {
            char n = s[++i];
            if (n >= '0' && n <= '7') {
                int v = 0, k = 0;
                while (k < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7') { v = v * 8 + (s[i] - '0'); ++i; ++k; }
                --i;
                c = char(v);
            } else {
                c = n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
            }
        }
        if (i + 2 < s.size() && s[i + 1] == '-') {
            char hi = s[i + 2];
            if (uint8_t(hi) < uint8_t(c)) return std::nullopt;
            for (int x = uint8_t(c); x <= uint8_t(hi); ++x) chars += char(x);
            i += 2;
            continue;
        }
        chars += c;
    }
    return chars;
}

} // namespace

int cmd_tr(const Args& a) {
    auto o = parse_opts("tr", a, {"dsc", "", {{"delete", 'd'}, {"squeeze-repeats", 's'}}});
    if (!o) return 1;
    auto& ops = o->operands;
    bool del = o->has('d'), squeeze = o->has('s');
    size_t need = del && !squeeze ? 1 : (del && squeeze ? 2 : (squeeze ? 1 : 2));
    if (ops.size() < need) return usage_error("tr", ops.empty() ? "missing operand" : "missing operand after '" + ops.back() + "'");
    if (ops.size() > 2 || (del && !squeeze && ops.size() > 1)) return usage_error("tr", "extra operand '" + ops.back() + "'");
    auto set1 = expand_set(ops[0]);
    std::optional<std::string> set2 = ops.size() > 1 ? expand_set(ops[1]) : std::string();
    if (!set1 || !set2) return usage_error("tr", "invalid set");
    bool in1[256] = {};
    for (char c : *set1) in1[uint8_t(c)] = true;
    if (o->has('c')) for (auto& b : in1) b = !b;
    char map[256];
    for (int i = 0; i < 256; ++i) map[i] = char(i);
    bool translate = !del && !set2->empty();
    if (translate && !o->has('c')) {
        for (size_t i = 0; i < set1->size(); ++i)
            map[uint8_t((*set1)[i])] = i < set2->size() ? (*set2)[i] : set2->back();
    }
    // Squeeze applies to the last set given.
    bool sq[256] = {};
    const std::string& sqset = (del || !translate) ? (del ? *set2 : *set1) : *set2;
    for (char c : sqset) sq[uint8_t(c)] = true;
    if (squeeze && !del && !translate && o->has('c')) for (int i = 0; i < 256; ++i) sq[i] = in1[i];
    auto text = sys::read_all(0);
    if (!text) return fail("tr", "standard input", text.error());
    std::string result;
    for (char c : *text) {
        if (del && in1[uint8_t(c)]) continue;
        char m = translate && in1[uint8_t(c)] ? map[uint8_t(c)] : c;
        if (squeeze && sq[uint8_t(m)] && !result.empty() && result.back() == m) continue;
        result += m;
    }
    out(result);
    return 0;
}

int cmd_tee(const Args& a) {
    auto o = parse_opts("tee", a, {"ai", "", {{"append", 'a'}}});
    if (!o) return 1;
    std::vector<std::pair<std::string, int>> fds;
    int rc = 0;
    for (auto& f : o->operands) {
        auto fd = sys::open(f, O_WRONLY_ | O_CREAT_ | (o->has('a') ? O_APPEND_ : O_TRUNC_), 0644);
        if (!fd) { rc = fail("tee", f, fd.error()); continue; }
        fds.push_back({f, *fd});
    }
    std::vector<char> buf(1 << 16);
    for (;;) {
        auto n = sys::read(0, buf.data(), buf.size());
        if (!n) { rc = fail("tee", "standard input", n.error()); break; }
        if (*n == 0) break;
        std::string_view chunk(buf.data(), *n);
        if (auto r = sys::write_all(1, chunk); !r) rc = fail("tee", "standard output", r.error());
        for (auto& [name, fd] : fds)
            if (auto r = sys::write_all(fd, chunk); !r) rc = fail("tee", name, r.error());
    }
    for (auto& [name, fd] : fds) (void)sys::close(fd);
    return rc;
}

} // namespace redox::userland
