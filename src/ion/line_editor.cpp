#include "ion/line_editor.h"

#include <algorithm>

namespace ion {

namespace {

constexpr size_t kHistoryLimit = 1000;

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Columns a string takes (one per code point; escape sequences are not counted).
size_t columns(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = s[i];
        if (c == 0x1b) {
            // CSI ... final, or OSC ... BEL: invisible.
            if (i + 1 < s.size() && s[i + 1] == '[') {
                i += 2;
                while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
            } else if (i + 1 < s.size() && s[i + 1] == ']') {
                while (i < s.size() && s[i] != 0x07) ++i;
            }
            continue;
        }
        if (c < 0x20 || continuation(c)) continue;
        ++n;
    }
    return n;
}

std::string common_prefix(const std::vector<std::string>& v) {
    if (v.empty()) return {};
    std::string p = v[0];
    for (auto& s : v) {
        size_t k = 0;
        while (k < p.size() && k < s.size() && p[k] == s[k]) ++k;
        p.resize(k);
    }
    return p;
}

}  // namespace

bool LineEditor::usable() {
    if (!m_os.set_terminal_raw(m_in)) return false;
    m_os.restore_terminal(m_in);
    return true;
}

int LineEditor::read_byte() {
    char c;
    auto n = m_os.read(m_in, std::span<char>(&c, 1));
    if (!n || *n == 0) return -1;
    return (unsigned char)c;
}

size_t LineEditor::prev_char(size_t pos) const {
    if (pos == 0) return 0;
    --pos;
    while (pos > 0 && continuation(m_buf[pos])) --pos;
    return pos;
}

size_t LineEditor::next_char(size_t pos) const {
    if (pos >= m_buf.size()) return m_buf.size();
    ++pos;
    while (pos < m_buf.size() && continuation(m_buf[pos])) ++pos;
    return pos;
}

void LineEditor::redraw() {
    std::string out = "\r" + m_prompt_line + m_buf + "\x1b[K";
    size_t back = columns(std::string_view(m_buf).substr(m_cursor));
    if (back) out += "\x1b[" + std::to_string(back) + "D";
    (void)m_os.write_all(m_out, out);
}

void LineEditor::insert(std::string_view s) {
    m_buf.insert(m_cursor, s);
    m_cursor += s.size();
}

void LineEditor::complete() {
    if (!m_complete) return;
    size_t start = m_cursor;
    while (start > 0 && std::string_view(" \t;|&<>").find(m_buf[start - 1]) == std::string_view::npos) --start;
    std::string word = m_buf.substr(start, m_cursor - start);
    auto matches = m_complete(m_buf.substr(0, m_cursor), start);
    if (matches.empty()) {
        (void)m_os.write_all(m_out, "\a");
        return;
    }
    std::string prefix = common_prefix(matches);
    if (matches.size() == 1 && !prefix.ends_with('/')) prefix += ' ';
    if (prefix.size() > word.size() && prefix.starts_with(word)) {
        insert(std::string_view(prefix).substr(word.size()));
        redraw();
        return;
    }
    if (matches.size() == 1) return;
    std::string list = "\r\n";
    for (auto& m : matches) list += m + "  ";
    list += "\r\n";
    (void)m_os.write_all(m_out, list);
    redraw();
}

LineEditor::Outcome LineEditor::read_line(const std::string& prompt, std::string& line) {
    size_t nl = prompt.rfind('\n');
    m_prompt_line = nl == std::string::npos ? prompt : prompt.substr(nl + 1);
    m_buf.clear();
    m_cursor = 0;
    size_t hist = m_history.size();
    std::string scratch;  // the new line while the history is shown
    (void)m_os.write_all(m_out, prompt);
    bool raw = bool(m_os.set_terminal_raw(m_in));
    struct Restore {
        LineEditor& e;
        bool raw;
        ~Restore() {
            if (raw) e.m_os.restore_terminal(e.m_in);
        }
    } restore{*this, raw};

    auto show_history = [&](size_t to) {
        if (hist == m_history.size()) scratch = m_buf;
        hist = to;
        m_buf = hist == m_history.size() ? scratch : m_history[hist];
        m_cursor = m_buf.size();
        redraw();
    };
    for (;;) {
        int c = read_byte();
        if (c < 0) {
            if (!m_buf.empty()) {
                (void)m_os.write_all(m_out, "\r\n");
                line = m_buf;
                return Outcome::Line;
            }
            return Outcome::EndOfInput;
        }
        switch (c) {
        case '\r': case '\n':
            (void)m_os.write_all(m_out, "\r\n");
            line = m_buf;
            return Outcome::Line;
        case 0x03:  // Ctrl-C
            (void)m_os.write_all(m_out, "^C\r\n");
            line.clear();
            return Outcome::Cancelled;
        case 0x04:  // Ctrl-D
            if (m_buf.empty()) {
                (void)m_os.write_all(m_out, "\r\n");
                return Outcome::EndOfInput;
            }
            if (m_cursor < m_buf.size()) {
                m_buf.erase(m_cursor, next_char(m_cursor) - m_cursor);
                redraw();
            }
            break;
        case 0x7f: case 0x08:  // Backspace
            if (m_cursor > 0) {
                size_t p = prev_char(m_cursor);
                m_buf.erase(p, m_cursor - p);
                m_cursor = p;
                redraw();
            }
            break;
        case 0x01: m_cursor = 0; redraw(); break;                        // Ctrl-A
        case 0x05: m_cursor = m_buf.size(); redraw(); break;             // Ctrl-E
        case 0x02: m_cursor = prev_char(m_cursor); redraw(); break;      // Ctrl-B
        case 0x06: m_cursor = next_char(m_cursor); redraw(); break;      // Ctrl-F
        case 0x0b: m_buf.erase(m_cursor); redraw(); break;               // Ctrl-K
        case 0x15: m_buf.erase(0, m_cursor); m_cursor = 0; redraw(); break;  // Ctrl-U
        case 0x17: {                                                     // Ctrl-W
            size_t p = m_cursor;
            while (p > 0 && m_buf[p - 1] == ' ') --p;
            while (p > 0 && m_buf[p - 1] != ' ') --p;
            m_buf.erase(p, m_cursor - p);
            m_cursor = p;
            redraw();
            break;
        }
        case 0x0c:  // Ctrl-L
            (void)m_os.write_all(m_out, "\x1b[H\x1b[2J" + prompt.substr(0, nl == std::string::npos ? 0 : nl + 1));
            redraw();
            break;
        case 0x10: if (hist > 0) show_history(hist - 1); break;                   // Ctrl-P
        case 0x0e: if (hist < m_history.size()) show_history(hist + 1); break;    // Ctrl-N
        case '\t': complete(); break;
        case 0x1b: {  // escape sequences: ESC [ params final, ESC O final
            int c1 = read_byte();
            if (c1 != '[' && c1 != 'O') break;
            std::string params;
            int fin = read_byte();
            while (fin >= 0 && !(fin >= 0x40 && fin <= 0x7e)) {
                params += char(fin);
                fin = read_byte();
            }
            if (fin == 'A' && hist > 0) show_history(hist - 1);
            else if (fin == 'B' && hist < m_history.size()) show_history(hist + 1);
            else if (fin == 'C') { m_cursor = next_char(m_cursor); redraw(); }
            else if (fin == 'D') { m_cursor = prev_char(m_cursor); redraw(); }
            else if (fin == 'H' || (fin == '~' && (params == "1" || params == "7"))) { m_cursor = 0; redraw(); }
            else if (fin == 'F' || (fin == '~' && (params == "4" || params == "8"))) { m_cursor = m_buf.size(); redraw(); }
            else if (fin == '~' && params == "3" && m_cursor < m_buf.size()) {
                m_buf.erase(m_cursor, next_char(m_cursor) - m_cursor);
                redraw();
            }
            break;
        }
        default:
            if (c >= 0x20) {
                insert(std::string(1, char(c)));
                // Echo plainly when typing at the end of the line (the common case).
                if (m_cursor == m_buf.size()) (void)m_os.write_all(m_out, std::string(1, char(c)));
                else redraw();
            }
            break;
        }
    }
}

void LineEditor::add_history(const std::string& line) {
    if (line.find_first_not_of(" \t") == std::string::npos) return;
    if (!m_history.empty() && m_history.back() == line) return;
    m_history.push_back(line);
    if (m_history.size() > kHistoryLimit) m_history.erase(m_history.begin());
    if (m_history_file.empty() || line.find('\n') != std::string::npos) return;
    // Best effort: an unwritable history file must not disturb the shell.
    if (auto fd = m_os.open(m_history_file, kWrite | kCreate | kAppend)) {
        (void)m_os.write_all(*fd, line + "\n");
        m_os.close(*fd);
    }
}

void LineEditor::use_history_file(const std::string& path) {
    m_history_file = path;
    for (size_t p = path.find('/', 1); p != std::string::npos; p = path.find('/', p + 1))
        (void)m_os.mkdir(path.substr(0, p));
    auto fd = m_os.open(path, kRead);
    if (!fd) return;
    auto text = m_os.read_all(*fd);
    m_os.close(*fd);
    if (!text) return;
    std::vector<std::string> loaded;
    size_t pos = 0;
    while (pos < text->size()) {
        size_t nl = text->find('\n', pos);
        if (nl == std::string::npos) nl = text->size();
        if (nl > pos) loaded.emplace_back(text->substr(pos, nl - pos));
        pos = nl + 1;
    }
    if (loaded.size() > kHistoryLimit) {
        loaded.erase(loaded.begin(), loaded.end() - long(kHistoryLimit));
        std::string kept;
        for (auto& l : loaded) kept += l + "\n";
        if (auto w = m_os.open(path, kWrite | kCreate | kTruncate)) {
            (void)m_os.write_all(*w, kept);
            m_os.close(*w);
        }
    }
    m_history.insert(m_history.begin(), loaded.begin(), loaded.end());
}

}  // namespace ion
