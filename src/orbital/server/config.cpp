#include "orbital/server/config.h"

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace redox::orbital {
namespace {

std::string where(const std::string& source, const toml::source_region& r) {
    return source + ":" + std::to_string(r.begin.line);
}

Result<uint32_t> parse_color(const toml::node& node, const std::string& source,
                             std::string_view key) {
    auto bad = [&](std::string why) {
        return err(EINVAL, where(source, node.source()) + ": " + std::string(key) + " " + why);
    };
    auto from_int = [&](int64_t v) -> Result<uint32_t> {
        if (v < 0 || v > 0xFFFFFFFFll) return bad("is not a 32-bit ARGB value");
        return uint32_t(v);
    };
    if (auto t = node.as_table()) {
        auto data = (*t)["data"].value<int64_t>();
        if (!data) return bad("table needs an integer `data`");
        return from_int(*data);
    }
    if (auto i = node.value<int64_t>()) return from_int(*i);
    if (auto s = node.value<std::string>()) {
        std::string_view hex = *s;
        if (hex.empty() || hex[0] != '#' || (hex.size() != 7 && hex.size() != 9))
            return bad("must be \"#RRGGBB\" or \"#AARRGGBB\"");
        uint32_t v = 0;
        auto [p, ec] = std::from_chars(hex.data() + 1, hex.data() + hex.size(), v, 16);
        if (ec != std::errc() || p != hex.data() + hex.size()) return bad("has bad hex digits");
        if (hex.size() == 7) v |= 0xFF000000;
        return v;
    }
    return bad("must be a table { data = N }, an integer or a \"#RRGGBB\" string");
}

} // namespace

Result<OrbitalConfig> OrbitalConfig::parse(std::string_view text, const std::string& source,
                                           const std::string& base_dir) {
    toml::table t;
    try {
        // toml++ is built with exceptions here; they stop at this function.
        t = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        return err(EINVAL, where(source, e.source()) + ": " + std::string(e.description()));
    }
    OrbitalConfig cfg;
    struct Key { std::string_view name; uint32_t* field; };
    Key colors[] = {{"background_color", &cfg.background_color},
                    {"bar_color", &cfg.bar_color},
                    {"bar_highlight_color", &cfg.bar_highlight_color},
                    {"text_color", &cfg.text_color},
                    {"text_highlight_color", &cfg.text_highlight_color}};
    for (auto& k : colors)
        if (const toml::node* n = t.get(k.name)) *k.field = TRY(parse_color(*n, source, k.name));
    if (const toml::node* n = t.get("background_image")) {
        auto s = n->value<std::string>();
        if (!s || s->empty())
            return err(EINVAL, where(source, n->source()) + ": background_image must be a path");
        std::filesystem::path p(*s);
        cfg.background_image = p.is_absolute() ? p.string() : (base_dir / p).string();
    }
    return cfg;
}

Result<OrbitalConfig> OrbitalConfig::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return err(errno ? errno : ENOENT, path);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string dir = std::filesystem::path(path).parent_path().string();
    return parse(ss.str(), path, dir.empty() ? "." : dir);
}

} // namespace redox::orbital
