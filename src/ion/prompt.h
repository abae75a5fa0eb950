// Pieces of the interactive shell that do not depend on a line editor: the
// prompt and the test for an unfinished multi-line block. Used by the host
// REPL (libedit) and the sim's console shell.
#pragma once

#include <string>

namespace ion {

class Interp;

// $PROMPT expanded (or the output of a PROMPT function); "ion$ " when it
// cannot be expanded.
std::string prompt_text(Interp& in);

// The interactive history file: $HISTFILE, else $XDG_DATA_HOME/ion/history,
// else ~/.local/share/ion/history.
std::string history_file(Interp& in);

// True when `pending` (the lines read so far, each ending in '\n') is an
// unfinished block or ends with a backslash continuation.
bool needs_more_input(const std::string& pending);

}  // namespace ion
