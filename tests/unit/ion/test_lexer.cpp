#include "ion/lexer.h"
#include "ion/parser.h"

#include <catch2/catch.hpp>

#include <random>

using namespace ion;

static std::vector<std::string> texts(std::string_view src) {
    std::vector<Token> toks;
    SyntaxError e;
    REQUIRE(tokenize(src, toks, e));
    std::vector<std::string> out;
    for (auto& t : toks) {
        if (t.kind == Token::Eof) break;
        out.push_back(t.kind == Token::Sep ? "<sep>" : t.text);
    }
    return out;
}

TEST_CASE("lexer splits words, operators and statements", "[ion][lexer]") {
    CHECK(texts("echo a | cat && b > f; c") ==
          std::vector<std::string>{"echo", "a", "|", "cat", "&&", "b", ">", "f", "<sep>", "c"});
    CHECK(texts("cmd ^> err &> both <<< word &") ==
          std::vector<std::string>{"cmd", "^>", "err", "&>", "both", "<<<", "word", "&"});
}

TEST_CASE("lexer keeps quotes, brackets and sigils inside one word", "[ion][lexer]") {
    CHECK(texts("echo 'a b' \"c $d\" [1 2 3][0] $(echo x y) ${c::red,bold}") ==
          std::vector<std::string>{"echo", "'a b'", "\"c $d\"", "[1 2 3][0]", "$(echo x y)", "${c::red,bold}"});
    // Literal ^ and # inside words; # at a word start is a comment.
    CHECK(texts("echo hello^world not#a#comment # gone") ==
          std::vector<std::string>{"echo", "hello^world", "not#a#comment"});
}

TEST_CASE("lexer joins continued lines and multi-line arrays", "[ion][lexer]") {
    CHECK(texts("echo \\\n  one") == std::vector<std::string>{"echo", "one"});
    CHECK(texts("echo 'a<<b\\\n      c'") == std::vector<std::string>{"echo", "'a<<bc'"});
    CHECK(texts("let x = [\n a # note\n b\n]") ==
          std::vector<std::string>{"let", "x", "=", "[\n a \n b\n]"});
}

TEST_CASE("lexer reports where an unterminated quote starts", "[ion][lexer]") {
    std::vector<Token> toks;
    SyntaxError e;
    CHECK_FALSE(tokenize("echo ok\necho \"open", toks, e));
    CHECK(e.line == 2);
    CHECK(e.col == 6);
    CHECK(e.incomplete);
}

TEST_CASE("split_words handles nested brackets and comments", "[ion][lexer]") {
    CHECK(split_words(" a [b c] 'd e' # x\n f") == std::vector<std::string>{"a", "[b c]", "'d e'", "f"});
}
