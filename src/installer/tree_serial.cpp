// The node list's wire form (see tree.h): length-prefixed, so contents need no escaping.
#include "installer/tree.h"

#include <cerrno>
#include <charconv>
#include <set>

#include <fmt/format.h>

namespace redox::installer {

namespace {
constexpr std::string_view magic = "RXTREE1\n";
constexpr uint64_t max_field = 1ull << 32;   // a single file above 4 GiB is not a config's

char type_char(Node::Type t) {
    return t == Node::Type::Dir ? 'D' : t == Node::Type::Symlink ? 'L' : 'F';
}

class Reader {
public:
    Reader(std::string_view b, size_t start) : m_bytes(b), m_pos(start) {}

    bool done() const { return m_pos == m_bytes.size(); }
    size_t pos() const { return m_pos; }

    std::unexpected<Error> bad(std::string_view what) const {
        return std::unexpected(Error(EINVAL, fmt::format("tree: offset {}: {}", m_pos, what)));
    }

    // One space- or newline-terminated number.
    Result<uint64_t> number(int base, char end) {
        size_t stop = m_bytes.find(end, m_pos);
        if (stop == std::string_view::npos || stop == m_pos)
            return bad("truncated header");
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(m_bytes.data() + m_pos, m_bytes.data() + stop, v, base);
        if (ec != std::errc() || p != m_bytes.data() + stop)
            return bad("bad number in header");
        m_pos = stop + 1;
        return v;
    }

    Result<std::string_view> take(uint64_t n) {
        if (n > m_bytes.size() - m_pos)
            return bad("field runs past the end");
        std::string_view s = m_bytes.substr(m_pos, n);
        m_pos += n;
        return s;
    }

    Result<char> byte() {
        if (done())
            return bad("truncated");
        return m_bytes[m_pos++];
    }

private:
    std::string_view m_bytes;
    size_t m_pos = 0;
};

bool normalised_absolute(std::string_view p) {
    if (p == "/")
        return true;
    if (!p.starts_with('/') || p.ends_with('/') || p.find('\0') != std::string_view::npos)
        return false;
    for (size_t i = 1; i <= p.size();) {
        size_t j = p.find('/', i);
        if (j == std::string_view::npos)
            j = p.size();
        std::string_view c = p.substr(i, j - i);
        if (c.empty() || c == "." || c == "..")
            return false;
        i = j + 1;
    }
    return true;
}
} // namespace

std::string serialize_tree(const std::vector<Node>& nodes) {
    std::string out(magic);
    for (const auto& n : nodes) {
        out += fmt::format("{} {:o} {} {} {} {} {}\n", type_char(n.type), n.mode, n.uid, n.gid, n.path.size(),
                           n.data.size(), n.host_source.size());
        out += n.path;
        out += n.data;
        out += n.host_source;
        out += '\n';
    }
    return out;
}

Result<std::vector<Node>> parse_tree(std::string_view bytes) {
    if (!bytes.starts_with(magic))
        return err(EINVAL, "tree: offset 0: not a node list (missing RXTREE1 header)");
    Reader r(bytes, magic.size());
    std::vector<Node> nodes;
    std::set<std::string, std::less<>> dirs{"/"}, seen;
    while (!r.done()) {
        Node n;
        char t = TRY(r.byte());
        if (t == 'F') n.type = Node::Type::File;
        else if (t == 'D') n.type = Node::Type::Dir;
        else if (t == 'L') n.type = Node::Type::Symlink;
        else return r.bad("unknown node type");
        if (TRY(r.byte()) != ' ')
            return r.bad("expected a space after the type");
        uint64_t mode = TRY(r.number(8, ' '));
        uint64_t uid = TRY(r.number(10, ' '));
        uint64_t gid = TRY(r.number(10, ' '));
        uint64_t plen = TRY(r.number(10, ' '));
        uint64_t dlen = TRY(r.number(10, ' '));
        uint64_t slen = TRY(r.number(10, '\n'));
        if (mode > 07777 || uid > UINT32_MAX || gid > UINT32_MAX)
            return r.bad("mode, uid or gid out of range");
        if (plen > max_field || dlen > max_field || slen > max_field)
            return r.bad("field too long");
        n.mode = static_cast<uint32_t>(mode);
        n.uid = static_cast<uint32_t>(uid);
        n.gid = static_cast<uint32_t>(gid);
        n.path = TRY(r.take(plen));
        n.data = TRY(r.take(dlen));
        n.host_source = TRY(r.take(slen));
        if (TRY(r.byte()) != '\n')
            return r.bad("node does not end with a newline");
        if (!normalised_absolute(n.path))
            return r.bad(fmt::format("path \"{}\" is not absolute and normalised", n.path));
        if (n.type == Node::Type::Dir && (!n.data.empty() || !n.host_source.empty()))
            return r.bad(fmt::format("directory {} has data", n.path));
        if (n.type == Node::Type::Symlink && (n.data.empty() || !n.host_source.empty()))
            return r.bad(fmt::format("symlink {} needs a target and no host source", n.path));
        if (!seen.insert(n.path).second)
            return r.bad(fmt::format("duplicate path {}", n.path));
        if (n.path != "/") {
            size_t s = n.path.rfind('/');
            std::string_view parent = s == 0 ? std::string_view("/") : std::string_view(n.path).substr(0, s);
            if (!dirs.contains(parent))
                return r.bad(fmt::format("{} comes before its directory {}", n.path, parent));
        }
        if (n.type == Node::Type::Dir)
            dirs.insert(n.path);
        nodes.push_back(std::move(n));
    }
    return nodes;
}

} // namespace redox::installer
