// Internal to the installer: turning one parsed TOML document into Config fields.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "installer/config.h"

namespace redox::installer::detail {

// "config FILE:LINE: WHAT" as an Error.
Error config_error(std::string_view file, const toml::source_region& where, std::string_view what,
                   int errnum = EINVAL);

// Applies every top-level table of doc except `include` onto cfg with the merge rules of
// config.h (the caller has already applied the includes). file names doc in errors.
Result<void> apply_document(Config& cfg, const toml::table& doc, const std::string& file);

// Checks that need the whole merged config (duplicate ids, group members).
Result<void> check_merged(const Config& cfg);

} // namespace redox::installer::detail
