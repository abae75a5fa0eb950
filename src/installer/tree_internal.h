// Internal to the installer: the accounts files a config implies.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "installer/tree.h"

namespace redox::installer::detail {

struct Home {
    std::string path;
    uint32_t uid = 0, gid = 0;
};

struct Accounts {
    std::string passwd, group, shadow;   // Redox formats, ';'-separated, one line each
    std::vector<Home> homes;
};

// salt_for(user name) gives the argon2 salt of that user's password.
Result<Accounts> make_accounts(const Config& cfg, const std::function<uint64_t(const std::string&)>& salt_for);

} // namespace redox::installer::detail
