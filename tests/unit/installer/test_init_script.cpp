// The init script language: what each line becomes, and the errors for bad lines.
#include <catch2/catch.hpp>

#include <map>

#include "installer/init_script.h"

using namespace redox::installer;
using K = InitCommand::Kind;
using Args = std::vector<std::string>;
using Env = std::vector<std::pair<std::string, std::string>>;

namespace {
std::vector<InitCommand> parse_ok(std::string_view text) {
    auto r = parse_init_script(text, "init.rc");
    INFO((r ? "" : r.error().context));
    REQUIRE(r);
    return std::move(*r);
}

InitCommand one(std::string_view line) {
    auto v = parse_ok(line);
    REQUIRE(v.size() == 1);
    return v[0];
}

std::string error_of(std::string_view text) {
    auto r = parse_init_script(text, "00_base");
    if (r)
        FAIL("accepted: " << text);
    return r.error().context;
}
} // namespace

TEST_CASE("a classic initfs script: comments, blank lines, origins") {
    auto v = parse_ok(
        "# initfs\n"
        "\n"
        "nulld\n"
        "   zerod   \n"
        "stdio /scheme/log\n"
        "set-default-scheme file\n"
        "cd /\n"
        "export PATH /usr/bin /bin\n"
        "unset A B\n"
        "run /etc/more.rc\n"
        "run.d /usr/lib/init.d /etc/init.d\n"
        "echo booted  # done\n");
    REQUIRE(v.size() == 10);
    CHECK(v[0].kind == K::Run);
    CHECK(v[0].args == Args{"nulld"});
    CHECK(v[0].origin == "init.rc:3");
    CHECK(v[1].args == Args{"zerod"});
    CHECK(v[1].origin == "init.rc:4");
    CHECK((v[2].kind == K::Stdio && v[2].args == Args{"/scheme/log"}));
    CHECK((v[3].kind == K::SetDefaultScheme && v[3].args == Args{"file"}));
    CHECK((v[4].kind == K::Cd && v[4].args == Args{"/"}));
    CHECK((v[5].kind == K::Export && v[5].args == Args{"PATH", "/usr/bin", "/bin"}));
    CHECK((v[6].kind == K::Unset && v[6].args == Args{"A", "B"}));
    CHECK((v[7].kind == K::RunScript && v[7].args == Args{"/etc/more.rc"}));
    CHECK((v[8].kind == K::RunD && v[8].args == Args{"/usr/lib/init.d", "/etc/init.d"}));
    CHECK((v[9].kind == K::Echo && v[9].args == Args{"booted"}));
    CHECK(v[9].origin == "init.rc:12");
}

TEST_CASE("transitional commands: notify, nowait, requires_weak, scheme, VAR=val prefixes") {
    auto n = one("notify ipcd");
    CHECK((n.kind == K::Notify && n.args == Args{"ipcd"} && n.env.empty() && !n.parallel));
    auto np = one("notify_parallel LOG=1 zerod null");
    CHECK((np.kind == K::Notify && np.parallel && np.args == Args{"zerod", "null"}));
    CHECK(np.env == Env{{"LOG", "1"}});
    auto w = one("nowait VT=3 LANG=C orbital orblogin launcher");
    CHECK(w.kind == K::Nowait);
    CHECK(w.args == Args{"orbital", "orblogin", "launcher"});
    CHECK(w.env == Env{{"VT", "3"}, {"LANG", "C"}});
    auto r = one("requires_weak 10_net.target 20_audiod.service");
    CHECK((r.kind == K::RequiresWeak && r.args == Args{"10_net.target", "20_audiod.service"}));
    auto s = one("scheme pty RUST_LOG=$ ptyd --flag");
    CHECK(s.kind == K::Scheme);
    CHECK(s.args == Args{"pty", "ptyd", "--flag"});
    CHECK(s.env == Env{{"RUST_LOG", "$"}});
    auto p = one("HOME=/root X= sudo --daemon");
    CHECK(p.kind == K::Run);
    CHECK(p.args == Args{"sudo", "--daemon"});
    CHECK(p.env == Env{{"HOME", "/root"}, {"X", ""}});
    // "=" after the program is an ordinary argument.
    CHECK(one("inputd A=1").env.empty());
    CHECK(one("inputd A=1").args == Args{"inputd", "A=1"});
}

TEST_CASE("quotes group words; $VAR stays for init to expand") {
    auto e = one(R"(echo "hello   world" $USER "say \"hi\"" a"b c"d "")");
    CHECK(e.args == Args{"hello   world", "$USER", "say \"hi\"", "ab cd", ""});
    auto x = one(R"(export GREETING="hi there")");
    CHECK(x.args == Args{"GREETING", "hi there"});
    // A quoted first word is a program, even if it looks like a keyword or assignment.
    CHECK(one(R"("echo" x)").kind == K::Run);
    CHECK(one(R"("A=b" x)").args == Args{"A=b", "x"});
    CHECK(one("echo a#b # comment").args == Args{"a#b"});
    CHECK(one("echo \"# not a comment\"").args == Args{"# not a comment"});
    CHECK(parse_ok("echo a\r\n\r\necho b\r\n").size() == 2);
    CHECK(one("echo").args.empty());
}

TEST_CASE("bad lines are one error naming file:line") {
    CHECK(error_of("echo ok\necho \"unterminated\n") == "init 00_base:2: unterminated double quote");
    CHECK(error_of("\n\ncd\n") == "init 00_base:3: 'cd' takes exactly 1 argument, got 0");
    CHECK(error_of("cd / /tmp\n") == "init 00_base:1: 'cd' takes exactly 1 argument, got 2");
    CHECK(error_of("stdio\n") == "init 00_base:1: 'stdio' takes exactly 1 argument, got 0");
    CHECK(error_of("run.d\n") == "init 00_base:1: 'run.d' takes at least 1 argument, got 0");
    CHECK(error_of("notify\n") == "init 00_base:1: 'notify' needs a command");
    CHECK(error_of("nowait A=1 B=2\n") == "init 00_base:1: 'nowait' needs a command");
    CHECK(error_of("A=1\n") == "init 00_base:1: environment assignments without a command");
    CHECK(error_of("export\n") == "init 00_base:1: 'export' takes at least 1 argument, got 0");
    CHECK(error_of("export 9X y\n") == "init 00_base:1: 'export': \"9X\" is not a variable name");
    CHECK(error_of("export A=b c\n") == "init 00_base:1: 'export VAR=VALUE' takes no further words");
    CHECK(error_of("unset A-B\n") == "init 00_base:1: 'unset': \"A-B\" is not a variable name");
    CHECK(error_of("scheme\n") == "init 00_base:1: 'scheme' needs a scheme name and a command");
    CHECK(error_of("scheme pty\n") == "init 00_base:1: 'scheme NAME' needs a command");
    CHECK(error_of(std::string_view("echo a\0b\n", 9)) == "init 00_base:1: NUL byte in script");
}

TEST_CASE("expand_vars replaces $NAME and ${NAME} with the environment at run time") {
    std::map<std::string, std::string, std::less<>> env = {{"HOME", "/root"}, {"USER", "root"}, {"E", ""}};
    auto get = [&](std::string_view n) -> const char* {
        auto it = env.find(n);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    CHECK(expand_vars("$HOME", get) == "/root");
    CHECK(expand_vars("${HOME}/bin:$USER.x", get) == "/root/bin:root.x");
    CHECK(expand_vars("$MISSING-$E-", get) == "--");
    CHECK(expand_vars("plain", get) == "plain");
    CHECK(expand_vars("$", get) == "$");
    CHECK(expand_vars("cost: $5 ${ ${bad-name}", get) == "cost: $5 ${ ${bad-name}");
    CHECK(expand_vars("$$HOME", get) == "$/root");
}
