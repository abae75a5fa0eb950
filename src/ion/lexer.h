// Splits Ion source into tokens: words (kept as source text, with quotes and
// sigils), operators, and statement separators. Comments and line
// continuations are removed here. No <expected> (see ast.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ion {

struct Token {
    enum Kind { Word, Op, Sep, Eof };
    Kind kind = Eof;
    std::string text;
    int line = 1, col = 1;
    size_t offset = 0, end = 0;  // byte range in the source
};

struct SyntaxError {
    int line = 0, col = 0;
    std::string message;
    bool incomplete = false;  // more input could complete it (open quote, bracket, block)
};

// Returns false and fills `error` on an unterminated quote or bracket.
bool tokenize(std::string_view src, std::vector<Token>& out, SyntaxError& error);

// Splits the text between brackets (an array literal, method arguments, a
// slice) into words with the same quoting rules; comments are dropped.
std::vector<std::string> split_words(std::string_view text);

}  // namespace ion
