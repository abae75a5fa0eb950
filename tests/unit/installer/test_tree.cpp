// Config -> root file system nodes: accounts files, /dev, packages, order of work.
#include <catch2/catch.hpp>

#include <argon2.h>
#include <filesystem>
#include <fstream>

#include "installer/config.h"
#include "installer/init_script.h"
#include "installer/tree.h"
#include "temp_dir.h"

using namespace redox::installer;
using T = Node::Type;

namespace {
const PackageCatalog full_catalog = {
    {"base", {{"/usr/bin/init", "/host/init"}, {"/usr/bin/nulld", "/host/nulld"}}},
    {"coreutils", {{"/bin/ls", "/host/ls"}}},   // through the /bin -> usr/bin symlink
    {"ion", {{"/usr/bin/ion", "/host/ion"}}},
    {"netutils", {{"/usr/bin/ping", "/host/ping"}}},
    {"orbital", {{"/usr/bin/orbital", "/host/orbital"}}},
};

Config load_ok(std::string_view what) {
    auto r = load_config(what);
    INFO((r ? "" : r.error().context));
    REQUIRE(r);
    return std::move(*r);
}

std::vector<Node> tree_ok(const Config& c, const PackageCatalog& cat = full_catalog) {
    auto r = build_tree_with_salt(c, cat, 0x1234);
    INFO((r ? "" : r.error().context));
    REQUIRE(r);
    return std::move(*r);
}

const Node& node(const std::vector<Node>& nodes, std::string_view path) {
    for (const auto& n : nodes)
        if (n.path == path)
            return n;
    FAIL("no node " << path);
    throw;
}

bool has(const std::vector<Node>& nodes, std::string_view path) {
    return std::ranges::any_of(nodes, [&](const Node& n) { return n.path == path; });
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = s.find('\n', i);
        out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}
} // namespace

TEST_CASE("base: passwd, group and shadow in Redox's formats") {
    auto t = tree_ok(load_ok("base"));
    CHECK(node(t, "/etc/passwd").data ==
          "root;0;0;root;/root;/usr/bin/ion\n"
          "user;1000;1000;user;/home/user;/usr/bin/ion\n");
    CHECK(node(t, "/etc/group").data == "root;x;0;root\nsudo;x;1;user\nuser;x;1000;user\n");
    auto shadow = lines(node(t, "/etc/shadow").data);
    REQUIRE(shadow.size() == 2);
    CHECK(shadow[1] == "user;");   // no password
    REQUIRE(shadow[0].starts_with("root;$argon2i$v=19$m=4096,t=10,p=1$"));
    std::string hash = shadow[0].substr(5);
    CHECK(argon2i_verify(hash.c_str(), "password", 8) == ARGON2_OK);
    CHECK(argon2i_verify(hash.c_str(), "Password", 8) != ARGON2_OK);
    CHECK(node(t, "/etc/passwd").mode == 0644);
    CHECK(node(t, "/etc/shadow").mode == 0600);
    CHECK(node(t, "/etc/group").mode == 0600);
    const Node& home = node(t, "/home/user");
    CHECK(home.type == T::Dir);
    CHECK(home.uid == 1000);
    CHECK(home.gid == 1000);
    CHECK(home.mode == 0700);
    CHECK(node(t, "/root").uid == 0);
}

TEST_CASE("base: /dev symlinks, usrmerge, /var, /etc files") {
    auto t = tree_ok(load_ok("base"));
    const std::pair<const char*, const char*> links[] = {
        {"/dev/null", "/scheme/null"}, {"/dev/random", "/scheme/rand"}, {"/dev/urandom", "/scheme/rand"},
        {"/dev/zero", "/scheme/zero"}, {"/dev/tty", "libc:tty"},          {"/dev/stdin", "libc:stdin"},
        {"/dev/stdout", "libc:stdout"}, {"/dev/stderr", "libc:stderr"},  {"/bin", "usr/bin"},
        {"/lib", "usr/lib"}, {"/etc/os-release", "../usr/lib/os-release"},
    };
    for (auto [path, target] : links) {
        INFO(path);
        CHECK(node(t, path).type == T::Symlink);
        CHECK(node(t, path).data == target);
    }
    CHECK(node(t, "/etc/hostname").data == "redox");
    CHECK(node(t, "/tmp").mode == 01777);
    CHECK(node(t, "/var/tmp").mode == 01777);
    CHECK(node(t, "/var/lock").mode == 01777);
    CHECK(node(t, "/var/log").mode == 0755);
    CHECK(node(t, "/dev").type == T::Dir);   // implied by its entries
    CHECK(node(t, "/dev").mode == 0755);
    CHECK(node(t, "/etc/login_schemes.toml").data.find("[user_schemes.root]") != std::string::npos);
    // Parents always come before their children.
    for (size_t i = 1; i < t.size(); ++i) {
        std::string parent = t[i].path.substr(0, std::max<size_t>(1, t[i].path.rfind('/')));
        bool seen = false;
        for (size_t j = 0; j < i; ++j)
            seen |= t[j].path == parent && t[j].type == T::Dir;
        INFO(t[i].path);
        CHECK(seen);
    }
    CHECK(t[0].path == "/");
}

TEST_CASE("package programs land at their install paths, through usrmerge symlinks") {
    auto t = tree_ok(load_ok("minimal"));
    const Node& init = node(t, "/usr/bin/init");
    CHECK(init.type == T::File);
    CHECK(init.mode == 0755);
    CHECK(init.host_source == "/host/init");
    CHECK(node(t, "/usr/bin/ls").host_source == "/host/ls");
    CHECK_FALSE(has(t, "/bin/ls"));
    CHECK_FALSE(has(t, "/usr/bin/ping"));   // netutils is server's
    CHECK(has(tree_ok(load_ok("server")), "/usr/bin/ping"));
    CHECK(has(tree_ok(load_ok("desktop")), "/usr/bin/orbital"));
}

TEST_CASE("a package missing from the catalog names its config line; ignore skips it") {
    Config c = load_ok("minimal");
    PackageCatalog only_base = {{"base", {}}};
    auto r = build_tree(c, only_base);
    REQUIRE_FALSE(r);
    CHECK(r.error().context.starts_with("config embedded:minimal.toml:"));
    CHECK(r.error().context.ends_with(": package coreutils is not built here (catalog: base)"));
    c.packages["coreutils"].ignore = true;
    c.packages["ion"].ignore = true;
    CHECK(build_tree(c, only_base));
}

TEST_CASE("the init.d scripts of every embedded config parse") {
    for (const auto& name : embedded_config_names()) {
        auto t = tree_ok(load_ok(name));
        int scripts = 0;
        for (const auto& n : t) {
            if (!n.path.starts_with("/usr/lib/init.d/") || n.type != T::File)
                continue;
            ++scripts;
            auto r = parse_init_script(n.data, n.path);
            INFO(name << " " << n.path << ": " << (r ? "" : r.error().context));
            CHECK(r);
        }
        CHECK(scripts >= 1);
    }
}

TEST_CASE("[[files]] apply in order: replace, append, directories, recursive_chown last") {
    TempDir d;
    std::string path = d.write("c.toml", R"(
[packages]
tools = {}
[users.alice]
uid = 1500
home = "/srv/alice"
[[files]]
path = "/etc/motd"
data = "one\n"
[[files]]
path = "/etc/motd"
data = "two\n"
append = true
[[files]]
path = "/etc/issue"
data = "first"
[[files]]
path = "/etc/issue"
data = "second"
mode = 0o600
[[files]]
path = "/srv"
directory = true
uid = 7
gid = 8
recursive_chown = true
[[files]]
path = "/a/b/c/file"
data = "deep"
[[files]]
path = "/etc/late"
data = "after users"
postinstall = true
)");
    PackageCatalog cat = {{"tools", {{"/srv/bin/tool", "/host/tool"}}}};
    auto t = tree_ok(load_ok(path), cat);
    CHECK(node(t, "/etc/motd").data == "one\ntwo\n");
    CHECK(node(t, "/etc/issue").data == "second");
    CHECK(node(t, "/etc/issue").mode == 0600);
    for (auto p : {"/a", "/a/b", "/a/b/c"}) {
        CHECK(node(t, p).type == T::Dir);
        CHECK(node(t, p).mode == 0755);
    }
    // recursive_chown covers the package's program and the home made after it.
    CHECK(node(t, "/srv/bin/tool").uid == 7);
    CHECK(node(t, "/srv/alice").uid == 7);
    CHECK(node(t, "/srv/alice").gid == 8);
    CHECK(has(t, "/etc/late"));
}

TEST_CASE("conflicting entries are errors naming the entry") {
    TempDir d;
    std::string path = d.write("c.toml",
                               "[[files]]\npath = \"/x\"\ndata = \"file\"\n\n[[files]]\npath = \"/x/y\"\ndata = \"z\"\n");
    auto r = build_tree(load_ok(path), {});
    REQUIRE_FALSE(r);
    CHECK(r.error().context == "config " + d.path() + "/c.toml:5: /x/y: /x is a file, not a directory");

    path = d.write("e.toml", "[[files]]\npath = \"/dev/null/x\"\ndata = \"z\"\n[[files]]\npath = \"/dev/null\"\n"
                             "data = \"/scheme/null\"\nsymlink = true\n[[files]]\npath = \"/dev/null/y\"\ndata = \"z\"\n");
    r = build_tree(load_ok(path), {});
    REQUIRE_FALSE(r);
    CHECK(r.error().context == "config " + d.path() + "/e.toml:4: /dev/null: already a directory");
}

TEST_CASE("users without ids get the next free ones from 1000") {
    TempDir d;
    std::string path = d.write("u.toml", "[users.bob]\n[users.carol]\nuid = 1000\n[users.dave]\ngid = 1001\n"
                                         "[groups.extra]\nmembers = [\"bob\", \"dave\"]\n");
    auto t = tree_ok(load_ok(path), {});
    CHECK(node(t, "/etc/passwd").data ==
          "carol;1000;1000;carol;/home/carol;/bin/ion\n"
          "bob;1001;1002;bob;/home/bob;/bin/ion\n"
          "dave;1002;1001;dave;/home/dave;/bin/ion\n");
    CHECK(node(t, "/etc/group").data ==
          "carol;x;1000;carol\ndave;x;1001;dave\nbob;x;1002;bob\nextra;x;1003;bob,dave\n");
    CHECK(node(t, "/etc/shadow").data == "carol;\nbob;\ndave;\n");   // passwd order
}

TEST_CASE("the built tree survives the wire form") {
    auto t = tree_ok(load_ok("desktop"));
    auto back = parse_tree(serialize_tree(t));
    INFO((back ? "" : back.error().context));
    REQUIRE(back);
    REQUIRE(back->size() == t.size());
    CHECK(serialize_tree(*back) == serialize_tree(t));
}

TEST_CASE("hash_password: empty is empty, the salt is the hex u64") {
    CHECK(hash_password("", 1)->empty());
    auto h = hash_password("pw", 0xAB);
    REQUIRE(h);
    // base64("00000000000000AB") without padding.
    CHECK(h->starts_with("$argon2i$v=19$m=4096,t=10,p=1$MDAwMDAwMDAwMDAwMDBBQg$"));
    CHECK(argon2i_verify(h->c_str(), "pw", 2) == ARGON2_OK);
}

TEST_CASE("hash_password: a memo reuses the earlier hash and hides the password") {
    TempDir d;
    std::string memo = d.path() + "/passwords";
    set_password_memo(memo);
    auto first = hash_password("secret", 0x11);
    auto again = hash_password("secret", 0x22);  // another salt: the memo answers
    auto other = hash_password("other", 0x33);
    REQUIRE(first);
    REQUIRE(again);
    REQUIRE(other);
    CHECK(*again == *first);
    CHECK(*other != *first);
    CHECK(argon2i_verify(again->c_str(), "secret", 6) == ARGON2_OK);
    CHECK((std::filesystem::status(memo).permissions() & std::filesystem::perms::others_read) ==
          std::filesystem::perms::none);
    std::ifstream in(memo);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text.find("secret") == std::string::npos);
    // A damaged memo is ignored and rewritten.
    std::ofstream(memo) << "garbage";
    auto fresh = hash_password("secret", 0x44);
    REQUIRE(fresh);
    CHECK(argon2i_verify(fresh->c_str(), "secret", 6) == ARGON2_OK);
    CHECK(*fresh != *first);
    set_password_memo("");
}

TEST_CASE("postinstall entries see the generated accounts files") {
    TempDir d;
    std::string path = d.write("p.toml", R"(include = ["base.toml"]
[[files]]
path = "/etc/passwd"
data = "extra;2000;2000;extra;/nonexistent;/bin/false\n"
append = true
postinstall = true
[[files]]
path = "/etc/passwd"
data = "lost;1;1;lost;/;/bin/false\n"
append = true
)");
    auto t = tree_ok(load_ok(path));
    // The early append is replaced by the generated file; the postinstall one extends it.
    CHECK(node(t, "/etc/passwd").data ==
          "root;0;0;root;/root;/usr/bin/ion\n"
          "user;1000;1000;user;/home/user;/usr/bin/ion\n"
          "extra;2000;2000;extra;/nonexistent;/bin/false\n");
}
