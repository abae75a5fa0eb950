// `redox-sim fs ar|ls|cat|extract|snapshot ...`: image tools.
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <dirent.h>
#include <algorithm>
#include <cstring>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/command.h"
#include "redoxfs/archive.h"
#include "redoxfs/cli_common.h"

namespace redox::redoxfs::cli {
namespace {

constexpr const char* kUsage =
    "fs ar IMAGE DIR [--size BYTES] [--encrypt --password-file F] | fs ls|cat|extract IMAGE [PATH] [DEST] [--snapshot NAME] | "
    "fs snapshot IMAGE create|list|delete|rollback [NAME]";

std::string progress_line(const ArchiveStats& s) {
    return std::to_string(s.files) + " files, " + std::to_string(s.dirs) + " dirs, " +
           std::to_string(s.bytes >> 20) + " MiB";
}

// Sums the host tree so `fs ar` can size a new image.
uint64_t host_bytes(const std::string& dir) {
    uint64_t total = 0;
    std::string cmd;
    std::function<void(const std::string&)> walk = [&](const std::string& d) {
        auto* h = opendir(d.c_str());
        if (!h) return;
        while (auto* e = readdir(h)) {
            std::string n = e->d_name;
            if (n == "." || n == "..") continue;
            struct stat st;
            std::string p = d + "/" + n;
            if (lstat(p.c_str(), &st) != 0) continue;
            total += (uint64_t(st.st_size) + 4095) / 4096 * 4096 + 8192;
            if (S_ISDIR(st.st_mode)) walk(p);
        }
        closedir(h);
    };
    walk(dir);
    return total;
}

int cmd_ar(const Args& a) {
    if (a.positional.size() != 3) return redox::cli::fail(std::string("usage: ") + kUsage);
    const std::string& image = a.positional[1];
    const std::string& dir = a.positional[2];
    std::string what = "fs ar " + image;
    struct stat st;
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(what, Error(ENOTDIR, dir + ": not a directory"));
    CreateOptions co;
    if (a.encrypt != bool(a.password_file))
        return redox::cli::fail(what + ": --encrypt needs --password-file F (and the reverse)");
    if (a.password_file) {
        auto pw = read_password(*a.password_file);
        if (!pw) return fail(what, pw.error());
        co.password = *pw;
    }
    uint64_t size;
    if (a.size) {
        auto s = parse_size(*a.size);
        if (!s) return fail(what, s.error());
        size = *s;
    } else if (stat(image.c_str(), &st) == 0 && st.st_size > 0) {
        size = uint64_t(st.st_size);   // like redoxfs-ar: use the image's current size
    } else {
        size = host_bytes(dir) * 5 / 4 + (16u << 20);
    }
    auto disk = stat(image.c_str(), &st) == 0 && uint64_t(st.st_size) == size ? FileDisk::open(image, true)
                                                                             : FileDisk::create(image, size);
    if (!disk) return fail(what, disk.error());
    auto fs = FileSystem::create(std::move(*disk), co);
    if (!fs) return fail(what, fs.error());
    Result<ArchiveStats> r;
    {
        Progress p(what);
        r = archive_dir(**fs, dir, kRootId, [&](const ArchiveStats& s) { p.update(progress_line(s)); });
    }
    if (!r) return fail(what, r.error());
    if (auto c = (*fs)->commit(true); !c) return fail(what, c.error());
    std::printf("redox-sim: %s: %s\n", image.c_str(), progress_line(*r).c_str());
    return 0;
}

const char* type_char(uint16_t mode) {
    switch (mode & kModeType) {
    case kModeDir: return "d";
    case kModeSymlink: return "l";
    case kModeSock: return "s";
    default: return "-";
    }
}

int cmd_ls(const Args& a) {
    if (a.positional.size() < 2 || a.positional.size() > 3) return redox::cli::fail(std::string("usage: ") + kUsage);
    const std::string& image = a.positional[1];
    std::string path = a.positional.size() == 3 ? a.positional[2] : "/";
    std::string what = "fs ls " + image;
    auto fs = open_image(image, false, a);
    if (!fs) return fail(what, fs.error());
    auto ino = (*fs)->resolve(path);
    if (!ino) return fail(what, Error(ino.error().errnum, path + ": " + std::strerror(ino.error().errnum)));
    auto st = (*fs)->stat(*ino);
    if (!st) return fail(what, st.error());
    std::vector<DirEntryInfo> ents;
    if ((st->mode & kModeType) == kModeDir) {
        auto e = (*fs)->getdents(*ino);
        if (!e) return fail(what, Error(e.error().errnum, path + ": " + e.error().context));
        ents = std::move(*e);
        std::sort(ents.begin(), ents.end(), [](auto& x, auto& y) { return x.name < y.name; });
    } else {
        ents.push_back({*ino, path, 0});
    }
    for (auto& e : ents) {
        auto s = (*fs)->stat(e.ino);
        if (!s) return fail(what, Error(s.error().errnum, e.name + ": " + s.error().context));
        char tbuf[32];
        time_t t = time_t(s->mtime.sec);
        std::strftime(tbuf, sizeof tbuf, "%Y-%m-%d %H:%M", std::gmtime(&t));
        std::string extra;
        if ((s->mode & kModeType) == kModeSymlink) {
            auto target = (*fs)->readlink(e.ino);
            if (target) extra = " -> " + *target;
        }
        std::printf("%s%04o %5u %5u %10llu %s %s%s\n", type_char(s->mode), s->mode & kModePerm, s->uid, s->gid,
                    (unsigned long long)s->size, tbuf, e.name.c_str(), extra.c_str());
    }
    return 0;
}

int cmd_cat(const Args& a) {
    if (a.positional.size() != 3) return redox::cli::fail(std::string("usage: ") + kUsage);
    const std::string& image = a.positional[1];
    const std::string& path = a.positional[2];
    std::string what = "fs cat " + image;
    auto fs = open_image(image, false, a);
    if (!fs) return fail(what, fs.error());
    auto ino = (*fs)->resolve(path);
    if (!ino) return fail(what, Error(ino.error().errnum, path + ": " + std::strerror(ino.error().errnum)));
    Buf buf(1 << 20);
    for (uint64_t off = 0;;) {
        auto n = (*fs)->read(*ino, off, buf);
        if (!n) return fail(what, Error(n.error().errnum, path + ": " + n.error().context));
        if (*n == 0) break;
        if (std::fwrite(buf.data(), 1, *n, stdout) != *n) return fail(what, Error(EIO, "write to stdout failed"));
        off += *n;
    }
    return 0;
}

int cmd_extract(const Args& a) {
    if (a.positional.size() < 3 || a.positional.size() > 4) return redox::cli::fail(std::string("usage: ") + kUsage);
    const std::string& image = a.positional[1];
    std::string path = a.positional.size() == 4 ? a.positional[2] : "/";
    std::string dest = a.positional.back();
    std::string what = "fs extract " + image;
    auto fs = open_image(image, false, a);
    if (!fs) return fail(what, fs.error());
    auto ino = (*fs)->resolve(path, {}, false);
    if (!ino) return fail(what, Error(ino.error().errnum, path + ": " + std::strerror(ino.error().errnum)));
    Result<ArchiveStats> r;
    {
        Progress p(what);
        r = extract(**fs, *ino, dest, [&](const ArchiveStats& s) { p.update(progress_line(s)); });
    }
    if (!r) return fail(what, r.error());
    std::printf("redox-sim: extracted %s to %s: %s\n", path.c_str(), dest.c_str(), progress_line(*r).c_str());
    return 0;
}

int cmd_snapshot(const Args& a) {
    if (a.positional.size() < 3) return redox::cli::fail(std::string("usage: ") + kUsage);
    const std::string& image = a.positional[1];
    const std::string& op = a.positional[2];
    std::string what = "fs snapshot " + image;
    bool needs_name = op == "create" || op == "delete" || op == "rollback";
    if (!needs_name && op != "list") return redox::cli::fail(what + ": unknown operation '" + op + "'");
    if (needs_name != (a.positional.size() == 4)) return redox::cli::fail(what + ": " + op + (needs_name ? " needs a NAME" : " takes no NAME"));
    auto fs = open_image(image, op != "list", a);
    if (!fs) return fail(what, fs.error());
    Result<void> r;
    if (op == "list") {
        auto l = (*fs)->snapshots();
        if (!l) return fail(what, l.error());
        for (auto& s : *l) {
            char tbuf[32];
            time_t t = time_t(s.time);
            std::strftime(tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S", std::gmtime(&t));
            std::printf("%-39s generation %-8llu %s UTC\n", s.name.c_str(), (unsigned long long)s.generation, tbuf);
        }
        return 0;
    }
    const std::string& name = a.positional[3];
    if (op == "create") r = (*fs)->snapshot_create(name);
    else if (op == "delete") r = (*fs)->snapshot_delete(name);
    else r = (*fs)->snapshot_rollback(name);
    if (!r) return fail(what, r.error());
    return 0;
}

int run_fs(std::span<char*> argv) {
    Args a = parse_args(argv);
    if (!a.bad.empty()) return redox::cli::fail("fs: " + a.bad);
    if (a.positional.empty()) return redox::cli::fail(std::string("usage: ") + kUsage);
    const std::string& sub = a.positional[0];
    if (sub == "ar") return cmd_ar(a);
    if (sub == "ls") return cmd_ls(a);
    if (sub == "cat") return cmd_cat(a);
    if (sub == "extract") return cmd_extract(a);
    if (sub == "snapshot") return cmd_snapshot(a);
    return redox::cli::fail("fs: unknown subcommand '" + sub + "' (ar, ls, cat, extract, snapshot)");
}

} // namespace
REDOX_SIM_COMMAND("fs", "fs ar|ls|cat|extract|snapshot IMAGE ... (RedoxFS image tools)", run_fs);
} // namespace redox::redoxfs::cli
