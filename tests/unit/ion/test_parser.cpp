#include "ion/parser.h"

#include <catch2/catch.hpp>

#include <random>

using namespace ion;

static Block parse_ok(std::string_view src) {
    Block b;
    SyntaxError e;
    INFO(e.message);
    REQUIRE(parse_script(src, b, e));
    return b;
}

TEST_CASE("parser builds if / else if / else", "[ion][parser]") {
    Block b = parse_ok("if test 1 -eq 2\n echo a\nelse if true\n echo b\n echo c\nelse\n echo d\nend\n");
    REQUIRE(b.size() == 1);
    const Stmt& s = b[0];
    CHECK(s.kind == Stmt::If);
    CHECK(s.conds.size() == 2);
    REQUIRE(s.blocks.size() == 3);
    CHECK(s.blocks[1].size() == 2);
    CHECK(s.conds[0].items[0].cmds[0].words == std::vector<std::string>{"test", "1", "-eq", "2"});
}

TEST_CASE("parser reads functions, loops and match", "[ion][parser]") {
    Block b = parse_ok("fn sq n:int xs:[str] -- squares a number\n math $n * $n\nend\n"
                       "for a b in 1..10; echo $a; end\n"
                       "match $x\n case [a b]; echo ab\n case _\n echo other\nend");
    REQUIRE(b.size() == 3);
    REQUIRE(b[0].fn);
    CHECK(b[0].fn->name == "sq");
    CHECK(b[0].fn->params == std::vector<std::string>{"n:int", "xs:[str]"});
    CHECK(b[0].fn->description == "squares a number");
    CHECK(b[1].words == std::vector<std::string>{"a", "b"});
    CHECK(b[1].items == std::vector<std::string>{"1..10"});
    REQUIRE(b[2].cases.size() == 2);
    CHECK(b[2].cases[1].patterns.empty());
}

TEST_CASE("parser reads chains, negation, redirections and background", "[ion][parser]") {
    Block b = parse_ok("not true && a | b ^| c > out || d &");
    const Chain& c = b[0].chain;
    REQUIRE(c.items.size() == 3);
    CHECK(c.items[0].negate);
    CHECK(c.ops == std::vector<ChainOp>{ChainOp::And, ChainOp::Or});
    REQUIRE(c.items[1].cmds.size() == 3);
    CHECK(c.items[1].pipes[1] == PipeKind::Err);
    REQUIRE(c.items[1].cmds[2].redirs.size() == 1);
    CHECK(c.items[1].cmds[2].redirs[0].target == "out");
    CHECK(c.items[2].background);
}

TEST_CASE("syntax errors carry line and column", "[ion][parser]") {
    Block b;
    SyntaxError e;
    CHECK_FALSE(parse_script("echo a\n  end\n", b, e));
    CHECK(e.line == 2);
    CHECK(e.col == 3);
    CHECK(e.message.find("end") != std::string::npos);

    CHECK_FALSE(parse_script("while true\n echo x\n", b, e));
    CHECK(e.incomplete);
    CHECK(e.line == 1);

    CHECK_FALSE(parse_script("echo a |", b, e));
    CHECK_FALSE(parse_script("echo a <<EOF", b, e));
}

TEST_CASE("deep nesting is rejected, not recursed into", "[ion][parser]") {
    std::string src;
    for (int i = 0; i < 5000; ++i) src += "if true\n";
    Block b;
    SyntaxError e;
    CHECK_FALSE(parse_script(src, b, e));
    CHECK(e.message.find("nested too deeply") != std::string::npos);
}

TEST_CASE("parser survives random input", "[ion][parser]") {
    std::mt19937 rng(1234);
    const std::string alphabet = "ab $@'\"\\()[]{}|&;<>^#\n=:.*?~!-0end if else fn for in match case while let";
    for (int round = 0; round < 3000; ++round) {
        std::string s;
        int n = int(rng() % 80);
        for (int k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
        Block b;
        SyntaxError e;
        if (!parse_script(s, b, e)) CHECK(e.line >= 1);
    }
}
