// The interactive front end: prompt from $PROMPT (or a PROMPT function),
// libedit line editing with persisted history and tab completion, multi-line
// blocks, and Ctrl-C that interrupts the foreground job, not the shell.
#pragma once

#include "ion/shell.h"

namespace ion {

int run_repl(Shell& shell);

}  // namespace ion
