#include "ion/parser.h"

namespace ion {

namespace {

constexpr int kMaxNesting = 200;  // blocks deeper than this are rejected, not recursed into

class Parser {
public:
    Parser(std::string_view src, std::vector<Token>& toks) : m_src(src), m_toks(toks) {}

    bool parse(Block& out, SyntaxError& error) {
        const char* end_kw = nullptr;
        if (!block(out, 0, end_kw)) {
            error = m_error;
            return false;
        }
        if (end_kw) {  // a stray terminator at top level
            error = {m_stop_tok.line, m_stop_tok.col, std::string("unexpected '") + end_kw + "'", false};
            return false;
        }
        return true;
    }

private:
    using Stmt_ = std::vector<Token>;

    bool fail(const Token& t, std::string msg, bool incomplete = false) {
        m_error = {t.line, t.col, std::move(msg), incomplete};
        return false;
    }

    // Collects the tokens of the next statement (up to a separator). Returns
    // false at end of input.
    bool next_statement(Stmt_& st) {
        st.clear();
        while (m_i < m_toks.size()) {
            const Token& t = m_toks[m_i];
            if (t.kind == Token::Eof) return !st.empty();
            ++m_i;
            if (t.kind == Token::Sep) {
                if (!st.empty()) return true;
                continue;
            }
            st.push_back(t);
        }
        return !st.empty();
    }

    static bool is_word(const Token& t, std::string_view w) {
        return t.kind == Token::Word && t.text == w;
    }

    // Parses statements until `end`, `else` or `case` (reported in `stop`),
    // or end of input (stop stays null).
    bool block(Block& out, int depth, const char*& stop) {
        stop = nullptr;
        if (depth > kMaxNesting) return fail(m_toks[std::min(m_i, m_toks.size() - 1)], "blocks nested too deeply");
        Stmt_ st;
        while (next_statement(st)) {
            const Token& head = st[0];
            if (is_word(head, "end")) {
                if (st.size() > 1) return fail(st[1], "unexpected words after 'end'");
                stop = "end";
                m_stop_tok = head;
                return true;
            }
            if (is_word(head, "else")) {
                stop = "else";
                m_stop_tok = head;
                m_stop_stmt = st;
                return true;
            }
            if (is_word(head, "case")) {
                stop = "case";
                m_stop_tok = head;
                m_stop_stmt = st;
                return true;
            }
            Stmt s;
            if (!statement(st, s, depth)) return false;
            out.push_back(std::move(s));
        }
        return true;
    }

    bool expect_end(const char* stop, const Token& opener, const char* what) {
        if (!stop) return fail(opener, std::string("unclosed '") + what + "' block (missing 'end')", true);
        if (std::string_view(stop) != "end")
            return fail(m_stop_tok, std::string("unexpected '") + stop + "' in '" + what + "' block");
        return true;
    }

    bool statement(Stmt_& st, Stmt& s, int depth) {
        const Token& head = st[0];
        s.line = head.line;
        s.col = head.col;
        if (head.kind == Token::Word) {
            const std::string& w = head.text;
            if (w == "let" || w == "export") {
                s.kind = w == "let" ? Stmt::Let : Stmt::Export;
                for (size_t i = 1; i < st.size(); ++i) {
                    if (st[i].kind != Token::Word) return fail(st[i], "unexpected '" + st[i].text + "' in " + w);
                    s.words.push_back(st[i].text);
                }
                return true;
            }
            if (w == "if") return if_stmt(st, s, depth);
            if (w == "while") {
                s.kind = Stmt::While;
                if (st.size() < 2) return fail(head, "'while' needs a condition");
                s.conds.emplace_back();
                if (!chain(st, 1, s.conds.back())) return false;
                s.blocks.emplace_back();
                const char* stop;
                if (!block(s.blocks.back(), depth + 1, stop)) return false;
                return expect_end(stop, head, "while");
            }
            if (w == "for") return for_stmt(st, s, depth);
            if (w == "match") return match_stmt(st, s, depth);
            if (w == "fn") return fn_stmt(st, s, depth);
            if (w == "break" || w == "continue") {
                s.kind = w == "break" ? Stmt::Break : Stmt::Continue;
                return true;
            }
            if (w == "return") {
                s.kind = Stmt::Return;
                for (size_t i = 1; i < st.size(); ++i) s.words.push_back(st[i].text);
                return true;
            }
            if (w == "time" && st.size() > 1) {
                s.kind = Stmt::Time;
                return chain(st, 1, s.chain);
            }
        }
        s.kind = Stmt::Run;
        return chain(st, 0, s.chain);
    }

    bool if_stmt(Stmt_& st, Stmt& s, int depth) {
        s.kind = Stmt::If;
        const Token head = st[0];
        Stmt_ cur = st;
        size_t from = 1;
        for (;;) {
            if (cur.size() <= from) return fail(cur[0], "'if' needs a condition");
            s.conds.emplace_back();
            if (!chain(cur, from, s.conds.back())) return false;
            s.blocks.emplace_back();
            const char* stop;
            if (!block(s.blocks.back(), depth + 1, stop)) return false;
            if (!stop) return fail(head, "unclosed 'if' block (missing 'end')", true);
            if (std::string_view(stop) == "end") return true;
            if (std::string_view(stop) == "case") return fail(m_stop_tok, "unexpected 'case' in 'if' block");
            cur = m_stop_stmt;  // an `else` statement
            if (cur.size() >= 2 && is_word(cur[1], "if")) {
                from = 2;
                continue;
            }
            s.blocks.emplace_back();
            if (cur.size() > 1) {  // `else cmd` on one line: cmd opens the else block
                Stmt_ first(cur.begin() + 1, cur.end());
                Stmt inner;
                if (!statement(first, inner, depth + 1)) return false;
                s.blocks.back().push_back(std::move(inner));
            }
            if (!block(s.blocks.back(), depth + 1, stop)) return false;
            return expect_end(stop, head, "if");
        }
    }

    bool for_stmt(Stmt_& st, Stmt& s, int depth) {
        s.kind = Stmt::For;
        size_t i = 1;
        for (; i < st.size() && !is_word(st[i], "in"); ++i) {
            if (st[i].kind != Token::Word) return fail(st[i], "unexpected '" + st[i].text + "' in for");
            s.words.push_back(st[i].text);
        }
        if (i >= st.size()) return fail(st[0], "'for' needs 'in'");
        if (s.words.empty()) return fail(st[0], "'for' needs a variable");
        for (++i; i < st.size(); ++i) {
            if (st[i].kind != Token::Word) return fail(st[i], "unexpected '" + st[i].text + "' in for");
            s.items.push_back(st[i].text);
        }
        s.blocks.emplace_back();
        const char* stop;
        if (!block(s.blocks.back(), depth + 1, stop)) return false;
        return expect_end(stop, st[0], "for");
    }

    bool match_stmt(Stmt_& st, Stmt& s, int depth) {
        s.kind = Stmt::Match;
        const Token head = st[0];
        for (size_t i = 1; i < st.size(); ++i) s.words.push_back(st[i].text);
        // Statements before the first `case` are not allowed.
        Block junk;
        const char* stop;
        if (!block(junk, depth + 1, stop)) return false;
        if (!junk.empty()) return fail(head, "'match' expects 'case' lines");
        while (stop && std::string_view(stop) == "case") {
            Stmt_ c = m_stop_stmt;
            MatchCase mc;
            size_t i = 1;
            for (; i < c.size() && !is_word(c[i], "if"); ++i) mc.patterns.push_back(c[i].text);
            if (i < c.size()) {
                mc.has_guard = true;
                if (!chain(c, i + 1, mc.guard)) return false;
            }
            if (mc.patterns.size() == 1 && mc.patterns[0] == "_") mc.patterns.clear();
            if (!block(mc.body, depth + 1, stop)) return false;
            s.cases.push_back(std::move(mc));
        }
        return expect_end(stop, head, "match");
    }

    bool fn_stmt(Stmt_& st, Stmt& s, int depth) {
        s.kind = Stmt::Fn;
        auto def = std::make_shared<FnDef>();
        if (st.size() < 2) {  // bare `fn` lists functions
            s.kind = Stmt::Run;
            return chain(st, 0, s.chain);
        }
        def->name = st[1].text;
        size_t i = 2;
        for (; i < st.size(); ++i) {
            if (is_word(st[i], "--")) {
                std::string desc;
                size_t from = st[i].end;
                size_t to = st.back().end;
                desc = std::string(m_src.substr(from, to - from));
                size_t a = desc.find_first_not_of(" \t");
                def->description = a == std::string::npos ? "" : desc.substr(a);
                break;
            }
            def->params.push_back(st[i].text);
        }
        const char* stop;
        if (!block(def->body, depth + 1, stop)) return false;
        if (!expect_end(stop, st[0], "fn")) return false;
        s.fn = std::move(def);
        return true;
    }

    // Parses pipelines joined by && / || from st[from..].
    bool chain(Stmt_& st, size_t from, Chain& c) {
        size_t i = from;
        if (i < st.size() && (is_word(st[i], "and") || is_word(st[i], "or"))) {
            c.prefix = st[i].text == "and" ? ChainPrefix::And : ChainPrefix::Or;
            ++i;
        }
        if (i < st.size()) {
            size_t a = st[i].offset, b = st.back().end;
            c.source = std::string(m_src.substr(a, b - a));
        }
        for (;;) {
            Pipeline p;
            while (i < st.size() && (is_word(st[i], "not") || is_word(st[i], "!"))) {
                p.negate = !p.negate;
                ++i;
            }
            Command cmd;
            for (;;) {
                if (i >= st.size()) break;
                const Token& t = st[i];
                if (t.kind == Token::Word) {
                    if (cmd.words.empty()) {
                        cmd.line = t.line;
                        cmd.col = t.col;
                    }
                    cmd.words.push_back(t.text);
                    ++i;
                    continue;
                }
                const std::string& op = t.text;
                if (op == "|" || op == "^|" || op == "&|") {
                    if (cmd.words.empty()) return fail(t, "expected a command before '" + op + "'");
                    p.cmds.push_back(std::move(cmd));
                    cmd = Command{};
                    p.pipes.push_back(op == "|" ? PipeKind::Out : op == "^|" ? PipeKind::Err : PipeKind::Both);
                    ++i;
                    continue;
                }
                if (op == "&&" || op == "||" || op == "&" || op == "&!") break;
                RedirKind k;
                if (op == ">") k = RedirKind::Out;
                else if (op == ">>") k = RedirKind::Append;
                else if (op == "^>") k = RedirKind::Err;
                else if (op == "^>>") k = RedirKind::ErrAppend;
                else if (op == "&>") k = RedirKind::Both;
                else if (op == "&>>") k = RedirKind::BothAppend;
                else if (op == "<") k = RedirKind::In;
                else if (op == "<<<") k = RedirKind::HereString;
                else if (op == "<<") return fail(t, "heredocs are deprecated and not supported");
                else return fail(t, "unexpected '" + op + "'");
                if (i + 1 >= st.size() || st[i + 1].kind != Token::Word)
                    return fail(t, "expected a file name after '" + op + "'");
                cmd.redirs.push_back({k, st[i + 1].text});
                i += 2;
            }
            if (cmd.words.empty()) {
                const Token& t = i < st.size() ? st[i] : st.back();
                return fail(t, "expected a command");
            }
            p.cmds.push_back(std::move(cmd));
            if (i < st.size() && (st[i].text == "&" || st[i].text == "&!")) {
                p.background = true;
                p.disown = st[i].text == "&!";
                ++i;
            }
            c.items.push_back(std::move(p));
            if (i >= st.size()) return true;
            const Token& t = st[i];
            if (t.kind == Token::Op && (t.text == "&&" || t.text == "||")) {
                c.ops.push_back(t.text == "&&" ? ChainOp::And : ChainOp::Or);
                ++i;
                if (i >= st.size()) return fail(t, "expected a command after '" + t.text + "'", true);
                continue;
            }
            return fail(t, "unexpected '" + t.text + "'");
        }
    }

    std::string_view m_src;
    std::vector<Token>& m_toks;
    size_t m_i = 0;
    SyntaxError m_error;
    Token m_stop_tok;
    Stmt_ m_stop_stmt;
};

}  // namespace

bool parse_script(std::string_view src, Block& out, SyntaxError& error) {
    std::vector<Token> toks;
    if (!tokenize(src, toks, error)) return false;
    Parser p(src, toks);
    if (!p.parse(out, error)) return false;
    return true;
}

}  // namespace ion
