// Expansion, as a user sees it: what `echo` prints.
#include "capture_os.h"

#include <catch2/catch.hpp>

TEST_CASE("brace expansion: alternatives, nesting and ranges", "[ion][expand]") {
    CHECK(run_ion("echo a{b,c}d") == "abd acd\n");
    CHECK(run_ion("echo 1{A{1,2},B{1,2}}") == "1A1 1A2 1B1 1B2\n");
    CHECK(run_ion("echo {1..4} {3...1} {a..=c} {0..2..7}") == "1 2 3 3 2 1 a b c 0 2 4 6\n");
    CHECK(run_ion("echo '{a,b}' \"{a,b}\"") == "{a,b} {a,b}\n");
}

TEST_CASE("variables, arrays and slices", "[ion][expand]") {
    CHECK(run_ion("let a = [1 2 3 4 5]; echo @a[1] @a[-1] @a[1..3] @a[3..] @a[..=1]") == "2 5 2 3 4 5 1 2\n");
    CHECK(run_ion("let s = 'Hello, World'; echo $s[..5] $s[7..]") == "Hello World\n");
    CHECK(run_ion("let a b = one [two three]; echo $a @b[1]") == "one three\n");
    CHECK(run_ion("let x y = 1 2; let x y = $y $x; echo $x$y") == "21\n");
    CHECK(run_ion("echo [a b c][1]") == "b\n");
}

TEST_CASE("index errors are fatal with upstream's message", "[ion][expand]") {
    int st = 0;
    CHECK(run_ion("let a = [1 2]\necho @a[-3]\necho after", &st) ==
          "ion: expansion error: Invalid index -3 for sequence with length 2\n");
    CHECK(st == 1);
    CHECK(run_ion("echo $nope") == "ion: expansion error: Variable \"nope\" does not exist\n");
}

TEST_CASE("command substitution does not split; @() does", "[ion][expand]") {
    CHECK(run_ion("echo $(echo 'a  b')") == "a  b\n");
    CHECK(run_ion("for w in @(echo 'a  b'); echo \"<$w>\"; end") == "<a>\n<b>\n");
    CHECK(run_ion("fn f; echo inner; end; echo \"[$(f)]\"") == "[inner]\n");
}

TEST_CASE("arithmetic uses 128-bit integers and floats", "[ion][expand]") {
    CHECK(run_ion("let x = 7; echo $((x * x + 1)) $((2 ** 100)) $((7 / 2))") ==
          "50 1267650600228229401496703205376 3.5\n");
    CHECK(run_ion("let v = 5; let v **= 2; echo $v; let v /= 2; echo $v") == "25.0\n12.5\n");
}

TEST_CASE("methods", "[ion][expand]") {
    CHECK(run_ion("echo $len('héllo') $join([a b] -) @split('a,b' ,) $replace(abab b c)") == "5 a-b a b acac\n");
    CHECK(run_ion("echo $to_uppercase(abc) $reverse(abc) $basename(/a/b.c) $extension(x.tar.gz)") ==
          "ABC cba b.c gz\n");
    CHECK(run_ion("echo $or($missing fallback) @reverse([1 2 3])") == "fallback 3 2 1\n");
}

TEST_CASE("namespaces: colours and hex bytes", "[ion][expand]") {
    CHECK(run_ion("echo \"${c::red,bold}x${c::reset}\"") == "\x1b[1;31mx\x1b[0m\n");
    CHECK(run_ion("echo ${x::41}${x::42}") == "AB\n");
    CHECK(run_ion("echo \"[${env::ION_TEST_SURELY_UNSET}]\"") == "[]\n");
}
