#include "redoxfs/rootfs/root_image.h"

#include "redoxfs/cli_common.h"
#include "redoxfs/filesystem.h"
#include "redoxfs/seahash.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <map>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace redox::redoxfs {

namespace {

// Bump when the way an image is laid out from a tree changes.
constexpr const char* kLayoutVersion = "redox-sim root image 1";

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() { if (fd >= 0) ::close(fd); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

void add_file_identity(std::string& key, const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
        key += "missing\n";
        return;
    }
    key += fmt::format("{} {} {}.{} {}\n", path, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ino);
}

// The cache's own secret: 32 random bytes in DIR/secret (0600), made on first use.
Result<std::string> cache_secret(const std::string& dir) {
    std::string path = dir + "/secret";
    for (int attempt = 0; attempt < 2; ++attempt) {
        Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.fd >= 0) {
            char buf[64];
            ssize_t n = ::read(fd.fd, buf, sizeof buf);
            if (n == 32) return std::string(buf, 32);
            return err(EINVAL, path + ": not a cache secret (remove it)");
        }
        if (errno != ENOENT) return err(errno, path);
        uint8_t bytes[32];
        random_bytes(bytes);
        std::string tmp = path + ".tmp" + std::to_string(getpid());
        Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (out.fd < 0) return err(errno, tmp);
        bool ok = ::write(out.fd, bytes, sizeof bytes) == ssize_t(sizeof bytes);
        // link() keeps a secret another boot made first.
        ok = ok && (::link(tmp.c_str(), path.c_str()) == 0 || errno == EEXIST);
        ::unlink(tmp.c_str());
        if (!ok) return err(errno ? errno : EIO, path);
    }
    return err(EIO, path + ": cannot be read back");
}

// SHA-256 over the cache secret and `text`, in hex.
Result<std::string> keyed_digest(const std::string& secret, const std::string& text) {
    std::string in = secret + text;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(in.data(), in.size(), md, &len, EVP_sha256(), nullptr) != 1) return err(EIO, "sha-256 failed");
    std::string out;
    for (unsigned i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
    return out;
}

Result<std::string> image_key(const RootImageSpec& spec, const std::string& cache_dir) {
    std::string key = kLayoutVersion;
    key += fmt::format("\nsize {}\n", spec.size);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) add_file_identity(key, std::string(self, size_t(n)));
    for (auto& node : spec.nodes) {
        key += fmt::format("{} {:o} {} {} {} {}\n", int(node.type), node.mode, node.uid, node.gid,
                           node.path.size(), node.path);
        if (!spec.unstable_paths.count(node.path)) key += fmt::format("{} {}\n", node.data.size(), node.data);
        if (!node.host_source.empty()) add_file_identity(key, TRY(spec.host_path_of(node.host_source)));
    }
    key += spec.key_extra;
    if (!spec.key_secrets.empty() || spec.password) {
        std::string secret = TRY(cache_secret(cache_dir));
        for (auto& s : spec.key_secrets) key += TRY(keyed_digest(secret, "secret " + s)) + "\n";
        if (spec.password) key += "encrypted " + TRY(keyed_digest(secret, "disk " + *spec.password)) + "\n";
    }
    const auto* p = reinterpret_cast<const uint8_t*>(key.data());
    std::span<const uint8_t> bytes(p, key.size());
    uint64_t a = seahash(bytes);
    uint64_t b = seahash_seeded(bytes, kSeaSeeds[3], kSeaSeeds[2], kSeaSeeds[1], kSeaSeeds[0]);
    return fmt::format("{:016x}{:016x}", a, b);
}

std::string parent_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Keeps the newest images; older ones go once nobody has used them for a while.
void prune(const std::string& dir, const std::string& keep) {
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    std::vector<std::pair<time_t, std::string>> images;
    while (auto* e = readdir(d)) {
        std::string n = e->d_name;
        if (!n.starts_with("root-") || n == keep) continue;
        struct stat st;
        if (::stat((dir + "/" + n).c_str(), &st) == 0) images.emplace_back(st.st_mtime, n);
    }
    closedir(d);
    std::sort(images.rbegin(), images.rend());
    time_t now = time(nullptr);
    for (size_t i = 0; i < images.size(); ++i) {
        bool stale_tmp = images[i].second.find(".tmp") != std::string::npos && now - images[i].first > 600;
        if ((i >= 3 && now - images[i].first > 600) || stale_tmp) ::unlink((dir + "/" + images[i].second).c_str());
    }
}

} // namespace

Result<std::string> default_cache_dir() {
    std::string base;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) base = x;
    else if (const char* h = std::getenv("HOME"); h && *h) base = std::string(h) + "/.cache";
    else return err(ENOENT, "no cache directory: neither XDG_CACHE_HOME nor HOME is set");
    return base + "/redox-sim";
}

Result<void> check_root_image(const std::string& path, const std::optional<std::string>& password) {
    // The daemon commits every change to the image, so it must be writable.
    if (::access(path.c_str(), W_OK) != 0) return err(errno, "the image is not writable");
    {
        Fd lock(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (lock.fd < 0) return err(errno, "cannot open the image");
        if (flock(lock.fd, LOCK_EX | LOCK_NB) != 0)
            return err(EBUSY, "the image is in use (another boot or redoxfs serves it)");
    }
    auto disk = FileDisk::open(path, false);
    if (!disk) return err(disk.error().errnum, "cannot open the image");
    OpenOptions o;
    o.writable = false;
    o.password = password;
    auto fs = FileSystem::open(std::move(*disk), o);
    if (!fs) return err(fs.error().errnum, fs.error().context.empty() ? fs.error().message() : fs.error().context);
    return {};
}

Result<void> write_root_image(const RootImageSpec& spec, const std::string& path,
                              const std::function<void(size_t, uint64_t)>& progress) {
    size_t nodes_done = 0;
    uint64_t bytes_done = 0;
    auto disk = TRY(FileDisk::create(path, spec.size));
    CreateOptions co;
    co.password = spec.password;
    auto fs = TRY(FileSystem::create(std::move(disk), co));
    std::map<std::string, uint32_t> dirs{{"/", kRootId}};
    std::vector<uint8_t> chunk(1 << 20);
    for (auto& n : spec.nodes) {
        auto fail = [&](const Error& e) { return err(e.errnum, n.path + (e.context.empty() ? "" : ": " + e.context)); };
        uint16_t perm = uint16_t(n.mode & kModePerm);
        uint32_t id;
        if (n.path == "/") {
            id = kRootId;
            if (auto r = fs->chmod(id, perm); !r) return fail(r.error());
        } else {
            auto parent = dirs.find(parent_of(n.path));
            if (parent == dirs.end()) return err(ENOENT, n.path + ": parent directory is not in the tree");
            std::string name = n.path.substr(n.path.rfind('/') + 1);
            Result<uint32_t> made = n.type == installer::Node::Type::Dir
                ? fs->mknod(parent->second, name, uint16_t(kModeDir | perm))
                : n.type == installer::Node::Type::Symlink
                ? fs->symlink(parent->second, name, n.data)
                : fs->mknod(parent->second, name, uint16_t(kModeFile | perm));
            if (!made) return fail(made.error());
            id = *made;
        }
        if (n.type == installer::Node::Type::Dir) dirs[n.path] = id;
        if (n.type == installer::Node::Type::File) {
            if (n.host_source.empty()) {
                auto r = fs->write(id, 0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(n.data.data()), n.data.size()));
                if (!r) return fail(r.error());
            } else {
                std::string host = TRY(spec.host_path_of(n.host_source));
                Fd fd(::open(host.c_str(), O_RDONLY | O_CLOEXEC));
                if (fd.fd < 0) return err(errno, n.path + ": " + host);
                for (uint64_t off = 0;;) {
                    ssize_t got = ::read(fd.fd, chunk.data(), chunk.size());
                    if (got < 0) return err(errno, n.path + ": " + host);
                    if (got == 0) break;
                    auto r = fs->write(id, off, std::span<const uint8_t>(chunk.data(), size_t(got)));
                    if (!r) return fail(r.error());
                    off += uint64_t(got);
                    bytes_done += uint64_t(got);
                    if (progress) progress(nodes_done, bytes_done);
                }
            }
        }
        if (auto r = fs->chown(id, n.uid, n.gid); !r) return fail(r.error());
        if (progress) progress(++nodes_done, bytes_done);
    }
    if (auto r = fs->commit(true); !r) return err(r.error().errnum, path + ": " + r.error().context);
    return {};
}

Result<RootImage> cached_root_image(const RootImageSpec& spec, const std::string& cache_dir) {
    // Create the directory chain (the cache may be used for the first time).
    for (size_t i = 1; i <= cache_dir.size(); ++i) {
        if (i == cache_dir.size() || cache_dir[i] == '/') {
            std::string part = cache_dir.substr(0, i);
            if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return err(errno, "cache directory " + part);
        }
    }
    std::string key = TRY(image_key(spec, cache_dir));
    std::string name = "root-" + key + ".img";
    RootImage out{cache_dir + "/" + name, false};
    Fd lock(::open((cache_dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (lock.fd < 0) return err(errno, cache_dir + "/lock");
    while (flock(lock.fd, LOCK_EX) != 0) {
        if (errno != EINTR) return err(errno, cache_dir + "/lock");
    }
    struct stat st;
    if (::stat(out.path.c_str(), &st) == 0 && uint64_t(st.st_size) == spec.size) {
        ::utimensat(AT_FDCWD, out.path.c_str(), nullptr, 0);   // in use: keep it from pruning
        return out;
    }
    std::string tmp = out.path + ".tmp" + std::to_string(getpid());
    Result<void> built;
    {
        // A status line on a terminal (sanitized builds make this take a while).
        cli::Progress line("redox-sim: building the root image in " + cache_dir);
        size_t total = spec.nodes.size();
        built = write_root_image(spec, tmp, [&](size_t nodes, uint64_t bytes) {
            line.update(fmt::format("{}/{} nodes, {} MiB", nodes, total, bytes >> 20));
        });
    }
    if (auto& r = built; !r) {
        ::unlink(tmp.c_str());
        return std::unexpected(r.error());
    }
    if (::rename(tmp.c_str(), out.path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        return err(e, out.path);
    }
    out.built = true;
    prune(cache_dir, name);
    return out;
}

} // namespace redox::redoxfs
