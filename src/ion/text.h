// Text helpers: graphemes, identifier rules, escapes, bracket matching.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ion {

// Splits UTF-8 text into grapheme clusters (a base code point followed by
// combining marks, variation selectors, ZWJ sequences and skin tones).
std::vector<std::string_view> graphemes(std::string_view s);

bool is_ident_char(unsigned char c);
// A valid variable or function name: letters (any non-ASCII counts as a
// letter), digits and '_', not starting with a digit.
bool is_identifier(std::string_view s);

// Position of the bracket closing the one at `open` (one of ( [ {), skipping
// quotes and backslash escapes; npos if unbalanced.
size_t match_bracket(std::string_view s, size_t open);

// `\n`, `\t`, `\\` and `\X` -> X, as method arguments are unescaped.
std::string unescape_arg(std::string_view s);
// The $unescape method: C-style escapes.
std::string unescape_c(std::string_view s);
// The $escape method.
std::string escape_c(std::string_view s);

std::vector<std::string> split_whitespace(std::string_view s);
std::string join(const std::vector<std::string>& v, std::string_view sep);

}  // namespace ion
