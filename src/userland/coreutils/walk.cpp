// find, du: walking directory trees (symlinks are not followed).
#include "userland/coreutils/util.h"

#include <algorithm>
#include <fnmatch.h>
#include <functional>

namespace redox::userland {

namespace {

struct FindTest {
    enum Kind { Name, IName, Type, Path } kind;
    std::string arg;
    bool negate = false;
};

char type_letter(uint16_t mode) {
    switch (mode & MODE_TYPE) {
    case MODE_DIR: return 'd';
    case MODE_SYMLINK: return 'l';
    case MODE_CHR: return 'c';
    case MODE_FIFO: return 'p';
    case MODE_SOCK: return 's';
    default: return 'f';
    }
}

} // namespace

// find [PATH...] [-maxdepth N] [-mindepth N] [-name P] [-iname P] [-path P]
// [-type f|d|l|c|p|s] [! TEST] [-print]: tests are ANDed.
int cmd_find(const Args& a) {
    Args roots;
    size_t i = 0;
    for (; i < a.size() && !a[i].starts_with('-') && a[i] != "!"; ++i) roots.push_back(a[i]);
    if (roots.empty()) roots.push_back(".");
    std::vector<FindTest> tests;
    long long maxdepth = -1, mindepth = 0;
    bool negate = false;
    for (; i < a.size(); ++i) {
        const std::string& t = a[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= a.size()) return std::nullopt;
            return a[++i];
        };
        if (t == "!" || t == "-not") { negate = !negate; continue; }
        if (t == "-print") continue;
        std::optional<std::string> v = value();
        if (!v) return usage_error("find", "missing argument to '" + t + "'");
        if (t == "-maxdepth" || t == "-mindepth") {
            long long n;
            if (!parse_int(*v, n) || n < 0) return usage_error("find", "invalid argument '" + *v + "' to '" + t + "'");
            (t == "-maxdepth" ? maxdepth : mindepth) = n;
            continue;
        }
        FindTest ft{FindTest::Name, *v, negate};
        negate = false;
        if (t == "-name") ft.kind = FindTest::Name;
        else if (t == "-iname") ft.kind = FindTest::IName;
        else if (t == "-path" || t == "-wholename") ft.kind = FindTest::Path;
        else if (t == "-type") {
            ft.kind = FindTest::Type;
            if (v->size() != 1 || std::string_view("fdlcps").find((*v)[0]) == std::string_view::npos)
                return usage_error("find", "unknown argument to -type: " + *v);
        } else {
            return usage_error("find", "unknown predicate '" + t + "'");
        }
        tests.push_back(ft);
    }
    std::string text;
    int rc = 0;
    std::function<void(const std::string&, long long)> walk = [&](const std::string& path, long long depth) {
        auto st = lstat(path);
        if (!st) { rc = fail("find", "'" + path + "'", st.error()); return; }
        bool match = depth >= mindepth;
        for (auto& t : tests) {
            if (!match) break;
            bool ok = false;
            std::string base = base_name(path);
            switch (t.kind) {
            case FindTest::Name: ok = fnmatch(t.arg.c_str(), base.c_str(), 0) == 0; break;
            case FindTest::IName: ok = fnmatch(t.arg.c_str(), base.c_str(), FNM_CASEFOLD) == 0; break;
            case FindTest::Path: ok = fnmatch(t.arg.c_str(), path.c_str(), 0) == 0; break;
            case FindTest::Type: ok = type_letter(st->st_mode) == t.arg[0]; break;
            }
            match = ok != t.negate;
        }
        if (match) text += path + "\n";
        if ((st->st_mode & MODE_TYPE) != MODE_DIR || (maxdepth >= 0 && depth >= maxdepth)) return;
        auto entries = sys::read_dir(path);
        if (!entries) { rc = fail("find", "'" + path + "'", entries.error()); return; }
        std::sort(entries->begin(), entries->end(), [](auto& x, auto& y) { return x.name < y.name; });
        for (auto& e : *entries) walk(join_path(path, e.name), depth + 1);
    };
    for (auto& r : roots) walk(r, 0);
    out(text);
    return rc;
}

// du: apparent sizes (the sim's file systems report sizes, not allocation),
// in KiB rounded up per file unless -b or -h.
int cmd_du(const Args& a) {
    auto o = parse_opts("du", a, {"sahbkc", "d", {{"summarize", 's'}, {"all", 'a'}, {"human-readable", 'h'}, {"bytes", 'b'},
                                                  {"max-depth", 'd'}, {"total", 'c'}}});
    if (!o) return 1;
    long long max_depth = -1;
    if (o->values.count('d') && (!parse_int(o->value('d'), max_depth) || max_depth < 0))
        return usage_error("du", "invalid maximum depth '" + o->value('d') + "'");
    if (o->has('s')) max_depth = 0;
    auto show = [&](uint64_t bytes) {
        if (o->has('h')) return human_size(bytes);
        if (o->has('b')) return std::to_string(bytes);
        return std::to_string((bytes + 1023) / 1024);
    };
    auto charge = [&](uint64_t size) { return o->has('b') || o->has('h') ? size : (size + 1023) / 1024 * 1024; };
    std::string text;
    int rc = 0;
    std::function<uint64_t(const std::string&, long long)> walk = [&](const std::string& path, long long depth) -> uint64_t {
        auto st = lstat(path);
        if (!st) { rc = fail("du", "cannot access '" + path + "'", st.error()); return 0; }
        if ((st->st_mode & MODE_TYPE) != MODE_DIR) {
            uint64_t n = charge(st->st_size);
            if (depth == 0 || (o->has('a') && (max_depth < 0 || depth <= max_depth))) text += show(n) + "\t" + path + "\n";
            return n;
        }
        uint64_t total = 0;
        auto entries = sys::read_dir(path);
        if (!entries) rc = fail("du", "cannot read directory '" + path + "'", entries.error());
        else {
            std::sort(entries->begin(), entries->end(), [](auto& x, auto& y) { return x.name < y.name; });
            for (auto& e : *entries) total += walk(join_path(path, e.name), depth + 1);
        }
        if (max_depth < 0 || depth <= max_depth) text += show(total) + "\t" + path + "\n";
        return total;
    };
    Args roots = o->operands.empty() ? Args{"."} : o->operands;
    uint64_t grand = 0;
    for (auto& r : roots) grand += walk(r, 0);
    if (o->has('c')) text += show(grand) + "\ttotal\n";
    out(text);
    return rc;
}

} // namespace redox::userland
