// Loading configs: the embedded defaults and include merging across host files.
#include <catch2/catch.hpp>

#include <algorithm>

#include "installer/config.h"
#include "temp_dir.h"

using namespace redox::installer;

namespace {
Config load_ok(std::string_view what) {
    auto r = load_config(what);
    INFO("load_config(" << what << "): " << (r ? "" : r.error().context));
    REQUIRE(r);
    return std::move(*r);
}

std::vector<std::string> file_paths(const Config& c) {
    std::vector<std::string> v;
    for (const auto& f : c.files)
        v.push_back(f.path);
    return v;
}

bool has_file(const Config& c, std::string_view path) {
    return std::ranges::any_of(c.files, [&](const FileEntry& f) { return f.path == path; });
}
} // namespace

TEST_CASE("the four embedded configs are listed and load") {
    auto names = embedded_config_names();
    std::ranges::sort(names);
    CHECK(names == std::vector<std::string>{"base", "desktop", "minimal", "server"});
    for (const auto& n : names)
        load_ok(n);
    CHECK(embedded_config("base.toml").has_value());
    CHECK_FALSE(embedded_config("nonesuch").has_value());
}

TEST_CASE("base: users, groups and packages as in Redox's base.toml") {
    Config c = load_ok("base");
    CHECK(c.source == "base");
    REQUIRE(c.users.contains("root"));
    const User& root = c.users.at("root");
    CHECK(root.password == "password");
    CHECK(root.uid == 0u);
    CHECK(root.gid == 0u);
    CHECK(root.home == "/root");
    CHECK(root.shell == "/usr/bin/ion");
    REQUIRE(c.users.contains("user"));
    CHECK(c.users.at("user").password.empty());
    CHECK_FALSE(c.users.at("user").uid.has_value());
    CHECK(c.users.at("user").home == "/home/user");
    REQUIRE(c.groups.contains("sudo"));
    CHECK(c.groups.at("sudo").gid == 1u);
    CHECK(c.groups.at("sudo").members == std::vector<std::string>{"user"});
    CHECK(c.packages.size() == 1);
    CHECK(c.packages.contains("base"));
    CHECK(has_file(c, "/etc/login_schemes.toml"));
    CHECK(has_file(c, "/usr/lib/os-release"));
    CHECK(c.users.at("root").origin.starts_with("embedded:base.toml:"));
}

TEST_CASE("minimal, server and desktop stack on each other") {
    Config m = load_ok("minimal");
    CHECK(m.general.filesystem_size_mib == 196);
    for (auto p : {"base", "coreutils", "ion"})
        CHECK(m.packages.contains(p));
    CHECK(has_file(m, "/usr/lib/init.d/00_base"));
    CHECK(has_file(m, "/usr/lib/init.d/30_console"));

    Config s = load_ok("server");
    CHECK(s.general.filesystem_size_mib == 512);
    CHECK(s.packages.contains("netutils"));
    CHECK_FALSE(s.packages.contains("orbital"));

    Config d = load_ok("desktop");
    CHECK(d.general.filesystem_size_mib == 650);
    for (auto p : {"base", "coreutils", "ion", "netutils", "orbital"})
        CHECK(d.packages.contains(p));
    // Included files come first: base's entries precede desktop's own.
    auto paths = file_paths(d);
    auto base_at = std::ranges::find(paths, "/etc/hostname");
    auto orbital_at = std::ranges::find(paths, "/usr/lib/init.d/20_orbital");
    REQUIRE(base_at != paths.end());
    REQUIRE(orbital_at != paths.end());
    CHECK(base_at < orbital_at);
}

TEST_CASE("includes merge in order, then the including file") {
    TempDir dir;
    dir.write("a.toml", R"(
[general]
prompt = true
filesystem_size = 100
[packages]
x = {}
y = {}
[[files]]
path = "/a1"
data = "from a"
[users.alice]
uid = 1001
password = "a"
)");
    dir.write("b.toml", R"(
[general]
filesystem_size = 200
[packages]
y = "ignore"
[[files]]
path = "/b1"
data = "from b"
[users.alice]
uid = 1002
)");
    std::string main = dir.write("main.toml", R"(include = ["a.toml", "b.toml"]
[general]
encrypt_disk = "secret"
[packages]
z = { version = "1.0" }
[[files]]
path = "/m1"
data = "from main"
)");
    Config c = load_ok(main);
    CHECK(c.general.prompt);                    // set by a, not unset by b
    CHECK(c.general.filesystem_size_mib == 200);// b overrides a
    CHECK(c.general.encrypt_disk == "secret");
    CHECK(file_paths(c) == std::vector<std::string>{"/a1", "/b1", "/m1"});
    CHECK_FALSE(c.packages.at("x").ignore);
    CHECK(c.packages.at("y").ignore);           // key by key: b's y replaces a's
    CHECK(c.packages.at("z").version == "1.0");
    // A user is replaced whole by a later definition.
    CHECK(c.users.at("alice").uid == 1002u);
    CHECK(c.users.at("alice").password.empty());
    CHECK(c.users.at("alice").origin == dir.path() + "/b.toml:9");
}

TEST_CASE("includes resolve relative to the including file") {
    TempDir dir;
    dir.write("sub/leaf.toml", "[[files]]\npath = \"/leaf\"\ndata = \"x\"\n");
    dir.write("sub/inner.toml", "include = [\"leaf.toml\"]\n[[files]]\npath = \"/inner\"\ndata = \"y\"\n");
    std::string main = dir.write("main.toml", "include = [\"sub/inner.toml\"]\n");
    Config c = load_ok(main);
    CHECK(file_paths(c) == std::vector<std::string>{"/leaf", "/inner"});
    CHECK(c.files[0].origin == dir.path() + "/sub/leaf.toml:1");
}

TEST_CASE("a host config builds on an embedded one by name") {
    TempDir dir;
    std::string main = dir.write("mine.toml", R"(include = ["minimal.toml"]
[users.root]
password = "changed"
uid = 0
gid = 0
[[files]]
path = "/etc/hostname"
data = "mybox"
)");
    Config c = load_ok(main);
    CHECK(c.users.at("root").password == "changed");
    CHECK(c.users.at("root").shell == "/bin/ion");   // replaced whole: the default shell again
    CHECK(c.packages.contains("ion"));
    CHECK(c.files.back().data == "mybox");
}

TEST_CASE("the example configs in examples/configs load") {
    const char* root = std::getenv("REDOX_SOURCE_ROOT");
    if (!root)
        FAIL("REDOX_SOURCE_ROOT is not set by meson");
    for (auto name : {"tiny.toml", "workstation.toml"}) {
        auto r = load_config(std::string(root) + "/examples/configs/" + name);
        INFO(name << ": " << (r ? "" : r.error().context));
        CHECK(r);
    }
}
