// Internals of word expansion, shared by expand.cpp, sigils.cpp, methods.cpp.
#pragma once

#include "ion/interp.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ion {

struct GlobPattern {
    bool enabled;
    std::string text;
    void raw(char c) {
        if (enabled) text += c;
    }
    void literal(std::string_view s) {
        if (!enabled) return;
        for (char c : s) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') text += '\\';
            text += c;
        }
    }
};

class WordExpander {
public:
    explicit WordExpander(Interp& in) : m_in(in) {}

    Expanded word(const std::string& w);

    // Sigil forms starting at w[i]; advance i past them. When w[i] does not
    // start a valid form, i is left unchanged.
    std::string dollar(const std::string& w, size_t& i);
    std::vector<std::string> at(const std::string& w, size_t& i);

    std::vector<std::string> slice_array(const std::vector<std::string>& a, std::string_view spec);
    std::string slice_string(const std::string& s, std::string_view spec);

private:
    Expanded single(const std::string& w);
    bool array_literal(const std::string& w, Expanded& result);
    std::string dquote(std::string_view s);
    std::optional<std::string> tilde(std::string_view rest);
    static std::string escape_glob(std::string_view s);

    std::string braced(std::string_view name);
    Value array_var(const std::string& name);
    std::string string_method(const std::string& name, std::string_view inner);
    std::vector<std::string> array_method(const std::string& name, std::string_view inner);
    // The method input: a bare variable name, or any word.
    Expanded method_input(const std::string& w, bool tolerate_missing);
    std::vector<std::string> method_args(const std::vector<std::string>& words, size_t from);

    Interp& m_in;
    bool m_glob_hit = false;
    bool m_glob_failed = false;
};

// Parses `A..B`, `A...B`, `A..=B`, stepped forms; nullopt if not a range.
std::optional<std::vector<std::string>> parse_range(std::string_view s, size_t limit);

std::string ansi_color(std::string_view spec, bool& ok);

}  // namespace ion
