// The coreutils' shared helpers: what a user typing flags and modes relies on.
#include "userland/coreutils/util.h"

#include <catch2/catch.hpp>

using namespace redox;
using namespace redox::userland;

TEST_CASE("options group, take values attached or apart, and stop at --") {
    OptSpec spec{"alh", "n", {{"all", 'a'}, {"lines", 'n'}}};
    auto o = parse_opts("t", {"-la", "-n5", "file", "--lines", "7", "--", "-h"}, spec);
    REQUIRE(o);
    CHECK(o->has('l'));
    CHECK(o->has('a'));
    CHECK_FALSE(o->has('h'));
    CHECK(o->value('n') == "7");  // the last one wins
    CHECK(o->operands == Args{"file", "-h"});
    auto eq = parse_opts("t", {"--lines=3", "-"}, spec);
    REQUIRE(eq);
    CHECK(eq->value('n') == "3");
    CHECK(eq->operands == Args{"-"});
}

TEST_CASE("unknown options and missing values are rejected") {
    OptSpec spec{"a", "n", {{"all", 'a'}}};
    CHECK_FALSE(parse_opts("t", {"-x"}, spec));
    CHECK_FALSE(parse_opts("t", {"--bogus"}, spec));
    CHECK_FALSE(parse_opts("t", {"-n"}, spec));
}

TEST_CASE("stop_at_operand leaves the command's own options alone") {
    OptSpec spec{"t", "n", {}, true};
    auto o = parse_opts("xargs", {"-t", "grep", "-v", "x"}, spec);
    REQUIRE(o);
    CHECK(o->has('t'));
    CHECK(o->operands == Args{"grep", "-v", "x"});
}

TEST_CASE("modes: octal and symbolic clauses") {
    CHECK(parse_mode("755", 0, false) == 0755);
    CHECK(parse_mode("u+x", 0644, false) == 0744);
    CHECK(parse_mode("go-w,o+r", 0666, false) == 0644);
    CHECK(parse_mode("a=r", 0777, false) == 0444);
    CHECK(parse_mode("+X", 0644, true) == 0755);
    CHECK(parse_mode("+X", 0644, false) == 0644);
    CHECK(parse_mode("u+s", 0755, false) == 04755);
    CHECK_FALSE(parse_mode("9z9", 0, false));
    CHECK_FALSE(parse_mode("u", 0, false));
    CHECK_FALSE(parse_mode("77777", 0, false));
}

TEST_CASE("mode strings as ls shows them") {
    CHECK(mode_string(MODE_DIR | 0755) == "drwxr-xr-x");
    CHECK(mode_string(MODE_FILE | 0640) == "-rw-r-----");
    CHECK(mode_string(MODE_SYMLINK | 0777) == "lrwxrwxrwx");
    CHECK(mode_string(MODE_DIR | 01777) == "drwxrwxrwt");
    CHECK(mode_string(MODE_FILE | 04755) == "-rwsr-xr-x");
}

TEST_CASE("human sizes round up like GNU -h") {
    CHECK(human_size(0) == "0");
    CHECK(human_size(1023) == "1023");
    CHECK(human_size(1024) == "1.0K");
    CHECK(human_size(1536) == "1.5K");
    CHECK(human_size(1025) == "1.1K");
    CHECK(human_size(200 * 1024 * 1024) == "200M");
}

TEST_CASE("lines and paths") {
    CHECK(split_lines("a\nb\n") == std::vector<std::string>{"a", "b"});
    CHECK(split_lines("a\n\nb") == std::vector<std::string>{"a", "", "b"});
    CHECK(split_lines("").empty());
    CHECK(join_path("/", "etc") == "/etc");
    CHECK(join_path("/tmp", "x") == "/tmp/x");
    CHECK(base_name("/usr/bin/") == "bin");
    CHECK(base_name("/") == "/");
    CHECK(base_name("file") == "file");
}

TEST_CASE("the process table parses") {
    std::string text = "  PID  PPID  PGID  RUID  EUID STAT   CPU(ms)     CALLS NAME\n"
                       "    1     0     1     0     0    R       180       263 init\n"
                       "    7     1     1     0     0    R        40         4 ipcd chan\n";
    auto rows = context_rows(text);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].pid == 1);
    CHECK(rows[0].cpu_ms == 180);
    CHECK(rows[1].name == "ipcd chan");
}
