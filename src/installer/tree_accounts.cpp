// /etc/passwd, /etc/group and /etc/shadow in Redox's formats (reference §9):
//   passwd  name;uid;gid;full name;home;shell
//   group   name;x;gid;member1,member2
//   shadow  name;argon2-encoded-hash   ("" = no password)
#include "installer/tree.h"
#include "installer/tree_internal.h"

#include <algorithm>
#include <cerrno>
#include <set>

#include <argon2.h>
#include <sodium.h>

#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <unistd.h>
#include <fmt/format.h>

namespace redox::installer {

namespace {

std::string g_memo_path;

std::string to_hex(const unsigned char* p, size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i)
        s += fmt::format("{:02x}", p[i]);
    return s;
}

bool from_hex(std::string_view h, unsigned char* out, size_t n) {
    if (h.size() != 2 * n)
        return false;
    for (size_t i = 0; i < n; ++i) {
        unsigned v = 0;
        if (std::sscanf(std::string(h.substr(2 * i, 2)).c_str(), "%2x", &v) != 1)
            return false;
        out[i] = static_cast<unsigned char>(v);
    }
    return true;
}

// The memo: a first line "key HEX", then "HEX-OF-BLAKE2B(password) ENCODED-HASH" lines.
struct Memo {
    unsigned char key[crypto_generichash_KEYBYTES];
    std::map<std::string, std::string> hashes;
    bool loaded = false;
};

Memo load_memo() {
    Memo m;
    std::ifstream in(g_memo_path);
    std::string tag, value;
    if (in >> tag >> value && tag == "key" && from_hex(value, m.key, sizeof m.key)) {
        m.loaded = true;
        std::string k, h;
        while (in >> k >> h)
            m.hashes[k] = h;
    } else {
        randombytes_buf(m.key, sizeof m.key);
    }
    return m;
}

void save_memo(const Memo& m) {
    std::string tmp = g_memo_path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    std::string text = "key " + to_hex(m.key, sizeof m.key) + "\n";
    for (const auto& [k, h] : m.hashes)
        text += k + " " + h + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    ::close(fd);
    if (ok)
        ::rename(tmp.c_str(), g_memo_path.c_str());
    else
        ::unlink(tmp.c_str());
}

} // namespace

void set_password_memo(std::string path) { g_memo_path = std::move(path); }

Result<std::string> hash_password(std::string_view password, uint64_t salt) {
    if (password.empty())
        return std::string();
    std::string memo_key;
    Memo memo;
    if (!g_memo_path.empty() && sodium_init() >= 0) {
        memo = load_memo();
        unsigned char digest[32];
        crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(password.data()),
                           password.size(), memo.key, sizeof memo.key);
        memo_key = to_hex(digest, sizeof digest);
        if (auto it = memo.hashes.find(memo_key); it != memo.hashes.end())
            return it->second;
    }
    // Zero-padded so the salt always meets argon2's 8-byte minimum.
    std::string salt_text = fmt::format("{:016X}", salt);
    constexpr uint32_t t_cost = 10, m_cost = 4096, lanes = 1, hash_len = 32;
    std::string encoded(argon2_encodedlen(t_cost, m_cost, lanes, salt_text.size(), hash_len, Argon2_i), '\0');
    int rc = argon2i_hash_encoded(t_cost, m_cost, lanes, password.data(), password.size(), salt_text.data(),
                                  salt_text.size(), hash_len, encoded.data(), encoded.size());
    if (rc != ARGON2_OK)
        return err(EINVAL, fmt::format("argon2: {}", argon2_error_message(rc)));
    encoded.resize(encoded.find('\0'));
    if (!memo_key.empty()) {
        memo.hashes[memo_key] = encoded;
        save_memo(memo);
    }
    return encoded;
}

namespace detail {

namespace {
constexpr uint32_t first_free_id = 1000;

uint32_t next_free(std::set<uint32_t>& used) {
    uint32_t id = first_free_id;
    while (used.contains(id))
        ++id;
    used.insert(id);
    return id;
}

struct GroupLine {
    uint32_t gid;
    std::string line;
};
} // namespace

Result<Accounts> make_accounts(const Config& cfg, const std::function<uint64_t(const std::string&)>& salt_for) {
    std::set<uint32_t> uids, gids;
    for (const auto& [n, u] : cfg.users) {
        if (u.uid) uids.insert(*u.uid);
        if (u.gid) gids.insert(*u.gid);
    }
    for (const auto& [n, g] : cfg.groups)
        if (g.gid) gids.insert(*g.gid);

    struct Resolved { const User* user; uint32_t uid, gid; };
    std::vector<Resolved> users;
    // A user's own group takes the user's id when free: fixed ids claim theirs first.
    auto group_id = [&](uint32_t uid) {
        if (gids.contains(uid))
            return next_free(gids);
        gids.insert(uid);
        return uid;
    };
    for (const auto& [name, u] : cfg.users)
        if (u.uid)
            users.push_back({&u, *u.uid, u.gid ? *u.gid : group_id(*u.uid)});
    for (const auto& [name, u] : cfg.users)
        if (!u.uid) {
            uint32_t uid = next_free(uids);
            users.push_back({&u, uid, u.gid ? *u.gid : group_id(uid)});
        }
    std::ranges::sort(users, {}, &Resolved::uid);

    Accounts acc;
    std::vector<GroupLine> groups;
    for (const auto& r : users) {
        const User& u = *r.user;
        acc.passwd += fmt::format("{};{};{};{};{};{}\n", u.name, r.uid, r.gid, u.fullname, u.home, u.shell);
        std::string hash = TRY(hash_password(u.password, salt_for(u.name)));
        acc.shadow += fmt::format("{};{}\n", u.name, hash);
        acc.homes.push_back({u.home, r.uid, r.gid});
        // Each user gets a group of its own name, unless the config defines that group.
        if (!cfg.groups.contains(u.name))
            groups.push_back({r.gid, fmt::format("{};x;{};{}\n", u.name, r.gid, u.name)});
    }
    for (const auto& [name, g] : cfg.groups) {
        uint32_t gid = g.gid ? *g.gid : next_free(gids);
        std::string members;
        for (const auto& m : g.members)
            members += (members.empty() ? "" : ",") + m;
        groups.push_back({gid, fmt::format("{};x;{};{}\n", name, gid, members)});
    }
    std::ranges::stable_sort(groups, {}, &GroupLine::gid);
    for (const auto& g : groups)
        acc.group += g.line;
    return acc;
}

} // namespace detail
} // namespace redox::installer
