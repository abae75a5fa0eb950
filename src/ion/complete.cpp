#include "ion/complete.h"

#include "ion/interp.h"

#include <cstring>
#include <set>

namespace ion {

std::vector<std::string> complete_word(Interp& in, const std::string& word, bool command_position) {
    std::set<std::string> out;
    if (!word.empty() && (word[0] == '$' || word[0] == '@')) {
        std::string pre = word.substr(1);
        for (Scope* s : in.chain)
            for (auto& [k, v] : s->vars)
                if (k.starts_with(pre)) out.insert(word[0] + k);
        if (word[0] == '$')
            for (auto& e : in.os.environ()) {
                std::string k = e.substr(0, e.find('='));
                if (k.starts_with(pre)) out.insert("$" + k);
            }
        return {out.begin(), out.end()};
    }
    if (command_position && word.find('/') == std::string::npos) {
        for (auto& [k, v] : in.builtins)
            if (k.starts_with(word)) out.insert(k);
        for (Scope* s : in.chain)
            for (auto& [k, v] : s->fns)
                if (k.starts_with(word)) out.insert(k);
        for (auto& [k, v] : in.aliases)
            if (k.starts_with(word)) out.insert(k);
        const char* path = in.os.getenv("PATH");
        std::string ps = path ? path : "";
        size_t start = 0;
        while (start <= ps.size()) {
            size_t e = ps.find(':', start);
            if (e == std::string::npos) e = ps.size();
            std::string dir = ps.substr(start, e - start);
            start = e + 1;
            auto names = in.os.readdir(dir.empty() ? "." : dir);
            if (!names) continue;
            for (auto& n : *names)
                if (n.starts_with(word)) out.insert(n);
        }
        return {out.begin(), out.end()};
    }
    size_t slash = word.rfind('/');
    std::string dir = slash == std::string::npos ? "" : word.substr(0, slash + 1);
    std::string pre = slash == std::string::npos ? word : word.substr(slash + 1);
    std::string real_dir = dir;
    if (real_dir.starts_with("~")) {
        const char* home = in.os.getenv("HOME");
        real_dir = std::string(home ? home : "") + real_dir.substr(1);
    }
    auto names = in.os.readdir(real_dir.empty() ? "." : real_dir);
    if (names) {
        for (auto& n : *names) {
            if (!n.starts_with(pre) || (n[0] == '.' && (pre.empty() || pre[0] != '.'))) continue;
            std::string full = dir + n;
            if (in.os.stat(real_dir + n).is_dir) full += "/";
            out.insert(full);
        }
    }
    return {out.begin(), out.end()};
}

bool command_position(std::string_view before) {
    size_t k = before.find_last_not_of(" \t");
    return k == std::string_view::npos || std::strchr(";|&", before[k]) != nullptr;
}

}  // namespace ion
