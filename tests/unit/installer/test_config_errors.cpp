// Every rejected config is one line naming the file and line of the fault.
#include <catch2/catch.hpp>

#include "installer/config.h"
#include "temp_dir.h"

using namespace redox::installer;

namespace {
// Loads text as DIR/NAME and returns the error context (fails the test if it loads).
std::string error_of(const TempDir& dir, const std::string& text, const std::string& name = "bad.toml") {
    std::string path = dir.write(name, text);
    auto r = load_config(path);
    if (r)
        FAIL("config " << name << " loaded but should have been rejected");
    return r.error().context;
}

std::string at(const TempDir& dir, const std::string& name, int line) {
    return "config " + dir.path() + "/" + name + ":" + std::to_string(line) + ": ";
}
} // namespace

TEST_CASE("unknown keys are rejected at their line") {
    TempDir d;
    CHECK(error_of(d, "[general]\nprompt = false\n\nfilesystem_sise = 3\n") ==
          at(d, "bad.toml", 4) + "unknown key 'filesystem_sise' in [general]");
    CHECK(error_of(d, "colour = 1\n").starts_with(at(d, "bad.toml", 1) + "unknown key 'colour'"));
    CHECK(error_of(d, "[[files]]\npath = \"/a\"\ndata = \"x\"\nowner = 3\n") ==
          at(d, "bad.toml", 4) + "unknown key 'owner' in [[files]]");
    CHECK(error_of(d, "[users.bob]\nuid = 7\nhomedir = \"/x\"\n") ==
          at(d, "bad.toml", 3) + "unknown key 'homedir' in [users.bob]");
    CHECK(error_of(d, "[groups.wheel]\nmembers = []\nid = 3\n") ==
          at(d, "bad.toml", 3) + "unknown key 'id' in [groups.wheel]");
    CHECK(error_of(d, "[packages]\nion = { branch = \"x\" }\n") ==
          at(d, "bad.toml", 2) + "unknown key 'branch' in package ion");
}

TEST_CASE("bad modes are rejected: not octal, out of range, wrong type") {
    TempDir d;
    const std::string head = "[[files]]\npath = \"/tmp\"\ndirectory = true\n";
    CHECK(error_of(d, head + "mode = 755\n") ==
          at(d, "bad.toml", 4) + "mode 755 is decimal (= 0o1363): write modes in octal, e.g. 0o755");
    CHECK(error_of(d, head + "mode = \"0o79\"\n") == at(d, "bad.toml", 4) + "mode \"0o79\" is not an octal number");
    CHECK(error_of(d, head + "mode = 0o17777\n") ==
          at(d, "bad.toml", 4) + "mode 0o17777 is out of range (0o0 to 0o7777)");
    CHECK(error_of(d, head + "mode = true\n") == at(d, "bad.toml", 4) + "mode must be an octal integer such as 0o755");
    // The accepted spellings.
    for (auto ok : {"mode = 0o1777\n", "mode = \"1777\"\n", "mode = \"0o1777\"\n", "mode = 0\n"}) {
        auto r = load_config(d.write("ok.toml", head + ok));
        INFO(ok << (r ? "" : r.error().context));
        REQUIRE(r);
        CHECK(r->files.at(0).mode == (std::string(ok) == "mode = 0\n" ? 0u : 01777u));
    }
}

TEST_CASE("a [[files]] entry is exactly one kind of node") {
    TempDir d;
    CHECK(error_of(d, "\n[[files]]\npath = \"/d\"\ndirectory = true\ndata = \"x\"\n") ==
          at(d, "bad.toml", 2) + "[[files]] entry has both directory and data");
    CHECK(error_of(d, "[[files]]\npath = \"/d\"\ndirectory = true\nsymlink = true\ndata = \"x\"\n") ==
          at(d, "bad.toml", 1) + "[[files]] entry has both directory and symlink");
    CHECK(error_of(d, "[[files]]\npath = \"/l\"\nsymlink = true\n") ==
          at(d, "bad.toml", 1) + "[[files]] symlink entry has no target in data");
    CHECK(error_of(d, "[[files]]\ndata = \"x\"\n") == at(d, "bad.toml", 1) + "[[files]] entry has no path");
    CHECK(error_of(d, "[[files]]\npath = \"etc/x\"\n") == at(d, "bad.toml", 2) + "path \"etc/x\" must be absolute");
    CHECK(error_of(d, "[[files]]\npath = \"/etc/../x\"\n") ==
          at(d, "bad.toml", 2) + "path \"/etc/../x\" must not contain '..'");
}

TEST_CASE("missing includes and include cycles name the including line") {
    TempDir d;
    CHECK(error_of(d, "# top\ninclude = [\"nothere.toml\"]\n") ==
          at(d, "bad.toml", 2) + "include \"nothere.toml\": no such file " + d.path() +
              "/nothere.toml and no such embedded config");
    d.write("a.toml", "include = [\"b.toml\"]\n");
    d.write("b.toml", "\n\ninclude = [\"a.toml\"]\n");
    CHECK(error_of(d, "include = [\"a.toml\"]\n", "top.toml") ==
          at(d, "b.toml", 3) + "include \"a.toml\" includes itself (cycle)");
    CHECK(error_of(d, "include = \"base.toml\"\n") == at(d, "bad.toml", 1) + "'include' must be an array of file names");
}

TEST_CASE("duplicate uids and gids name the later definition and the earlier one") {
    TempDir d;
    d.write("users.toml", "[users.alpha]\nuid = 1005\n");
    std::string e = error_of(d, "include = [\"users.toml\"]\n\n[users.beta]\nuid = 1005\n");
    CHECK(e == at(d, "bad.toml", 3) + "duplicate uid 1005: user beta and user alpha (" + d.path() +
                   "/users.toml:1)");
    CHECK(error_of(d, "[groups.a]\ngid = 50\n[groups.b]\ngid = 50\n") ==
          at(d, "bad.toml", 3) + "duplicate gid 50: group b and group a (" + d.path() + "/bad.toml:1)");
    CHECK(error_of(d, "[users.u]\n[groups.g]\nmembers = [\"nobody\"]\n") ==
          at(d, "bad.toml", 2) + "group g: member nobody is not a user of this config");
}

TEST_CASE("wrong value types and TOML syntax errors name file:line") {
    TempDir d;
    CHECK(error_of(d, "[general]\nfilesystem_size = \"big\"\n") ==
          at(d, "bad.toml", 2) + "'filesystem_size' must be an integer from 0 to 1099511627776");
    CHECK(error_of(d, "[users.x]\nuid = -1\n").starts_with(at(d, "bad.toml", 2) + "'uid' must be an integer"));
    CHECK(error_of(d, "[users.x]\nshell = \"/bin/a;b\"\n") ==
          at(d, "bad.toml", 2) + "'shell' must not contain ';' or a newline");
    CHECK(error_of(d, "[users.\"a;b\"]\n").starts_with(at(d, "bad.toml", 1) + "user name 'a;b'"));
    CHECK(error_of(d, "[general]\nprompt = yes\n").starts_with("config " + d.path() + "/bad.toml:2:"));
    CHECK(error_of(d, "[packages]\nion = 3\n").starts_with(at(d, "bad.toml", 2) + "package ion must be"));
}

TEST_CASE("a missing config file or unknown embedded name is one clear line") {
    auto r = load_config("/nonexistent/dir/cfg.toml");
    REQUIRE_FALSE(r);
    CHECK(r.error().context == "config /nonexistent/dir/cfg.toml: cannot read the config: No such file or directory");
    auto z = load_config("/dev/zero");
    REQUIRE_FALSE(z);
    CHECK(z.error().context == "config /dev/zero: the config is larger than 16777216 bytes");
    auto e = load_config("maximal");
    REQUIRE_FALSE(e);
    CHECK(e.error().context.starts_with("config maximal: no such embedded config (embedded: base, desktop, minimal, server"));
}

TEST_CASE("every truncation of an embedded config loads or fails with one config line") {
    // Cut base.toml at many points: each result is a config or a "config FILE:LINE..." error.
    std::string_view text = *embedded_config("base");
    size_t loaded = 0, rejected = 0;
    for (size_t n = 0; n <= text.size(); n += 13) {
        auto r = load_config_text(text.substr(0, n), "cut.toml", "/nonexistent");
        if (r) {
            ++loaded;
            continue;
        }
        ++rejected;
        INFO("cut at " << n << ": " << r.error().context);
        CHECK(r.error().context.starts_with("config cut.toml:"));
        CHECK(r.error().context.find('\n') == std::string::npos);
    }
    CHECK(loaded > 0);
    CHECK(rejected > 0);
}
