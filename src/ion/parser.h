// Builds the syntax tree from tokens. Never throws and never crashes on bad
// input: errors come back as SyntaxError with a line and column.
#pragma once

#include "ion/ast.h"
#include "ion/lexer.h"

#include <string_view>

namespace ion {

// Parses a whole script into `out`. On failure returns false with `error` set;
// error.incomplete says the input ended inside a quote, bracket or block.
bool parse_script(std::string_view src, Block& out, SyntaxError& error);

}  // namespace ion
