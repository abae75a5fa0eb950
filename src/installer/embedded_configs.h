// The default configs compiled into the library (generated from configs/*.toml).
#pragma once

#include <string_view>
#include <vector>

namespace redox::installer {

struct EmbeddedConfig {
    std::string_view name;   // "base", "minimal", ...
    std::string_view text;   // the TOML source
};

const std::vector<EmbeddedConfig>& embedded_configs();

} // namespace redox::installer
