// `redox-sim fsck IMAGE [--password-file F]`: exit 0 clean, 1 problems found.
#include <cstdio>

#include "cli/command.h"
#include "redoxfs/cli_common.h"
#include "redoxfs/fsck.h"

namespace redox::redoxfs::cli {
namespace {

int run_fsck(std::span<char*> argv) {
    Args a = parse_args(argv);
    if (!a.bad.empty() || a.positional.size() != 1)
        return redox::cli::fail("usage: fsck IMAGE [--password-file F]");
    const std::string& image = a.positional[0];
    auto fs = open_image(image, false, a, true);
    if (!fs) return fail("fsck " + image, fs.error());
    FsckReport r;
    {
        Progress p("fsck " + image);
        r = fsck(**fs, [&](uint64_t n) { p.update(std::to_string(n) + " nodes checked"); });
    }
    for (auto& w : r.warnings) std::printf("warning: %s\n", w.c_str());
    for (auto& e : r.errors) std::printf("error: %s\n", e.c_str());
    std::printf("%s: generation %llu, %llu files, %llu directories, %llu blocks used, %zu errors\n", image.c_str(),
                (unsigned long long)(*fs)->generation(), (unsigned long long)r.files, (unsigned long long)r.dirs,
                (unsigned long long)r.used_blocks, r.errors.size());
    if (!r.ok()) return redox::cli::fail("fsck " + image + ": " + std::to_string(r.errors.size()) + " problems found");
    return 0;
}

} // namespace
REDOX_SIM_COMMAND("fsck", "fsck IMAGE [--password-file F]", run_fsck);
} // namespace redox::redoxfs::cli
