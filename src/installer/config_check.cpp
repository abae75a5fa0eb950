// Checks over the merged config: what no single file can be blamed for until all are in.
#include "installer/config_parse.h"

#include <cerrno>
#include <map>

#include <fmt/format.h>

namespace redox::installer::detail {

namespace {
// origin is "FILE:LINE"; errors keep the "config FILE:LINE: WHAT" form.
std::unexpected<Error> bad_at(const std::string& origin, std::string_view what) {
    return std::unexpected(Error(EINVAL, fmt::format("config {}: {}", origin, what)));
}
} // namespace

Result<void> check_merged(const Config& cfg) {
    std::map<uint32_t, const User*> uids;
    for (const auto& [name, u] : cfg.users) {
        if (!u.uid)
            continue;
        auto [it, fresh] = uids.emplace(*u.uid, &u);
        if (!fresh)
            return bad_at(u.origin, fmt::format("duplicate uid {}: user {} and user {} ({})", *u.uid, name,
                                                it->second->name, it->second->origin));
    }
    std::map<uint32_t, const Group*> gids;
    for (const auto& [name, g] : cfg.groups) {
        if (!g.gid)
            continue;
        auto [it, fresh] = gids.emplace(*g.gid, &g);
        if (!fresh)
            return bad_at(g.origin, fmt::format("duplicate gid {}: group {} and group {} ({})", *g.gid, name,
                                                it->second->name, it->second->origin));
        // A user's own group carries the user's gid; another group may not take it.
        for (const auto& [uname, u] : cfg.users)
            if (u.gid && *u.gid == *g.gid && uname != name)
                return bad_at(g.origin, fmt::format("duplicate gid {}: group {} and the group of user {} ({})",
                                                    *g.gid, name, uname, u.origin));
    }
    for (const auto& [name, g] : cfg.groups)
        for (const auto& m : g.members)
            if (!cfg.users.contains(m))
                return bad_at(g.origin, fmt::format("group {}: member {} is not a user of this config", name, m));
    return {};
}

} // namespace redox::installer::detail
