#include "spawner/driver_config.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace redox::spawner {

namespace {
std::string where(const std::string& path, const toml::node& n) {
    return fmt::format("{}:{}", path, n.source().begin.line);
}

Error bad(const std::string& path, const toml::node& n, std::string_view why) {
    return Error(EINVAL, fmt::format("{}: {}", where(path, n), why));
}

template <typename T>
Result<T> integer(const std::string& path, const toml::node& n, std::string_view key) {
    auto v = n.value<int64_t>();
    if (!n.is_integer() || !v || *v < 0 || *v > static_cast<int64_t>(std::numeric_limits<T>::max()))
        return std::unexpected(bad(path, n, fmt::format("'{}' must be an integer 0..{:#x}", key,
                                                        static_cast<uint64_t>(std::numeric_limits<T>::max()))));
    return static_cast<T>(*v);
}

std::optional<uint16_t> parse_vendor_key(std::string_view s) {
    if (s.starts_with("0x") || s.starts_with("0X"))
        s.remove_prefix(2);
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > 0xFFFF)
        return std::nullopt;
    return static_cast<uint16_t>(v);
}

Result<DriverEntry> parse_entry(const std::string& path, const toml::table& t) {
    DriverEntry e;
    e.origin = where(path, t);
    for (auto&& [key, node] : t) {
        std::string_view k = key.str();
        if (k == "name") {
            if (!node.is_string())
                return std::unexpected(bad(path, node, "'name' must be a string"));
            e.name = *node.value<std::string>();
        } else if (k == "class") {
            e.class_code = TRY(integer<uint8_t>(path, node, k));
        } else if (k == "subclass") {
            e.subclass = TRY(integer<uint8_t>(path, node, k));
        } else if (k == "interface") {
            e.interface = TRY(integer<uint8_t>(path, node, k));
        } else if (k == "vendor") {
            e.vendor = TRY(integer<uint16_t>(path, node, k));
        } else if (k == "device") {
            e.device = TRY(integer<uint16_t>(path, node, k));
        } else if (k == "ids") {
            const toml::table* ids = node.as_table();
            if (!ids)
                return std::unexpected(bad(path, node, "'ids' must be a table of \"0xVVVV\" = [device, ...]"));
            std::map<uint16_t, std::vector<uint16_t>> m;
            for (auto&& [vkey, list] : *ids) {
                auto vendor = parse_vendor_key(vkey.str());
                if (!vendor)
                    return std::unexpected(
                        bad(path, list, fmt::format("ids key '{}' is not a hex vendor id", vkey.str())));
                const toml::array* arr = list.as_array();
                if (!arr)
                    return std::unexpected(bad(path, list, "ids values must be arrays of device ids"));
                auto& devs = m[*vendor];
                for (auto&& d : *arr)
                    devs.push_back(TRY(integer<uint16_t>(path, d, "ids")));
            }
            e.ids = std::move(m);
        } else if (k == "device_id_range") {
            // serde's Range<u16>: { start = A, end = B } or [A, B].
            const toml::node *start = nullptr, *end = nullptr;
            if (auto* tab = node.as_table()) {
                start = tab->get("start");
                end = tab->get("end");
            } else if (auto* arr = node.as_array(); arr && arr->size() == 2) {
                start = arr->get(0);
                end = arr->get(1);
            }
            if (!start || !end)
                return std::unexpected(bad(path, node, "'device_id_range' must be { start = A, end = B }"));
            uint16_t a = TRY(integer<uint16_t>(path, *start, "start"));
            uint16_t b = TRY(integer<uint16_t>(path, *end, "end"));
            if (a > b)
                return std::unexpected(bad(path, node, "'device_id_range' start is after end"));
            e.device_id_range = std::pair{a, b};
        } else if (k == "command") {
            const toml::array* arr = node.as_array();
            if (!arr || arr->empty())
                return std::unexpected(bad(path, node, "'command' must be a non-empty array of strings"));
            for (auto&& s : *arr) {
                if (!s.is_string())
                    return std::unexpected(bad(path, s, "'command' must be a non-empty array of strings"));
                e.command.push_back(*s.value<std::string>());
            }
        } else if (k == "use_channel") {
            if (!node.is_boolean())
                return std::unexpected(bad(path, node, "'use_channel' must be true or false"));
        } else {
            // Unknown keys are rejected: a typo like "clas" would otherwise match everything.
            return std::unexpected(bad(path, node, fmt::format("unknown key '{}' in [[drivers]]", k)));
        }
    }
    if (e.command.empty())
        return std::unexpected(Error(EINVAL, e.origin + ": [[drivers]] entry has no command"));
    return e;
}
} // namespace

bool DriverEntry::matches(const pci::PciId& id) const {
    if (class_code && *class_code != id.class_code)
        return false;
    if (subclass && *subclass != id.subclass)
        return false;
    if (interface && *interface != id.interface)
        return false;
    if (ids) {
        auto it = ids->find(id.vendor);
        if (it == ids->end() || std::find(it->second.begin(), it->second.end(), id.device) == it->second.end())
            return false;
    } else {
        if (vendor && *vendor != id.vendor)
            return false;
        if (device && *device != id.device)
            return false;
    }
    if (device_id_range && (id.device < device_id_range->first || id.device >= device_id_range->second))
        return false;
    return true;
}

std::vector<std::string> DriverEntry::argv(const std::filesystem::path& driver_dir) const {
    std::vector<std::string> a = command;
    if (!a.empty() && a[0].find('/') == std::string::npos)
        a[0] = (driver_dir / a[0]).string();
    return a;
}

Result<DriverConfig> DriverConfig::parse(std::string_view text, const std::string& path) {
    toml::table doc;
    try {
        doc = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        return err(EINVAL, fmt::format("{}:{}: {}", path, e.source().begin.line, e.description()));
    }
    DriverConfig cfg;
    for (auto&& [key, node] : doc) {
        if (key.str() != "drivers")
            return std::unexpected(bad(path, node, fmt::format("unknown top-level key '{}'", key.str())));
        const toml::array* arr = node.as_array();
        if (!arr)
            return std::unexpected(bad(path, node, "'drivers' must be an array of tables ([[drivers]])"));
        for (auto&& item : *arr) {
            const toml::table* t = item.as_table();
            if (!t)
                return std::unexpected(bad(path, item, "each drivers entry must be a table"));
            cfg.m_entries.push_back(TRY(parse_entry(path, *t)));
        }
    }
    return cfg;
}

Result<DriverConfig> DriverConfig::load_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return err(errno ? errno : ENOENT, path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path.string());
}

Result<DriverConfig> DriverConfig::load_dirs(const std::vector<std::filesystem::path>& dirs) {
    std::map<std::string, std::filesystem::path> files; // file name -> winning path
    for (const auto& dir : dirs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec))
            continue;
        for (const auto& de : std::filesystem::directory_iterator(dir, ec)) {
            if (de.path().extension() == ".toml" && de.is_regular_file(ec))
                files[de.path().filename().string()] = de.path();
        }
        if (ec)
            return err(ec.value(), dir.string());
    }
    DriverConfig all;
    for (const auto& [name, path] : files) {
        DriverConfig one = TRY(load_file(path));
        for (auto& e : one.m_entries)
            all.m_entries.push_back(std::move(e));
    }
    return all;
}

void DriverConfig::append(DriverConfig other) {
    for (auto& e : other.m_entries)
        m_entries.push_back(std::move(e));
}

const DriverEntry* DriverConfig::find(const pci::PciId& id) const {
    for (const auto& e : m_entries)
        if (e.matches(id))
            return &e;
    return nullptr;
}

} // namespace redox::spawner
