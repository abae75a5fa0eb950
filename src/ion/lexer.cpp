#include "ion/lexer.h"

namespace ion {

namespace {

class Lexer {
public:
    Lexer(std::string_view src, std::vector<Token>& out) : m_src(src), m_out(out) {}

    bool run(SyntaxError& error) {
        while (m_pos < m_src.size()) {
            char c = m_src[m_pos];
            if (c == ' ' || c == '\t' || c == '\r') {
                advance();
            } else if (c == '\\' && peek(1) == '\n') {
                advance();
                advance();
            } else if (c == '\n' || c == ';') {
                push_simple(Token::Sep, std::string(1, c), 1);
            } else if (c == '#') {
                skip_comment();
            } else if (size_t n = op_length(); n > 0) {
                push_simple(Token::Op, std::string(m_src.substr(m_pos, n)), n);
            } else if (!word(error)) {
                return false;
            }
        }
        Token t;
        t.kind = Token::Eof;
        t.line = m_line;
        t.col = m_col;
        t.offset = t.end = m_src.size();
        m_out.push_back(t);
        return true;
    }

private:
    char peek(size_t k) const { return m_pos + k < m_src.size() ? m_src[m_pos + k] : '\0'; }

    void advance() {
        if (m_src[m_pos] == '\n') {
            ++m_line;
            m_col = 1;
        } else if ((static_cast<unsigned char>(m_src[m_pos]) & 0xC0) != 0x80) {
            ++m_col;
        }
        ++m_pos;
    }

    void skip_comment() {
        while (m_pos < m_src.size() && m_src[m_pos] != '\n') advance();
    }

    void push_simple(Token::Kind k, std::string text, size_t n) {
        Token t;
        t.kind = k;
        t.text = std::move(text);
        t.line = m_line;
        t.col = m_col;
        t.offset = m_pos;
        for (size_t i = 0; i < n; ++i) advance();
        t.end = m_pos;
        m_out.push_back(std::move(t));
    }

    // Operators are recognised at the start of a word only.
    size_t op_length() const {
        std::string_view r = m_src.substr(m_pos);
        static constexpr std::string_view ops[] = {"&&", "||", "&|", "^|", "&>>", "&>", "^>>", "^>",
                                                   ">>", ">", "<<<", "<<", "<", "&!", "&", "|"};
        for (auto op : ops) {
            if (r.substr(0, op.size()) == op) return op.size();
        }
        return 0;
    }

    bool word(SyntaxError& error) {
        Token t;
        t.kind = Token::Word;
        t.line = m_line;
        t.col = m_col;
        t.offset = m_pos;
        int depth = 0;       // ( and [ : may span lines
        int braces = 0;      // { : groups spaces within a line
        int open_line = m_line, open_col = m_col;
        std::string& w = t.text;
        while (m_pos < m_src.size()) {
            char c = m_src[m_pos];
            if (c == '\'' || c == '"') {
                int ql = m_line, qc = m_col;
                if (!quoted(w, c)) {
                    error = {ql, qc, "unterminated quote", true};
                    return false;
                }
                continue;
            }
            if (c == '\\') {
                if (peek(1) == '\n') {
                    if (depth == 0 && braces == 0) break;  // continuation: ends the word
                    advance();
                    advance();
                    continue;
                }
                w += c;
                advance();
                if (m_pos < m_src.size()) {
                    w += m_src[m_pos];
                    advance();
                }
                continue;
            }
            bool top = depth == 0 && braces == 0;
            if (top && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '|'))
                break;
            if (top && c == '&' && (peek(1) == '&' || peek(1) == '|' || peek(1) == '>')) break;
            if (depth == 0 && braces > 0 && (c == '\n' || c == ';')) break;
            if (depth > 0 && c == '#' && !w.empty() &&
                (w.back() == ' ' || w.back() == '\t' || w.back() == '\n')) {
                skip_comment();
                continue;
            }
            if (c == '(' || c == '[') {
                if (depth == 0) {
                    open_line = m_line;
                    open_col = m_col;
                }
                ++depth;
            } else if ((c == ')' || c == ']') && depth > 0) {
                --depth;
            } else if (c == '{') {
                ++braces;
            } else if (c == '}' && braces > 0) {
                --braces;
            }
            if (c == '\r') {
                advance();
                continue;
            }
            w += c;
            advance();
        }
        if (depth > 0) {
            error = {open_line, open_col, "unterminated bracket or parenthesis", true};
            return false;
        }
        t.end = m_pos;
        m_out.push_back(std::move(t));
        return true;
    }

    // Copies a quoted section (quotes included) into w, dropping
    // backslash-newline pairs (and, in single quotes, the next line's indent).
    bool quoted(std::string& w, char q) {
        w += q;
        advance();
        while (m_pos < m_src.size()) {
            char c = m_src[m_pos];
            if (c == '\\' && peek(1) == '\n') {
                advance();
                advance();
                if (q == '\'') {
                    while (m_pos < m_src.size() && (m_src[m_pos] == ' ' || m_src[m_pos] == '\t')) advance();
                }
                continue;
            }
            if (q == '"' && c == '\\' && m_pos + 1 < m_src.size()) {
                w += c;
                advance();
                w += m_src[m_pos];
                advance();
                continue;
            }
            w += c;
            advance();
            if (c == q) return true;
        }
        return false;
    }

    std::string_view m_src;
    std::vector<Token>& m_out;
    size_t m_pos = 0;
    int m_line = 1, m_col = 1;
};

}  // namespace

bool tokenize(std::string_view src, std::vector<Token>& out, SyntaxError& error) {
    return Lexer(src, out).run(error);
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::string cur;
    bool have = false;
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quote) {
            cur += c;
            if (c == '\\' && quote == '"' && i + 1 < text.size()) {
                cur += text[++i];
            } else if (c == quote) {
                quote = 0;
            }
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            cur += c;
            have = true;
            continue;
        }
        if (c == '\\' && i + 1 < text.size()) {
            cur += c;
            cur += text[++i];
            have = true;
            continue;
        }
        if (depth == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
            if (have) words.push_back(std::move(cur));
            cur.clear();
            have = false;
            continue;
        }
        if (depth == 0 && c == '#' && !have) {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') ++depth;
        else if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
        cur += c;
        have = true;
    }
    if (have) words.push_back(std::move(cur));
    return words;
}

}  // namespace ion
