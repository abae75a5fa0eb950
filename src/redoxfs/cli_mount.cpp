// `redox-sim mount IMAGE DIR [--password-file F] [-f]`: serves the image through
// FUSE (libfuse3), like upstream's `redoxfs` on Linux. Unmount with
// `fusermount3 -u DIR`. Every namespace change is committed at once; file data is
// committed on fsync, flush and close.
#define FUSE_USE_VERSION 35
#include <fuse.h>

#include <cerrno>
#include <cstring>

#include "cli/command.h"
#include "redoxfs/cli_common.h"

namespace redox::redoxfs::cli {
namespace {

FileSystem* g_fs = nullptr;   // libfuse's C callbacks need one reachable instance

Caller caller() {
    auto* c = fuse_get_context();
    return {c->uid, c->gid};
}

template <class T> int code(const Result<T>& r) { return r ? 0 : -r.error().errnum; }

int commit_after(Result<void> r) {
    if (!r) return -r.error().errnum;
    return code(g_fs->commit());
}

void fill_stat(const Stat& s, struct stat* st) {
    std::memset(st, 0, sizeof *st);
    st->st_ino = s.ino;
    st->st_mode = s.mode;
    st->st_nlink = s.nlink;
    st->st_uid = s.uid;
    st->st_gid = s.gid;
    st->st_size = off_t(s.size);
    st->st_blksize = 512;
    st->st_blocks = blkcnt_t(s.blocks * 8);
    st->st_atim = {time_t(s.atime.sec), long(s.atime.nsec)};
    st->st_mtim = {time_t(s.mtime.sec), long(s.mtime.nsec)};
    st->st_ctim = {time_t(s.ctime.sec), long(s.ctime.nsec)};
}

int op_getattr(const char* path, struct stat* st, fuse_file_info*) {
    auto ino = g_fs->resolve(path, caller(), false);
    if (!ino) return -ino.error().errnum;
    auto s = g_fs->stat(*ino);
    if (!s) return -s.error().errnum;
    fill_stat(*s, st);
    return 0;
}

int op_readdir(const char* path, void* buf, fuse_fill_dir_t fill, off_t, fuse_file_info*, fuse_readdir_flags) {
    auto ino = g_fs->resolve(path, caller());
    if (!ino) return -ino.error().errnum;
    auto ents = g_fs->getdents(*ino);
    if (!ents) return -ents.error().errnum;
    fill(buf, ".", nullptr, 0, fuse_fill_dir_flags(0));
    fill(buf, "..", nullptr, 0, fuse_fill_dir_flags(0));
    for (auto& e : *ents) fill(buf, e.name.c_str(), nullptr, 0, fuse_fill_dir_flags(0));
    return 0;
}

int op_open(const char* path, fuse_file_info* fi) {
    auto ino = g_fs->resolve(path, caller());
    if (!ino) return -ino.error().errnum;
    fi->fh = *ino;
    g_fs->on_open(*ino);
    if (fi->flags & O_TRUNC) return code(g_fs->truncate(*ino, 0));
    return 0;
}

int op_create(const char* path, mode_t mode, fuse_file_info* fi) {
    auto parent = g_fs->resolve_parent(path, caller());
    if (!parent) return -parent.error().errnum;
    auto ino = g_fs->mknod(parent->first, parent->second, uint16_t(kModeFile | (mode & 07777)), caller());
    if (!ino) return -ino.error().errnum;
    fi->fh = *ino;
    g_fs->on_open(*ino);
    return code(g_fs->commit());
}

int op_read(const char*, char* buf, size_t size, off_t off, fuse_file_info* fi) {
    auto n = g_fs->read(uint32_t(fi->fh), uint64_t(off), std::span<uint8_t>(reinterpret_cast<uint8_t*>(buf), size));
    return n ? int(*n) : -n.error().errnum;
}

int op_write(const char*, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
    auto n = g_fs->write(uint32_t(fi->fh), uint64_t(off), std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(buf), size));
    return n ? int(*n) : -n.error().errnum;
}

int op_flush(const char*, fuse_file_info*) { return code(g_fs->commit()); }
int op_fsync(const char*, int, fuse_file_info*) { return code(g_fs->commit()); }
int op_release(const char*, fuse_file_info* fi) {
    auto r = g_fs->on_close(uint32_t(fi->fh));
    return commit_after(r);
}

int op_mkdir(const char* path, mode_t mode) {
    auto parent = g_fs->resolve_parent(path, caller());
    if (!parent) return -parent.error().errnum;
    auto r = g_fs->mknod(parent->first, parent->second, uint16_t(kModeDir | (mode & 07777)), caller());
    if (!r) return -r.error().errnum;
    return code(g_fs->commit());
}

int remove(const char* path, bool dir) {
    auto parent = g_fs->resolve_parent(path, caller());
    if (!parent) return -parent.error().errnum;
    return commit_after(g_fs->unlink(parent->first, parent->second, dir, caller()));
}
int op_unlink(const char* path) { return remove(path, false); }
int op_rmdir(const char* path) { return remove(path, true); }

int op_rename(const char* from, const char* to, unsigned int flags) {
    if (flags) return -EINVAL;
    auto a = g_fs->resolve_parent(from, caller());
    auto b = g_fs->resolve_parent(to, caller());
    if (!a) return -a.error().errnum;
    if (!b) return -b.error().errnum;
    return commit_after(g_fs->rename(a->first, a->second, b->first, b->second, caller()));
}

int op_symlink(const char* target, const char* path) {
    auto parent = g_fs->resolve_parent(path, caller());
    if (!parent) return -parent.error().errnum;
    auto r = g_fs->symlink(parent->first, parent->second, target, caller());
    if (!r) return -r.error().errnum;
    return code(g_fs->commit());
}

int op_link(const char* from, const char* to) {
    auto ino = g_fs->resolve(from, caller(), false);
    auto parent = g_fs->resolve_parent(to, caller());
    if (!ino) return -ino.error().errnum;
    if (!parent) return -parent.error().errnum;
    return commit_after(g_fs->link(parent->first, parent->second, *ino, caller()));
}

int op_readlink(const char* path, char* buf, size_t size) {
    auto ino = g_fs->resolve(path, caller(), false);
    if (!ino) return -ino.error().errnum;
    auto t = g_fs->readlink(*ino);
    if (!t) return -t.error().errnum;
    if (size == 0) return -EINVAL;
    size_t n = std::min(size - 1, t->size());
    std::memcpy(buf, t->data(), n);
    buf[n] = 0;
    return 0;
}

int op_truncate(const char* path, off_t size, fuse_file_info* fi) {
    uint32_t ino;
    if (fi) ino = uint32_t(fi->fh);
    else {
        auto r = g_fs->resolve(path, caller());
        if (!r) return -r.error().errnum;
        ino = *r;
    }
    return commit_after(g_fs->truncate(ino, uint64_t(size)));
}

int op_chmod(const char* path, mode_t mode, fuse_file_info*) {
    auto ino = g_fs->resolve(path, caller());
    if (!ino) return -ino.error().errnum;
    return commit_after(g_fs->chmod(*ino, uint16_t(mode & 07777), caller()));
}

int op_chown(const char* path, uid_t uid, gid_t gid, fuse_file_info*) {
    auto ino = g_fs->resolve(path, caller(), false);
    if (!ino) return -ino.error().errnum;
    std::optional<uint32_t> u, g;
    if (uid != uid_t(-1)) u = uid;
    if (gid != gid_t(-1)) g = gid;
    return commit_after(g_fs->chown(*ino, u, g, caller()));
}

int op_utimens(const char* path, const timespec tv[2], fuse_file_info*) {
    auto ino = g_fs->resolve(path, caller(), false);
    if (!ino) return -ino.error().errnum;
    auto conv = [](const timespec& t) -> std::optional<Timespec> {
        if (t.tv_nsec == UTIME_OMIT) return std::nullopt;
        if (t.tv_nsec == UTIME_NOW) return now();
        return Timespec{uint64_t(t.tv_sec), uint32_t(t.tv_nsec)};
    };
    Timespec n = now();
    auto a = tv ? conv(tv[0]) : std::optional<Timespec>(n);
    auto m = tv ? conv(tv[1]) : std::optional<Timespec>(n);
    return commit_after(g_fs->utimens(*ino, a, m));
}

int op_statfs(const char*, struct statvfs* st) {
    StatVfs v = g_fs->statvfs();
    std::memset(st, 0, sizeof *st);
    st->f_bsize = st->f_frsize = v.bsize;
    st->f_blocks = v.blocks;
    st->f_bfree = st->f_bavail = v.bfree;
    st->f_namemax = kNameMax;
    return 0;
}

void op_destroy(void*) {
    if (g_fs) (void)g_fs->commit(true);
}

int run_mount(std::span<char*> argv) {
    Args a = parse_args(argv);
    if (!a.bad.empty() || a.positional.size() != 2)
        return redox::cli::fail("usage: mount IMAGE DIR [--password-file F] [-f]");
    const std::string& image = a.positional[0];
    std::string what = "mount " + image;
    auto fs = open_image(image, true, a);
    if (!fs) return fail(what, fs.error());
    g_fs = fs->get();
    fuse_operations ops{};
    ops.getattr = op_getattr;
    ops.readdir = op_readdir;
    ops.open = op_open;
    ops.create = op_create;
    ops.read = op_read;
    ops.write = op_write;
    ops.flush = op_flush;
    ops.fsync = op_fsync;
    ops.release = op_release;
    ops.mkdir = op_mkdir;
    ops.unlink = op_unlink;
    ops.rmdir = op_rmdir;
    ops.rename = op_rename;
    ops.symlink = op_symlink;
    ops.link = op_link;
    ops.readlink = op_readlink;
    ops.truncate = op_truncate;
    ops.chmod = op_chmod;
    ops.chown = op_chown;
    ops.utimens = op_utimens;
    ops.statfs = op_statfs;
    ops.destroy = op_destroy;
    std::vector<std::string> args = {"redox-sim-mount", a.positional[1], "-s", "-o", "fsname=redoxfs,subtype=redoxfs,default_permissions"};
    if (a.foreground) args.push_back("-f");
    std::vector<char*> cargs;
    for (auto& s : args) cargs.push_back(s.data());
    int rc = fuse_main(int(cargs.size()), cargs.data(), &ops, nullptr);
    g_fs = nullptr;
    if (rc != 0) return redox::cli::fail(what + ": FUSE mount on " + a.positional[1] + " failed");
    return 0;
}

} // namespace
REDOX_SIM_COMMAND("mount", "mount IMAGE DIR [--password-file F] [-f]   (FUSE; unmount with fusermount3 -u DIR)", run_mount);
} // namespace redox::redoxfs::cli
