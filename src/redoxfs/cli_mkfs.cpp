// `redox-sim mkfs IMAGE [--size BYTES] [--encrypt --password-file F]`
#include <cerrno>
#include <cstdio>
#include <sys/stat.h>

#include "cli/command.h"
#include "redoxfs/cli_common.h"

namespace redox::redoxfs::cli {
namespace {

int run_mkfs(std::span<char*> argv) {
    Args a = parse_args(argv);
    if (!a.bad.empty() || a.positional.size() != 1)
        return redox::cli::fail("usage: mkfs IMAGE [--size BYTES] [--encrypt --password-file F]" +
                                (a.bad.empty() ? std::string() : " (" + a.bad + ")"));
    const std::string& image = a.positional[0];
    std::string what = "mkfs " + image;
    if (a.encrypt != bool(a.password_file))
        return redox::cli::fail(what + ": --encrypt needs --password-file F (and the reverse)");
    CreateOptions o;
    if (a.password_file) {
        auto pw = read_password(*a.password_file);
        if (!pw) return fail(what, pw.error());
        o.password = *pw;
    }
    std::unique_ptr<FileDisk> disk;
    if (a.size) {
        auto size = parse_size(*a.size);
        if (!size) return fail(what, size.error());
        auto d = FileDisk::create(image, *size);
        if (!d) return fail(what, d.error());
        disk = std::move(*d);
    } else {
        auto d = FileDisk::open(image, true);
        if (!d) return fail(what, Error(d.error().errnum, "cannot open (give --size to create it)"));
        disk = std::move(*d);
    }
    auto fs = FileSystem::create(std::move(disk), o);
    if (!fs) return fail(what, fs.error());
    const uint8_t* u = (*fs)->header().uuid;
    std::printf("redox-sim: created RedoxFS v8 on %s, %llu MiB%s, uuid "
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n",
                image.c_str(), (unsigned long long)((*fs)->header().size >> 20), o.password ? ", encrypted" : "",
                u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    return 0;
}

} // namespace
REDOX_SIM_COMMAND("mkfs", "mkfs IMAGE [--size BYTES] [--encrypt --password-file F]", run_mkfs);
} // namespace redox::redoxfs::cli
