#include "ion/number.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace ion {

std::string int128_to_string(__int128 v) {
    // The common case (fits 64 bits) without 128-bit divisions.
    if (v >= INT64_MIN && v <= INT64_MAX) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, int64_t(v));
        return std::string(buf, r.ptr);
    }
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    std::string s;
    while (u) {
        s += char('0' + int(u % 10));
        u /= 10;
    }
    if (neg) s += '-';
    return std::string(s.rbegin(), s.rend());
}

std::string format_float(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, r.ptr);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

std::string Number::str() const { return is_float ? format_float(f) : int128_to_string(i); }

std::optional<Number> parse_number(std::string_view s) {
    if (s.empty()) return std::nullopt;
    size_t p = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        p = 1;
    }
    if (p >= s.size()) return std::nullopt;
    // Up to 18 digits (the loop counters of scripts): one pass in 64 bits.
    if (s.size() - p <= 18) {
        int64_t v = 0;
        size_t k = p;
        for (; k < s.size() && s[k] >= '0' && s[k] <= '9'; ++k) v = v * 10 + (s[k] - '0');
        if (k == s.size()) return Number::integer(neg ? -__int128(v) : __int128(v));
    }
    bool digits_only = true;
    for (size_t k = p; k < s.size(); ++k) digits_only &= (s[k] >= '0' && s[k] <= '9');
    if (digits_only && s.size() - p <= 38) {
        __int128 v = 0;
        for (size_t k = p; k < s.size(); ++k) v = v * 10 + (s[k] - '0');
        return Number::integer(neg ? -v : v);
    }
    // Floats: digits with one '.', optional exponent; no hex, inf or nan words.
    for (char c : s.substr(p)) {
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
            return std::nullopt;
    }
    double d = 0;
    auto r = std::from_chars(s.data() + p, s.data() + s.size(), d);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return Number::real(neg ? -d : d);
}

std::optional<Number> apply_op(const Number& a, const Number& b, std::string_view op) {
    bool fl = a.is_float || b.is_float;
    __int128 r;
    // Integer overflow continues in floating point rather than wrapping.
    if (op == "+") {
        if (!fl && !__builtin_add_overflow(a.i, b.i, &r)) return Number::integer(r);
        return Number::real(a.as_double() + b.as_double());
    }
    if (op == "-") {
        if (!fl && !__builtin_sub_overflow(a.i, b.i, &r)) return Number::integer(r);
        return Number::real(a.as_double() - b.as_double());
    }
    if (op == "*") {
        if (!fl && !__builtin_mul_overflow(a.i, b.i, &r)) return Number::integer(r);
        return Number::real(a.as_double() * b.as_double());
    }
    if (op == "/") {
        if (!fl) {
            if (b.i == 0) return std::nullopt;
            if (b.i == -1) return apply_op(a, Number::integer(-1), "*");
            if (a.i % b.i == 0) return Number::integer(a.i / b.i);
        }
        if (b.as_double() == 0) return std::nullopt;
        return Number::real(a.as_double() / b.as_double());
    }
    if (op == "//") {
        if (fl) {
            if (b.as_double() == 0) return std::nullopt;
            return Number::real(std::floor(a.as_double() / b.as_double()));
        }
        if (b.i == 0) return std::nullopt;
        if (b.i == -1) return apply_op(a, Number::integer(-1), "*");
        __int128 q = a.i / b.i;
        if ((a.i % b.i != 0) && ((a.i < 0) != (b.i < 0))) --q;
        return Number::integer(q);
    }
    if (op == "%") {
        if (fl) return Number::real(std::fmod(a.as_double(), b.as_double()));
        if (b.i == 0) return std::nullopt;
        if (b.i == -1) return Number::integer(0);
        return Number::integer(a.i % b.i);
    }
    if (op == "**") return Number::real(std::pow(a.as_double(), b.as_double()));
    return std::nullopt;
}

namespace {

class Arith {
public:
    Arith(std::string_view s, const std::function<std::optional<std::string>(const std::string&)>& var)
        : m_s(s), m_var(var) {}

    std::optional<Number> run(std::string& error) {
        auto v = bit_or(0);
        skip();
        if (v && m_pos != m_s.size()) {
            m_err = "unexpected '" + std::string(m_s.substr(m_pos, 1)) + "'";
            v.reset();
        }
        if (!v) error = m_err.empty() ? "invalid expression" : m_err;
        return v;
    }

private:
    using R = std::optional<Number>;

    void skip() {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n')) ++m_pos;
    }
    bool eat(std::string_view op) {
        skip();
        if (m_s.substr(m_pos, op.size()) == op) {
            m_pos += op.size();
            return true;
        }
        return false;
    }
    bool peek_is(std::string_view op) {
        skip();
        return m_s.substr(m_pos, op.size()) == op;
    }
    R fail(std::string msg) {
        if (m_err.empty()) m_err = std::move(msg);
        return std::nullopt;
    }
    static R as_int(const R& a, const R& b, __int128 (*f)(__int128, __int128)) {
        if (!a || !b) return std::nullopt;
        auto conv = [](const Number& n) -> __int128 {
            if (!n.is_float) return n.i;
            if (!(n.f > -1e38 && n.f < 1e38)) return 0;
            return (__int128)n.f;
        };
        __int128 x = conv(*a), y = conv(*b);
        return Number::integer(f(x, y));
    }

    R bit_or(int d) {
        R a = bit_xor(d);
        while (a && !peek_is("||") && eat("|")) a = as_int(a, bit_xor(d), [](__int128 x, __int128 y) { return x | y; });
        return a;
    }
    R bit_xor(int d) {
        R a = bit_and(d);
        while (a && eat("^")) a = as_int(a, bit_and(d), [](__int128 x, __int128 y) { return x ^ y; });
        return a;
    }
    R bit_and(int d) {
        R a = shift(d);
        while (a && !peek_is("&&") && eat("&")) a = as_int(a, shift(d), [](__int128 x, __int128 y) { return x & y; });
        return a;
    }
    R shift(int d) {
        R a = additive(d);
        for (;;) {
            if (!a) return a;
            if (eat("<<")) a = as_int(a, additive(d), [](__int128 x, __int128 y) { return y >= 0 && y < 127 ? x << int(y) : (__int128)0; });
            else if (eat(">>")) a = as_int(a, additive(d), [](__int128 x, __int128 y) { return y >= 0 && y < 127 ? x >> int(y) : (__int128)0; });
            else return a;
        }
    }
    R additive(int d) {
        R a = multiplicative(d);
        for (;;) {
            if (!a) return a;
            const char* op = eat("+") ? "+" : eat("-") ? "-" : nullptr;
            if (!op) return a;
            R b = multiplicative(d);
            if (!b) return b;
            a = apply_op(*a, *b, op);
        }
    }
    R multiplicative(int d) {
        R a = power(d);
        for (;;) {
            if (!a) return a;
            const char* op = nullptr;
            if (peek_is("**")) return a;
            if (eat("//")) op = "//";
            else if (eat("*")) op = "*";
            else if (eat("/")) op = "/";
            else if (eat("%")) op = "%";
            if (!op) return a;
            R b = power(d);
            if (!b) return b;
            a = apply_op(*a, *b, op);
            if (!a) return fail("division by zero");
        }
    }
    R power(int d) {
        R a = unary(d);
        if (a && eat("**")) {
            R b = power(d + 1);
            if (!b) return b;
            if (!a->is_float && !b->is_float && b->i >= 0 && b->i < 128) {
                __int128 r = 1;
                bool overflow = false;
                for (__int128 k = 0; k < b->i && !overflow; ++k) overflow = __builtin_mul_overflow(r, a->i, &r);
                if (!overflow) return Number::integer(r);
            }
            return apply_op(*a, *b, "**");
        }
        return a;
    }
    R unary(int d) {
        if (d > 200) return fail("expression nested too deeply");
        if (eat("-")) {
            R a = unary(d + 1);
            if (!a) return a;
            return apply_op(Number::integer(0), *a, "-");
        }
        if (eat("+")) return unary(d + 1);
        if (eat("~")) {
            R a = unary(d + 1);
            if (!a) return a;
            return Number::integer(~(a->is_float ? (a->f > -1e38 && a->f < 1e38 ? (__int128)a->f : 0) : a->i));
        }
        return primary(d);
    }
    R primary(int d) {
        skip();
        if (eat("(")) {
            R a = bit_or(d + 1);
            if (!a) return a;
            if (!eat(")")) return fail("missing ')'");
            return a;
        }
        size_t start = m_pos;
        if (m_pos < m_s.size() && ((m_s[m_pos] >= '0' && m_s[m_pos] <= '9') || m_s[m_pos] == '.')) {
            while (m_pos < m_s.size() && ((m_s[m_pos] >= '0' && m_s[m_pos] <= '9') || m_s[m_pos] == '.')) ++m_pos;
            auto n = parse_number(m_s.substr(start, m_pos - start));
            if (!n) return fail("invalid number '" + std::string(m_s.substr(start, m_pos - start)) + "'");
            return n;
        }
        while (m_pos < m_s.size()) {
            unsigned char c = m_s[m_pos];
            if (c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ++m_pos;
            else break;
        }
        if (m_pos == start) {
            if (m_pos >= m_s.size()) return fail("unexpected end of expression");
            return fail("unexpected '" + std::string(m_s.substr(m_pos, 1)) + "'");
        }
        std::string name(m_s.substr(start, m_pos - start));
        auto v = m_var(name);
        if (!v) return fail("variable '" + name + "' does not exist");
        std::string t = *v;
        while (!t.empty() && (t.back() == ' ' || t.back() == '\n')) t.pop_back();
        if (t.empty()) return Number::integer(0);
        auto n = parse_number(t);
        if (!n) return fail("'" + name + "' is not a number: " + t);
        return n;
    }

    std::string_view m_s;
    const std::function<std::optional<std::string>(const std::string&)>& m_var;
    size_t m_pos = 0;
    std::string m_err;
};

}  // namespace

std::optional<Number> eval_arith(std::string_view expr,
                                 const std::function<std::optional<std::string>(const std::string&)>& var,
                                 std::string& error) {
    return Arith(expr, var).run(error);
}

}  // namespace ion
