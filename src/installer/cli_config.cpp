// `redox-sim config ...`: look at a config without booting it.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "installer/config.h"
#include "installer/init_script.h"
#include "installer/tree.h"

namespace {

using namespace redox::installer;

const char* type_name(Node::Type t) {
    return t == Node::Type::Dir ? "dir " : t == Node::Type::Symlink ? "link" : "file";
}

// Without the boot's program catalog, every package counts as built and empty.
PackageCatalog empty_catalog(const Config& cfg) {
    PackageCatalog c;
    for (const auto& [name, spec] : cfg.packages)
        c[name] = {};
    return c;
}

// The init scripts a config installs, parsed, so a bad line is caught before boot.
int check_scripts(const Config& cfg) {
    for (const auto& f : cfg.files) {
        if (f.symlink || f.directory)
            continue;
        if (!f.path.starts_with("/usr/lib/init.d/") && !f.path.starts_with("/etc/init.d/") &&
            f.path != "/etc/init.rc")
            continue;
        auto r = parse_init_script(f.data, f.path);
        if (!r) {
            // "init PATH:LINE: WHAT" -> "config FILE:LINE: PATH:LINE: WHAT"
            std::string_view why = r.error().context;
            if (why.starts_with("init "))
                why.remove_prefix(5);
            return redox::cli::fail(fmt::format("config {}: {}", f.origin, why));
        }
    }
    return 0;
}

int run_config(std::span<char*> args) {
    std::string sub = args.empty() ? "" : args[0];
    if (sub == "list" && args.size() == 1) {
        for (const auto& n : embedded_config_names())
            std::printf("%s\n", n.c_str());
        return 0;
    }
    if (args.size() != 2 || (sub != "check" && sub != "show" && sub != "print"))
        return redox::cli::fail("usage: redox-sim config list | check NAME|FILE | show NAME|FILE | print NAME");
    std::string what = args[1];
    if (sub == "print") {
        auto text = embedded_config(what);
        if (!text)
            return redox::cli::fail(fmt::format("config {}: no such embedded config", what));
        std::fwrite(text->data(), 1, text->size(), stdout);
        return 0;
    }
    auto cfg = load_config(what);
    if (!cfg)
        return redox::cli::fail(cfg.error().context);
    if (int rc = check_scripts(*cfg))
        return rc;
    auto tree = build_tree(*cfg, empty_catalog(*cfg));
    if (!tree)
        return redox::cli::fail(tree.error().context);
    if (sub == "check") {
        std::printf("config %s: ok (%zu packages, %zu files entries, %zu users, %zu groups, %zu nodes)\n",
                    what.c_str(), cfg->packages.size(), cfg->files.size(), cfg->users.size(), cfg->groups.size(),
                    tree->size());
        return 0;
    }
    std::printf("# packages:");
    for (const auto& [name, spec] : cfg->packages)
        std::printf(" %s%s", name.c_str(), spec.ignore ? "(ignored)" : "");
    std::printf("\n# programs of packages are not listed: the boot's catalog supplies them\n");
    for (const auto& n : *tree) {
        std::string extra = n.type == Node::Type::Symlink ? " -> " + n.data
                            : n.type == Node::Type::File  ? fmt::format(" ({} bytes)", n.data.size())
                                                          : "";
        std::printf("%s %04o %5u %5u %s%s\n", type_name(n.type), n.mode, n.uid, n.gid, n.path.c_str(),
                    extra.c_str());
    }
    return 0;
}

} // namespace

REDOX_SIM_COMMAND("config", "config list | check NAME|FILE | show NAME|FILE | print NAME", run_config);
