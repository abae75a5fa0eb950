// Config -> node list: directories implied by paths, [[files]], packages, accounts.
#include "installer/tree.h"
#include "installer/tree_internal.h"

#include <cerrno>
#include <random>
#include <sys/random.h>

#include <fmt/format.h>

namespace redox::installer {

namespace {

constexpr int max_symlink_hops = 40;

std::unexpected<Error> bad(const std::string& origin, std::string_view what) {
    return std::unexpected(Error(EINVAL, fmt::format("config {}: {}", origin, what)));
}

// "/a/./b//c/" -> "/a/b/c"; ".." pops (symlink targets may use it; config paths cannot).
std::string normalise(std::string_view p) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i <= p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string_view::npos)
            j = p.size();
        std::string_view c = p.substr(i, j - i);
        if (c == "..") {
            if (!parts.empty())
                parts.pop_back();
        } else if (!c.empty() && c != ".") {
            parts.push_back(c);
        }
        i = j + 1;
    }
    std::string out;
    for (auto c : parts) {
        out += '/';
        out += c;
    }
    return out.empty() ? "/" : out;
}

std::string parent_of(const std::string& p) {
    size_t s = p.rfind('/');
    return s == 0 ? "/" : p.substr(0, s);
}

class TreeBuilder {
public:
    TreeBuilder() { m_nodes["/"] = Node{Node::Type::Dir, "/", 0755, 0, 0, {}, {}}; }

    // The path with every symlink among its parents followed; the last component is
    // left alone (an entry replaces a symlink, it does not write through it).
    Result<std::string> resolve(const std::string& path, const std::string& origin) {
        std::string cur = normalise(path);
        for (int hops = 0; hops <= max_symlink_hops; ++hops) {
            bool followed = false;
            for (size_t s = cur.find('/', 1); s != std::string::npos; s = cur.find('/', s + 1)) {
                std::string prefix = cur.substr(0, s);
                auto it = m_nodes.find(prefix);
                if (it == m_nodes.end())
                    break;  // the rest is new: implied directories
                const Node& n = it->second;
                if (n.type == Node::Type::File)
                    return bad(origin, fmt::format("{}: {} is a file, not a directory", path, prefix));
                if (n.type == Node::Type::Symlink) {
                    if (n.data.find(':') != std::string::npos || n.data.starts_with("/scheme/"))
                        return bad(origin, fmt::format("{}: {} is a symlink to {} outside the file system",
                                                       path, prefix, n.data));
                    std::string target = n.data.starts_with('/') ? n.data : parent_of(prefix) + "/" + n.data;
                    cur = normalise(target + cur.substr(s));
                    followed = true;
                    break;
                }
            }
            if (!followed)
                return cur;
        }
        return bad(origin, fmt::format("{}: too many levels of symlinks", path));
    }

    // Creates the missing parents of path (0755, root).
    void make_parents(const std::string& path) {
        for (size_t s = path.find('/', 1); s != std::string::npos; s = path.find('/', s + 1)) {
            std::string prefix = path.substr(0, s);
            if (!m_nodes.contains(prefix))
                m_nodes[prefix] = Node{Node::Type::Dir, prefix, 0755, 0, 0, {}, {}};
        }
    }

    Result<void> put_dir(const std::string& raw, std::optional<uint32_t> mode, uint32_t uid, uint32_t gid,
                         const std::string& origin) {
        std::string path = TRY(resolve(raw, origin));
        make_parents(path);
        auto it = m_nodes.find(path);
        if (it != m_nodes.end() && it->second.type != Node::Type::Dir)
            return bad(origin, fmt::format("{}: already a {}, cannot be a directory", raw, kind(it->second)));
        Node& n = m_nodes[path];
        if (it == m_nodes.end())
            n = Node{Node::Type::Dir, path, 0755, 0, 0, {}, {}};
        if (mode)
            n.mode = *mode;
        n.uid = uid;
        n.gid = gid;
        return {};
    }

    Result<void> put_leaf(Node leaf, bool append, const std::string& origin) {
        std::string path = TRY(resolve(leaf.path, origin));
        make_parents(path);
        auto it = m_nodes.find(path);
        if (it != m_nodes.end() && it->second.type == Node::Type::Dir)
            return bad(origin, fmt::format("{}: already a directory", leaf.path));
        if (append && it != m_nodes.end()) {
            if (it->second.type != Node::Type::File || !it->second.host_source.empty())
                return bad(origin, fmt::format("{}: cannot append to a {}", leaf.path, kind(it->second)));
            it->second.data += leaf.data;
            it->second.uid = leaf.uid;
            it->second.gid = leaf.gid;
            return {};
        }
        leaf.path = path;
        m_nodes[path] = std::move(leaf);
        return {};
    }

    Result<void> apply(const FileEntry& f) {
        if (f.directory)
            return put_dir(f.path, f.mode, f.uid, f.gid, f.origin);
        Node n{f.symlink ? Node::Type::Symlink : Node::Type::File, f.path,
               f.symlink ? 0777u : f.mode.value_or(0644), f.uid, f.gid, f.data, {}};
        if (f.append && !f.mode)
            if (auto it = m_nodes.find(normalise(f.path)); it != m_nodes.end())
                n.mode = it->second.mode;
        return put_leaf(std::move(n), f.append, f.origin);
    }

    Result<void> chown_tree(const FileEntry& f) {
        std::string root = TRY(resolve(f.path, f.origin));
        std::string below = root == "/" ? "/" : root + "/";
        for (auto it = m_nodes.lower_bound(root); it != m_nodes.end(); ++it) {
            if (it->first != root && !it->first.starts_with(below))
                break;
            it->second.uid = f.uid;
            it->second.gid = f.gid;
        }
        return {};
    }

    std::vector<Node> take() {
        std::vector<Node> out;
        out.reserve(m_nodes.size());
        for (auto& [p, n] : m_nodes)
            out.push_back(std::move(n));
        return out;
    }

private:
    static const char* kind(const Node& n) {
        return n.type == Node::Type::Dir ? "directory" : n.type == Node::Type::Symlink ? "symlink" : "file";
    }

    // std::map orders "/a" before "/a/b", so parents always precede children.
    std::map<std::string, Node> m_nodes;
};

std::string catalog_names(const PackageCatalog& catalog) {
    std::string s;
    for (const auto& [name, progs] : catalog)
        s += (s.empty() ? "" : ", ") + name;
    return s.empty() ? "none" : s;
}

Result<std::vector<Node>> build(const Config& cfg, const PackageCatalog& catalog,
                                const std::function<uint64_t(const std::string&)>& salt_for) {
    TreeBuilder t;
    for (const auto& f : cfg.files)
        if (!f.postinstall)
            TRY(t.apply(f));
    for (const auto& [name, spec] : cfg.packages) {
        if (spec.ignore)
            continue;
        auto it = catalog.find(name);
        if (it == catalog.end())
            return bad(spec.origin, fmt::format("package {} is not built here (catalog: {})", name,
                                                catalog_names(catalog)));
        for (const auto& [install, host] : it->second) {
            if (!install.starts_with('/'))
                return bad(spec.origin, fmt::format("package {}: install path \"{}\" is not absolute", name,
                                                    install));
            TRY(t.put_leaf(Node{Node::Type::File, install, 0755, 0, 0, {}, host}, false, spec.origin));
        }
    }
    detail::Accounts acc = TRY(detail::make_accounts(cfg, salt_for));
    const std::string here = cfg.source + " [users]";
    TRY(t.put_leaf(Node{Node::Type::File, "/etc/passwd", 0644, 0, 0, acc.passwd, {}}, false, here));
    TRY(t.put_leaf(Node{Node::Type::File, "/etc/group", 0600, 0, 0, acc.group, {}}, false, here));
    TRY(t.put_leaf(Node{Node::Type::File, "/etc/shadow", 0600, 0, 0, acc.shadow, {}}, false, here));
    for (const auto& h : acc.homes)
        TRY(t.put_dir(h.path, 0700, h.uid, h.gid, here));
    for (const auto& f : cfg.files)
        if (f.postinstall)
            TRY(t.apply(f));
    for (const auto& f : cfg.files)
        if (f.recursive_chown)
            TRY(t.chown_tree(f));
    return t.take();
}

} // namespace

Result<std::vector<Node>> build_tree(const Config& cfg, const PackageCatalog& catalog) {
    return build(cfg, catalog, [](const std::string&) {
        uint64_t salt = 0;
        if (getrandom(&salt, sizeof salt, 0) != static_cast<ssize_t>(sizeof salt))
            salt = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
        return salt;
    });
}

Result<std::vector<Node>> build_tree_with_salt(const Config& cfg, const PackageCatalog& catalog, uint64_t salt) {
    return build(cfg, catalog, [salt](const std::string&) { return salt; });
}

} // namespace redox::installer
