// A small emacs-style line editor over ion::Os, for terminals that are not
// the host's (the sim's ptys): the host front end uses libedit, whose keys
// this editor follows.
//
// Keys: printable text inserts at the cursor; Left/Right, Ctrl-B/F move;
// Home/End, Ctrl-A/E jump; Backspace deletes before, Delete and Ctrl-D
// (on a non-empty line) at the cursor; Ctrl-K/U kill to the end/start,
// Ctrl-W the word before; Up/Down, Ctrl-P/N walk the history; Tab completes
// (one match is inserted, several are listed after their common prefix);
// Ctrl-L clears the screen; Ctrl-C abandons the line; Ctrl-D on an empty line
// is end of input.
//
// The terminal is put in raw mode for the edit (Os::set_terminal_raw) and
// restored before the line is returned, so the command runs in the mode the
// terminal had.
#pragma once

#include "ion/os.h"

#include <functional>
#include <string>
#include <vector>

namespace ion {

class LineEditor {
public:
    enum class Outcome { Line, Cancelled, EndOfInput };
    // Candidates for the word that starts at byte `word_start` of `line`.
    using Completer = std::function<std::vector<std::string>(const std::string& line, size_t word_start)>;

    LineEditor(Os& os, int in_fd, int out_fd) : m_os(os), m_in(in_fd), m_out(out_fd) {}

    // True when the terminal on in_fd can be switched to raw mode.
    bool usable();
    Outcome read_line(const std::string& prompt, std::string& line);
    void add_history(const std::string& line);
    // Persisted history: loads `path` (one entry per line; its directory is
    // made if missing); add_history then appends to it. Entries that span
    // lines stay in memory only.
    void use_history_file(const std::string& path);
    const std::vector<std::string>& history() const { return m_history; }
    void set_completer(Completer c) { m_complete = std::move(c); }

private:
    int read_byte();  // -1 at end of input
    void redraw();
    void complete();
    void insert(std::string_view s);
    size_t prev_char(size_t pos) const;
    size_t next_char(size_t pos) const;

    Os& m_os;
    int m_in, m_out;
    std::vector<std::string> m_history;
    Completer m_complete;
    std::string m_history_file;
    // The line being edited.
    std::string m_prompt_line;  // the prompt's last line (what a redraw repeats)
    std::string m_buf;
    size_t m_cursor = 0;
};

}  // namespace ion
