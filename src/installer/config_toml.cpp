// One TOML document onto a Config: every key is known or rejected with its file:line.
#include "installer/config_parse.h"

#include <cerrno>
#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace redox::installer::detail {

Error config_error(std::string_view file, const toml::source_region& where, std::string_view what,
                   int errnum) {
    return Error(errnum, fmt::format("config {}:{}: {}", file, where.begin.line, what));
}

namespace {

struct Doc {
    const std::string& file;

    std::unexpected<Error> bad(const toml::node& n, std::string_view what) const {
        return std::unexpected(config_error(file, n.source(), what));
    }
    std::unexpected<Error> bad(const toml::key& k, std::string_view what) const {
        return std::unexpected(config_error(file, k.source(), what));
    }
    std::string origin(const toml::node& n) const {
        return fmt::format("{}:{}", file, n.source().begin.line);
    }

    Result<std::string> string(const toml::node& n, std::string_view key) const {
        if (const auto* s = n.as_string())
            return s->get();
        return bad(n, fmt::format("'{}' must be a string", key));
    }
    Result<bool> boolean(const toml::node& n, std::string_view key) const {
        if (const auto* b = n.as_boolean())
            return b->get();
        return bad(n, fmt::format("'{}' must be true or false", key));
    }
    Result<uint64_t> unsigned_int(const toml::node& n, std::string_view key, uint64_t max) const {
        const auto* i = n.as_integer();
        if (!i || i->get() < 0 || static_cast<uint64_t>(i->get()) > max)
            return bad(n, fmt::format("'{}' must be an integer from 0 to {}", key, max));
        return static_cast<uint64_t>(i->get());
    }
    Result<uint32_t> id(const toml::node& n, std::string_view key) const {
        return static_cast<uint32_t>(TRY(unsigned_int(n, key, std::numeric_limits<uint32_t>::max() - 1)));
    }
    // Modes are octal: 0o755 (TOML octal integer) or "755" / "0o755". A decimal
    // literal such as 755 is a classic slip (it means 0o1363), so only 0..7 pass.
    Result<uint32_t> mode(const toml::node& n) const {
        int64_t v = -1;
        if (const auto* i = n.as_integer()) {
            bool octal = !!(i->flags() & toml::value_flags::format_as_octal);
            if (!octal && (i->get() < 0 || i->get() > 7))
                return bad(n, fmt::format("mode {} is decimal (= 0o{:o}): write modes in octal, e.g. 0o755",
                                          i->get(), i->get() < 0 ? 0 : i->get()));
            v = i->get();
        } else if (const auto* s = n.as_string()) {
            std::string_view t = s->get();
            if (t.starts_with("0o"))
                t.remove_prefix(2);
            auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, 8);
            if (t.empty() || ec != std::errc() || p != t.data() + t.size())
                return bad(n, fmt::format("mode \"{}\" is not an octal number", s->get()));
        } else {
            return bad(n, "mode must be an octal integer such as 0o755");
        }
        if (v < 0 || v > 07777)
            return bad(n, fmt::format("mode 0o{:o} is out of range (0o0 to 0o7777)", v < 0 ? 0 : v));
        return static_cast<uint32_t>(v);
    }
    // Text that lands in a ';'-separated line of /etc/passwd or /etc/group.
    Result<std::string> field(const toml::node& n, std::string_view key) const {
        std::string s = TRY(string(n, key));
        if (s.find_first_of(";\n") != std::string::npos)
            return bad(n, fmt::format("'{}' must not contain ';' or a newline", key));
        return s;
    }
    Result<void> name(const toml::key& k, std::string_view what) const {
        std::string_view s = k.str();
        if (s.empty() || s.find_first_of(";,:/\n \t") != std::string_view::npos)
            return bad(k, fmt::format("{} name '{}' must be non-empty without ';' ',' ':' '/' or spaces",
                                      what, s));
        return {};
    }
    const toml::table* table(const toml::node& n) const { return n.as_table(); }
};

// Lexically normalised absolute path; rejects ".." and relative paths.
Result<std::string> normal_path(const Doc& d, const toml::node& n) {
    std::string raw = TRY(d.string(n, "path"));
    if (!raw.starts_with('/'))
        return d.bad(n, fmt::format("path \"{}\" must be absolute", raw));
    std::string out;
    size_t i = 0;
    while (i < raw.size()) {
        size_t j = raw.find('/', i);
        if (j == std::string::npos)
            j = raw.size();
        std::string_view c(raw.data() + i, j - i);
        if (c == "..")
            return d.bad(n, fmt::format("path \"{}\" must not contain '..'", raw));
        if (!c.empty() && c != ".") {
            out += '/';
            out += c;
        }
        i = j + 1;
    }
    if (raw.find('\0') != std::string::npos || raw.find('\n') != std::string::npos)
        return d.bad(n, "path must not contain NUL or newline");
    return out.empty() ? std::string("/") : out;
}

Result<void> apply_general(const Doc& d, General& g, const toml::table& t) {
    constexpr uint64_t max_mib = 1ull << 40;
    for (auto&& [k, v] : t) {
        std::string_view key = k.str();
        if (key == "prompt") g.prompt = TRY(d.boolean(v, key));
        else if (key == "filesystem_size") g.filesystem_size_mib = TRY(d.unsigned_int(v, key, max_mib));
        else if (key == "efi_partition_size") g.efi_partition_size_mib = TRY(d.unsigned_int(v, key, max_mib));
        else if (key == "skip_partitions") g.skip_partitions = TRY(d.boolean(v, key));
        else if (key == "encrypt_disk") g.encrypt_disk = TRY(d.string(v, key));
        else if (key == "live_disk") g.live_disk = TRY(d.boolean(v, key));
        else if (key == "write_bootloader") g.write_bootloader = TRY(d.string(v, key));
        else if (key == "no_mount") g.no_mount = TRY(d.boolean(v, key));
        else if (key == "cookbook") g.cookbook = TRY(d.string(v, key));
        else return d.bad(k, fmt::format("unknown key '{}' in [general]", key));
    }
    return {};
}

Result<void> apply_packages(const Doc& d, Config& cfg, const toml::table& t) {
    for (auto&& [k, v] : t) {
        TRY(d.name(k, "package"));
        PackageSpec p;
        p.origin = d.origin(v);
        if (const auto* s = v.as_string()) {
            if (s->get() == "ignore")
                p.ignore = true;
            else
                p.recipe = s->get();
        } else if (const auto* pt = v.as_table()) {
            for (auto&& [pk, pv] : *pt) {
                std::string_view key = pk.str();
                if (key == "version") p.version = TRY(d.string(pv, key));
                else if (key == "git") p.git = TRY(d.string(pv, key));
                else if (key == "path") p.path = TRY(d.string(pv, key));
                else return d.bad(pk, fmt::format("unknown key '{}' in package {}", key, k.str()));
            }
        } else {
            return d.bad(v, fmt::format("package {} must be {{}}, \"ignore\", a recipe string or "
                                        "{{ version, git, path }}", k.str()));
        }
        cfg.packages[std::string(k.str())] = std::move(p);
    }
    return {};
}

Result<FileEntry> file_entry(const Doc& d, const toml::table& t) {
    FileEntry f;
    f.origin = d.origin(t);
    bool has_path = false, has_data = false;
    for (auto&& [k, v] : t) {
        std::string_view key = k.str();
        if (key == "path") { f.path = TRY(normal_path(d, v)); has_path = true; }
        else if (key == "data") { f.data = TRY(d.string(v, key)); has_data = !f.data.empty(); }
        else if (key == "symlink") f.symlink = TRY(d.boolean(v, key));
        else if (key == "directory") f.directory = TRY(d.boolean(v, key));
        else if (key == "append") f.append = TRY(d.boolean(v, key));
        else if (key == "mode") f.mode = TRY(d.mode(v));
        else if (key == "uid") f.uid = TRY(d.id(v, key));
        else if (key == "gid") f.gid = TRY(d.id(v, key));
        else if (key == "recursive_chown") f.recursive_chown = TRY(d.boolean(v, key));
        else if (key == "postinstall") f.postinstall = TRY(d.boolean(v, key));
        else return d.bad(k, fmt::format("unknown key '{}' in [[files]]", key));
    }
    // One entry is one kind of node: a file (data = content), a symlink (data = target)
    // or a directory (no data).
    if (!has_path)
        return d.bad(t, "[[files]] entry has no path");
    if (f.directory && f.symlink)
        return d.bad(t, "[[files]] entry has both directory and symlink");
    if (f.directory && has_data)
        return d.bad(t, "[[files]] entry has both directory and data");
    if (f.symlink && !has_data)
        return d.bad(t, "[[files]] symlink entry has no target in data");
    if (f.append && (f.symlink || f.directory))
        return d.bad(t, "[[files]] entry has append with symlink or directory");
    if (f.path == "/" && !f.directory)
        return d.bad(t, "[[files]] entry for / must be a directory");
    return f;
}

Result<void> apply_files(const Doc& d, Config& cfg, const toml::node& n) {
    const auto* arr = n.as_array();
    if (!arr)
        return d.bad(n, "'files' must be an array of tables ([[files]])");
    for (const auto& e : *arr) {
        const auto* t = e.as_table();
        if (!t)
            return d.bad(e, "each [[files]] entry must be a table");
        cfg.files.push_back(TRY(file_entry(d, *t)));
    }
    return {};
}

Result<void> apply_users(const Doc& d, Config& cfg, const toml::table& t) {
    for (auto&& [k, v] : t) {
        TRY(d.name(k, "user"));
        const auto* ut = v.as_table();
        if (!ut)
            return d.bad(v, fmt::format("[users.{}] must be a table", k.str()));
        User u;
        u.name = k.str();
        u.origin = d.origin(v);
        for (auto&& [uk, uv] : *ut) {
            std::string_view key = uk.str();
            if (key == "password") {
                u.password = TRY(d.string(uv, key));
                if (u.password.find('\0') != std::string::npos)
                    return d.bad(uv, "'password' must not contain NUL");
            }
            else if (key == "uid") u.uid = TRY(d.id(uv, key));
            else if (key == "gid") u.gid = TRY(d.id(uv, key));
            else if (key == "name") u.fullname = TRY(d.field(uv, key));
            else if (key == "home") u.home = TRY(d.field(uv, key));
            else if (key == "shell") u.shell = TRY(d.field(uv, key));
            else return d.bad(uk, fmt::format("unknown key '{}' in [users.{}]", key, k.str()));
        }
        if (u.fullname.empty()) u.fullname = u.name;
        if (u.home.empty()) u.home = "/home/" + u.name;
        if (u.shell.empty()) u.shell = "/bin/ion";
        if (!u.home.starts_with('/'))
            return d.bad(v, fmt::format("user {}: home \"{}\" must be absolute", u.name, u.home));
        cfg.users[u.name] = std::move(u);
    }
    return {};
}

Result<void> apply_groups(const Doc& d, Config& cfg, const toml::table& t) {
    for (auto&& [k, v] : t) {
        TRY(d.name(k, "group"));
        const auto* gt = v.as_table();
        if (!gt)
            return d.bad(v, fmt::format("[groups.{}] must be a table", k.str()));
        Group g;
        g.name = k.str();
        g.origin = d.origin(v);
        for (auto&& [gk, gv] : *gt) {
            std::string_view key = gk.str();
            if (key == "gid") {
                g.gid = TRY(d.id(gv, key));
            } else if (key == "members") {
                const auto* arr = gv.as_array();
                if (!arr)
                    return d.bad(gv, "'members' must be an array of user names");
                for (const auto& m : *arr)
                    g.members.push_back(TRY(d.field(m, "members")));
            } else {
                return d.bad(gk, fmt::format("unknown key '{}' in [groups.{}]", key, k.str()));
            }
        }
        cfg.groups[g.name] = std::move(g);
    }
    return {};
}

} // namespace

Result<void> apply_document(Config& cfg, const toml::table& doc, const std::string& file) {
    Doc d{file};
    for (auto&& [k, v] : doc) {
        std::string_view key = k.str();
        if (key == "include")
            continue;
        if (key == "files") {
            TRY(apply_files(d, cfg, v));
            continue;
        }
        const auto* t = v.as_table();
        if (key != "general" && key != "packages" && key != "users" && key != "groups")
            return d.bad(k, fmt::format("unknown key '{}' (expected include, general, packages, files, "
                                        "users or groups)", key));
        if (!t)
            return d.bad(v, fmt::format("'{}' must be a table ([{}])", key, key));
        if (key == "general") TRY(apply_general(d, cfg.general, *t));
        else if (key == "packages") TRY(apply_packages(d, cfg, *t));
        else if (key == "users") TRY(apply_users(d, cfg, *t));
        else TRY(apply_groups(d, cfg, *t));
    }
    return {};
}

} // namespace redox::installer::detail
