// init script lines -> InitCommand (grammar in init_script.h).
#include "installer/init_script.h"

#include <cerrno>

#include <fmt/format.h>

namespace redox::installer {

namespace {

struct Word {
    std::string text;
    bool quoted_start = false;   // "A=b" in quotes is a word, not an assignment
};

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

bool is_name(std::string_view s) {
    if (s.empty() || !is_name_start(s[0]))
        return false;
    for (char c : s)
        if (!is_name_char(c))
            return false;
    return true;
}

// "VAR=val" with VAR a name, unquoted at its start.
bool is_assignment(const Word& w) {
    size_t eq = w.text.find('=');
    return !w.quoted_start && eq != std::string::npos && is_name(std::string_view(w.text).substr(0, eq));
}

class LineParser {
public:
    LineParser(std::string_view line, std::string origin) : m_line(line), m_origin(std::move(origin)) {}

    std::unexpected<Error> bad(std::string_view what) const {
        return std::unexpected(Error(EINVAL, fmt::format("init {}: {}", m_origin, what)));
    }

    Result<std::vector<Word>> words() {
        std::vector<Word> out;
        size_t i = 0;
        const size_t n = m_line.size();
        while (true) {
            while (i < n && (m_line[i] == ' ' || m_line[i] == '\t' || m_line[i] == '\r'))
                ++i;
            if (i == n || m_line[i] == '#')
                return out;
            Word w;
            w.quoted_start = m_line[i] == '"';
            while (i < n && m_line[i] != ' ' && m_line[i] != '\t' && m_line[i] != '\r') {
                char c = m_line[i];
                if (c == '\0')
                    return bad("NUL byte in script");
                if (c != '"') {
                    w.text += c;
                    ++i;
                    continue;
                }
                ++i;   // opening quote
                while (true) {
                    if (i == n)
                        return bad("unterminated double quote");
                    c = m_line[i++];
                    if (c == '"')
                        break;
                    if (c == '\\' && i < n && (m_line[i] == '"' || m_line[i] == '\\'))
                        c = m_line[i++];
                    if (c == '\0')
                        return bad("NUL byte in script");
                    w.text += c;
                }
            }
            out.push_back(std::move(w));
        }
    }

    const std::string& origin() const { return m_origin; }

private:
    std::string_view m_line;
    std::string m_origin;
};

using Kind = InitCommand::Kind;

// [VAR=val...] CMD ARGS... from words[from..] into cmd.
Result<void> take_program(const LineParser& lp, const std::vector<Word>& words, size_t from, InitCommand& cmd,
                          std::string_view keyword) {
    size_t i = from;
    for (; i < words.size() && is_assignment(words[i]); ++i) {
        size_t eq = words[i].text.find('=');
        cmd.env.emplace_back(words[i].text.substr(0, eq), words[i].text.substr(eq + 1));
    }
    if (i == words.size())
        return keyword.empty() ? lp.bad("environment assignments without a command")
                               : lp.bad(fmt::format("'{}' needs a command", keyword));
    for (; i < words.size(); ++i)
        cmd.args.push_back(words[i].text);
    return {};
}

Result<void> check_count(const LineParser& lp, const InitCommand& cmd, std::string_view keyword, size_t min,
                         size_t max) {
    size_t n = cmd.args.size();
    if (n < min || n > max) {
        std::string want = min == max ? fmt::format("exactly {}", min)
                           : max == SIZE_MAX ? fmt::format("at least {}", min)
                                             : fmt::format("{} to {}", min, max);
        bool one = min == 1 && (max == 1 || max == SIZE_MAX);
        return lp.bad(fmt::format("'{}' takes {} argument{}, got {}", keyword, want, one ? "" : "s", n));
    }
    return {};
}

Result<InitCommand> parse_line(const LineParser& lp, const std::vector<Word>& words) {
    InitCommand cmd;
    cmd.origin = lp.origin();
    const std::string& head = words[0].text;
    auto rest = [&] {
        for (size_t i = 1; i < words.size(); ++i)
            cmd.args.push_back(words[i].text);
    };
    struct Simple { std::string_view name; Kind kind; size_t min, max; };
    static constexpr Simple simple[] = {
        {"cd", Kind::Cd, 1, 1},
        {"echo", Kind::Echo, 0, SIZE_MAX},
        {"unset", Kind::Unset, 1, SIZE_MAX},
        {"stdio", Kind::Stdio, 1, 1},
        {"set-default-scheme", Kind::SetDefaultScheme, 1, 1},
        {"run", Kind::RunScript, 1, 1},
        {"run.d", Kind::RunD, 1, SIZE_MAX},
        {"requires_weak", Kind::RequiresWeak, 1, SIZE_MAX},
    };
    // A quoted first word is always a program name, never a keyword.
    if (!words[0].quoted_start) {
        for (const auto& s : simple) {
            if (head != s.name)
                continue;
            cmd.kind = s.kind;
            rest();
            TRY(check_count(lp, cmd, s.name, s.min, s.max));
            if (s.kind == Kind::Unset)
                for (const auto& a : cmd.args)
                    if (!is_name(a))
                        return lp.bad(fmt::format("'unset': \"{}\" is not a variable name", a));
            return cmd;
        }
        if (head == "export") {
            cmd.kind = Kind::Export;
            rest();
            TRY(check_count(lp, cmd, "export", 1, SIZE_MAX));
            if (size_t eq = cmd.args[0].find('='); eq != std::string::npos) {
                if (cmd.args.size() != 1)
                    return lp.bad("'export VAR=VALUE' takes no further words");
                std::string a = cmd.args[0];
                cmd.args = {a.substr(0, eq), a.substr(eq + 1)};
            }
            if (!is_name(cmd.args[0]))
                return lp.bad(fmt::format("'export': \"{}\" is not a variable name", cmd.args[0]));
            return cmd;
        }
        if (head == "notify" || head == "nowait" || head == "notify_parallel") {
            cmd.kind = head == "nowait" ? Kind::Nowait : Kind::Notify;
            cmd.parallel = head == "notify_parallel";
            TRY(take_program(lp, words, 1, cmd, head));
            return cmd;
        }
        if (head == "scheme") {
            cmd.kind = Kind::Scheme;
            if (words.size() < 2)
                return lp.bad("'scheme' needs a scheme name and a command");
            cmd.args.push_back(words[1].text);
            TRY(take_program(lp, words, 2, cmd, "scheme NAME"));
            return cmd;
        }
    }
    cmd.kind = Kind::Run;
    TRY(take_program(lp, words, 0, cmd, ""));
    return cmd;
}

} // namespace

Result<std::vector<InitCommand>> parse_init_script(std::string_view text, std::string_view filename) {
    std::vector<InitCommand> out;
    size_t line_no = 0;
    for (size_t pos = 0; pos < text.size();) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        ++line_no;
        LineParser lp(text.substr(pos, end - pos), fmt::format("{}:{}", filename, line_no));
        pos = end + 1;
        auto words = TRY(lp.words());
        if (words.empty())
            continue;
        out.push_back(TRY(parse_line(lp, words)));
    }
    return out;
}

std::string expand_vars(std::string_view arg, const std::function<const char*(std::string_view)>& getenv) {
    std::string out;
    for (size_t i = 0; i < arg.size();) {
        if (arg[i] != '$' || i + 1 == arg.size()) {
            out += arg[i++];
            continue;
        }
        size_t start = i + 1, end;
        bool braced = arg[start] == '{';
        if (braced) {
            end = arg.find('}', start + 1);
            if (end == std::string_view::npos || !is_name(arg.substr(start + 1, end - start - 1))) {
                out += arg[i++];
                continue;
            }
        } else {
            end = start;
            if (!is_name_start(arg[end])) {
                out += arg[i++];
                continue;
            }
            while (end < arg.size() && is_name_char(arg[end]))
                ++end;
        }
        std::string_view name = braced ? arg.substr(start + 1, end - start - 1) : arg.substr(start, end - start);
        if (const char* v = getenv(name))
            out += v;
        i = braced ? end + 1 : end;
    }
    return out;
}

} // namespace redox::installer
