// Loading a config: embedded or host text, includes (in order, cycles rejected), then
// the checks that need the merged result.
#include "installer/config_parse.h"
#include "installer/embedded_configs.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

namespace redox::installer {

namespace {

namespace stdfs = std::filesystem;

constexpr int max_include_depth = 32;
constexpr size_t max_config_bytes = 16u << 20;

struct Source {
    std::string display;   // as named in errors
    std::string id;        // identity for cycle detection
    std::string dir;       // includes resolve here; empty for embedded
    bool embedded = false;
};

std::string_view strip_toml(std::string_view name) {
    if (name.ends_with(".toml"))
        name.remove_suffix(5);
    return name;
}

std::string embedded_list() {
    std::string s;
    for (const auto& n : embedded_config_names())
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

Result<std::string> read_host_file(const std::string& path, std::string_view what) {
    std::error_code ec;
    if (stdfs::is_directory(path, ec))
        return err(EISDIR, fmt::format("config {}: {} is a directory", path, what));
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f)
        return err(errno, fmt::format("config {}: cannot read {}: {}", path, what, std::strerror(errno)));
    std::string text;
    char buf[8192];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
        text.append(buf, n);
        if (text.size() > max_config_bytes)   // e.g. /dev/zero: refuse instead of eating memory
            return err(EFBIG, fmt::format("config {}: {} is larger than {} bytes", path, what, max_config_bytes));
    }
    if (std::ferror(f.get()))
        return err(EIO, fmt::format("config {}: read error", path));
    return text;
}

Source embedded_source(std::string_view name) {
    std::string stem(strip_toml(name));
    return Source{"embedded:" + stem + ".toml", "embedded:" + stem, "", true};
}

Source host_source(const std::string& path) {
    std::error_code ec;
    stdfs::path canon = stdfs::weakly_canonical(path, ec);
    std::string dir = stdfs::path(path).parent_path().string();
    return Source{path, ec ? path : canon.string(), dir.empty() ? "." : dir, false};
}

class Loader {
public:
    Result<void> apply(Config& cfg, std::string_view text, const Source& src) {
        if (m_stack.size() >= max_include_depth)
            return err(ELOOP, fmt::format("config {}: includes nested deeper than {}", src.display,
                                          max_include_depth));
        toml::table doc;
        try {
            doc = toml::parse(text, src.display);
        } catch (const toml::parse_error& e) {
            return err(EINVAL, fmt::format("config {}:{}:{}: {}", src.display, e.source().begin.line,
                                           e.source().begin.column, e.description()));
        }
        m_stack.push_back(src.id);
        if (const toml::node* inc = doc.get("include")) {
            const auto* arr = inc->as_array();
            if (!arr)
                return std::unexpected(detail::config_error(src.display, inc->source(),
                                                            "'include' must be an array of file names"));
            for (const auto& e : *arr) {
                const auto* s = e.as_string();
                if (!s)
                    return std::unexpected(detail::config_error(src.display, e.source(),
                                                                "'include' entries must be strings"));
                TRY(apply_include(cfg, src, s->get(), e.source()));
            }
        }
        TRY(detail::apply_document(cfg, doc, src.display));
        m_stack.pop_back();
        return {};
    }

private:
    Result<void> apply_include(Config& cfg, const Source& from, const std::string& name,
                               const toml::source_region& where) {
        Source src;
        std::string text;
        stdfs::path p = from.embedded ? stdfs::path() : stdfs::path(from.dir) / name;
        std::error_code ec;
        if (!from.embedded && stdfs::exists(p, ec)) {
            src = host_source(p.lexically_normal().string());
            auto t = read_host_file(src.display, "include");
            if (!t)
                return std::unexpected(detail::config_error(from.display, where,
                    fmt::format("include \"{}\": {}", name, t.error().context), t.error().errnum));
            text = std::move(*t);
        } else if (auto e = name.find('/') == std::string::npos ? embedded_config(name) : std::nullopt) {
            src = embedded_source(name);
            text = std::string(*e);
        } else {
            std::string why = from.embedded
                ? fmt::format("include \"{}\": no such embedded config (embedded: {})", name, embedded_list())
                : fmt::format("include \"{}\": no such file {} and no such embedded config", name,
                              p.lexically_normal().string());
            return std::unexpected(detail::config_error(from.display, where, why, ENOENT));
        }
        if (std::find(m_stack.begin(), m_stack.end(), src.id) != m_stack.end())
            return std::unexpected(detail::config_error(from.display, where,
                fmt::format("include \"{}\" includes itself (cycle)", name), ELOOP));
        return apply(cfg, text, src);
    }

    std::vector<std::string> m_stack;
};

Result<Config> finish(Config cfg) {
    TRY(detail::check_merged(cfg));
    return cfg;
}

} // namespace

std::vector<std::string> embedded_config_names() {
    std::vector<std::string> names;
    for (const auto& c : embedded_configs())
        names.emplace_back(c.name);
    return names;
}

std::optional<std::string_view> embedded_config(std::string_view name) {
    name = strip_toml(name);
    for (const auto& c : embedded_configs())
        if (c.name == name)
            return c.text;
    return std::nullopt;
}

Result<Config> load_config(std::string_view name_or_path) {
    bool path_like = name_or_path.find('/') != std::string_view::npos || name_or_path.ends_with(".toml");
    Config cfg;
    cfg.source = name_or_path;
    if (!path_like) {
        auto text = embedded_config(name_or_path);
        if (!text)
            return err(ENOENT, fmt::format("config {}: no such embedded config (embedded: {}; a host file "
                                           "needs a '/' or a .toml suffix)", name_or_path, embedded_list()));
        TRY(Loader().apply(cfg, *text, embedded_source(name_or_path)));
        return finish(std::move(cfg));
    }
    std::string path(name_or_path);
    std::string text = TRY(read_host_file(path, "the config"));
    TRY(Loader().apply(cfg, text, host_source(path)));
    return finish(std::move(cfg));
}

Result<Config> load_config_text(std::string_view text, std::string_view display_name, std::string_view dir) {
    Config cfg;
    cfg.source = display_name;
    Source src{std::string(display_name), fmt::format("text:{}/{}", dir, display_name),
               dir.empty() ? "." : std::string(dir), false};
    TRY(Loader().apply(cfg, text, src));
    return finish(std::move(cfg));
}

} // namespace redox::installer
