// Tab completion shared by the interactive front ends (libedit on the host,
// the line editor in the sim): commands, $variables/@arrays and paths.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ion {

class Interp;

// Candidates for `word`; in command position builtins, functions, aliases
// and programs on $PATH, else paths (directories end in '/').
std::vector<std::string> complete_word(Interp& in, const std::string& word, bool command_position);

// Whether a word that follows `before` is a command name.
bool command_position(std::string_view before);

}  // namespace ion
