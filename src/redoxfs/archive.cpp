#include "redoxfs/archive.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace redox::redoxfs {

namespace {

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

Result<std::vector<std::string>> list_host(const std::string& dir) {
    DIR* d = opendir(dir.c_str());
    if (!d) return err(errno, dir);
    std::vector<std::string> names;
    while (auto* e = readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

struct Archiver {
    FileSystem& fs;
    const ArchiveProgress& progress;
    ArchiveStats stats;
    std::map<std::pair<dev_t, ino_t>, uint32_t> seen;   // hard links
    Buf chunk = Buf(1 << 20);

    Result<void> copy_tree(const std::string& src, uint32_t dir) {
        for (auto& name : TRY(list_host(src))) {
            std::string path = src + "/" + name;
            struct stat st;
            if (lstat(path.c_str(), &st) != 0) return err(errno, path);
            auto r = copy_one(path, name, st, dir);
            if (!r) {
                if (r.error().context.rfind(path, 0) == 0) return r;
                return err(r.error().errnum, path + ": " + r.error().context);
            }
            if (progress) progress(stats);
        }
        return {};
    }

    Result<void> copy_one(const std::string& path, const std::string& name, const struct stat& st, uint32_t dir) {
        Timespec mt{uint64_t(st.st_mtim.tv_sec), uint32_t(st.st_mtim.tv_nsec)};
        Timespec ct{uint64_t(st.st_ctim.tv_sec), uint32_t(st.st_ctim.tv_nsec)};
        uint16_t perm = uint16_t(st.st_mode & 07777);
        uint32_t id;
        if (S_ISDIR(st.st_mode)) {
            id = TRY(fs.mknod(dir, name, kModeDir | perm, {}, ct));
            ++stats.dirs;
            TRY(copy_tree(path, id));
        } else if (S_ISLNK(st.st_mode)) {
            std::string target(size_t(st.st_size) + 1, '\0');
            ssize_t n = readlink(path.c_str(), target.data(), target.size());
            if (n < 0) return err(errno, path);
            target.resize(size_t(n));
            id = TRY(fs.symlink(dir, name, target));
            ++stats.symlinks;
        } else if (S_ISREG(st.st_mode)) {
            auto key = std::make_pair(st.st_dev, st.st_ino);
            if (st.st_nlink > 1 && seen.count(key)) {
                TRY(fs.link(dir, name, seen[key]));
                return {};
            }
            id = TRY(fs.mknod(dir, name, kModeFile | perm, {}, ct));
            Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
            if (fd.fd < 0) return err(errno, path);
            uint64_t off = 0;
            while (true) {
                ssize_t n = ::read(fd.fd, chunk.data(), chunk.size());
                if (n < 0) return err(errno, path);
                if (n == 0) break;
                TRY(fs.write(id, off, std::span<const uint8_t>(chunk.data(), size_t(n))));
                off += uint64_t(n);
                stats.bytes += uint64_t(n);
            }
            if (st.st_nlink > 1) seen[key] = id;
            ++stats.files;
        } else {
            return err(ENOTSUP, path + ": unsupported file type (only files, directories and symlinks)");
        }
        TRY(fs.chown(id, st.st_uid, st.st_gid));
        TRY(fs.utimens(id, Timespec{uint64_t(st.st_atim.tv_sec), uint32_t(st.st_atim.tv_nsec)}, mt));
        return {};
    }
};

struct Extractor {
    FileSystem& fs;
    const ArchiveProgress& progress;
    ArchiveStats stats;
    Buf chunk = Buf(1 << 20);

    Result<void> one(uint32_t id, const std::string& dest) {
        Stat st = TRY(fs.stat(id));
        uint16_t type = st.mode & kModeType;
        if (type == kModeDir) {
            if (mkdir(dest.c_str(), 0700) != 0 && errno != EEXIST) return err(errno, dest);
            ++stats.dirs;
            for (auto& e : TRY(fs.getdents(id))) TRY(one(e.ino, dest + "/" + e.name));
        } else if (type == kModeSymlink) {
            std::string target = TRY(fs.readlink(id));
            ::unlink(dest.c_str());
            if (::symlink(target.c_str(), dest.c_str()) != 0) return err(errno, dest);
            ++stats.symlinks;
            return {};
        } else if (type == kModeFile) {
            Fd fd(::open(dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
            if (fd.fd < 0) return err(errno, dest);
            for (uint64_t off = 0; off < st.size;) {
                size_t n = TRY(fs.read(id, off, chunk));
                if (n == 0) break;
                if (::write(fd.fd, chunk.data(), n) != ssize_t(n)) return err(errno ? errno : EIO, dest);
                off += n;
                stats.bytes += n;
            }
            ++stats.files;
        } else {
            return {};   // sockets have no host counterpart worth creating
        }
        if (::chmod(dest.c_str(), st.mode & 07777) != 0) return err(errno, dest);
        if (geteuid() == 0 && ::lchown(dest.c_str(), st.uid, st.gid) != 0) return err(errno, dest);
        struct timespec ts[2] = {{time_t(st.atime.sec), long(st.atime.nsec)}, {time_t(st.mtime.sec), long(st.mtime.nsec)}};
        utimensat(AT_FDCWD, dest.c_str(), ts, AT_SYMLINK_NOFOLLOW);
        if (progress) progress(stats);
        return {};
    }
};

} // namespace

Result<ArchiveStats> archive_dir(FileSystem& fs, const std::string& src, uint32_t into, const ArchiveProgress& progress) {
    struct stat st;
    if (stat(src.c_str(), &st) != 0) return err(errno, src);
    if (!S_ISDIR(st.st_mode)) return err(ENOTDIR, src);
    Archiver a{fs, progress, {}, {}};
    TRY(a.copy_tree(src, into));
    return a.stats;
}

Result<ArchiveStats> extract(FileSystem& fs, uint32_t node, const std::string& dest, const ArchiveProgress& progress) {
    Extractor e{fs, progress, {}};
    TRY(e.one(node, dest));
    return e.stats;
}

} // namespace redox::redoxfs
