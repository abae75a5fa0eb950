// The node list's wire form: round trips, and rejects damaged input without crashing.
#include <catch2/catch.hpp>

#include "installer/tree.h"

using namespace redox::installer;
using T = Node::Type;

namespace {
std::vector<Node> sample() {
    std::string binary("\0\n\x01\xff" "RXTREE1\nF 644 0 0 1 1 1\n", 28);
    return {
        {T::Dir, "/", 0755, 0, 0, "", ""},
        {T::Dir, "/bin", 0755, 0, 0, "", ""},
        {T::File, "/bin/init", 0755, 0, 0, "", "/host/build/init"},
        {T::Dir, "/etc", 0755, 0, 0, "", ""},
        {T::File, "/etc/blob", 0600, 1000, 1001, binary, ""},
        {T::File, "/etc/empty", 0644, 0, 0, "", ""},
        {T::Symlink, "/etc/link with space", 0777, 0, 0, "../bin/init", ""},
        {T::Dir, "/tmp", 01777, 4294967295u, 0, "", ""},
    };
}

bool same(const Node& a, const Node& b) {
    return a.type == b.type && a.path == b.path && a.mode == b.mode && a.uid == b.uid && a.gid == b.gid &&
           a.data == b.data && a.host_source == b.host_source;
}

std::string error_of(std::string_view bytes) {
    auto r = parse_tree(bytes);
    if (r)
        FAIL("parse_tree accepted damaged input");
    return r.error().context;
}
} // namespace

TEST_CASE("serialize then parse gives back every node, binary data included") {
    auto nodes = sample();
    std::string wire = serialize_tree(nodes);
    auto back = parse_tree(wire);
    INFO((back ? "" : back.error().context));
    REQUIRE(back);
    REQUIRE(back->size() == nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
        INFO("node " << nodes[i].path);
        CHECK(same((*back)[i], nodes[i]));
    }
    CHECK((*back)[4].data.size() == 28);
    CHECK(serialize_tree(*back) == wire);
    CHECK(parse_tree(serialize_tree({}))->empty());
}

TEST_CASE("every truncation of the wire form is rejected or a clean prefix, never a crash") {
    std::string wire = serialize_tree(sample());
    size_t accepted = 0;
    for (size_t n = 0; n < wire.size(); ++n) {
        auto r = parse_tree(std::string_view(wire).substr(0, n));
        if (r) {
            ++accepted;
            CHECK(r->size() < sample().size());
        }
    }
    // Only the cuts that fall exactly between nodes parse (header + 0..7 nodes).
    CHECK(accepted == sample().size());
}

TEST_CASE("damaged node lists are rejected with the offset and the reason") {
    CHECK(error_of("RXTREE2\n") == "tree: offset 0: not a node list (missing RXTREE1 header)");
    CHECK(error_of("RXTREE1\nX 755 0 0 1 0 0\n/\n") == "tree: offset 9: unknown node type");
    CHECK(error_of("RXTREE1\nD 7778 0 0 1 0 0\n/\n").find("bad number in header") != std::string::npos);
    CHECK(error_of("RXTREE1\nD 17777 0 0 1 0 0\n/\n").ends_with("mode, uid or gid out of range"));
    CHECK(error_of("RXTREE1\nF 644 0 0 4 0 0\n/a/b\n").ends_with("/a/b comes before its directory /a"));
    CHECK(error_of("RXTREE1\nF 644 0 0 1 0 0\na\n").ends_with("path \"a\" is not absolute and normalised"));
    CHECK(error_of("RXTREE1\nF 644 0 0 4 0 0\n/a/.\n").ends_with("is not absolute and normalised"));
    CHECK(error_of("RXTREE1\nD 755 0 0 2 0 0\n/a\nD 755 0 0 2 0 0\n/a\n").ends_with("duplicate path /a"));
    CHECK(error_of("RXTREE1\nF 644 0 0 2 99 0\n/a\n").ends_with("field runs past the end"));
    CHECK(error_of("RXTREE1\nL 777 0 0 2 0 0\n/a\n").ends_with("symlink /a needs a target and no host source"));
    CHECK(error_of("RXTREE1\nD 755 0 0 2 1 0\n/ax\n").ends_with("directory /a has data"));
    CHECK(error_of("RXTREE1\nF 644 0 0 2 0 0\n/aX").ends_with("node does not end with a newline"));
    CHECK(error_of("RXTREE1\nF 644 -1 0 2 0 0\n/a\n").ends_with("bad number in header"));
}
