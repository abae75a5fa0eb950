// Numbers of Ion arithmetic: 128-bit integers (fibonacci reaches ~7.9e37) or
// doubles, printed the way Ion prints them (floats always have a fraction).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ion {

struct Number {
    bool is_float = false;
    __int128 i = 0;
    double f = 0;

    static Number integer(__int128 v) { return {false, v, 0}; }
    static Number real(double v) { return {true, 0, v}; }
    double as_double() const { return is_float ? f : double(i); }
    std::string str() const;
};

std::optional<Number> parse_number(std::string_view s);
std::string int128_to_string(__int128 v);

// Evaluates an arithmetic expression; bare names are looked up with `var`.
// Returns nullopt with `error` set on a malformed expression.
std::optional<Number> eval_arith(std::string_view expr,
                                 const std::function<std::optional<std::string>(const std::string&)>& var,
                                 std::string& error);

// Binary operations used by `let a += b` and friends; op is one of
// + - * / // ** %. Division by zero gives nullopt.
std::optional<Number> apply_op(const Number& a, const Number& b, std::string_view op);

}  // namespace ion
