// Client side of spawn: find the program through PATH in the sim's file
// system, get its exec image from the file's daemon (fmap, private and
// executable) or else read it into a memfd (the kernel-sim execs either), handle
// `#!` scripts, and serialise argv, env, cwd and fd mappings.
#include "schemes/libredox.h"

#include "schemes/connection.h"
#include "schemes/exec_image.h"

#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

extern char** environ;

namespace redox::sys {

namespace {

Result<std::string> resolve(std::string_view name) {
    if (name.find('/') != std::string_view::npos || name.find(':') != std::string_view::npos)
        return std::string(name);
    const char* path_env = std::getenv("PATH");
    std::string_view path = path_env ? path_env : "/usr/bin:/bin";
    while (!path.empty()) {
        size_t colon = path.find(':');
        std::string dir(path.substr(0, colon));
        path = colon == std::string_view::npos ? std::string_view{} : path.substr(colon + 1);
        if (dir.empty()) continue;
        std::string candidate = dir + "/" + std::string(name);
        if (auto st = stat(candidate); st && (st->st_mode & MODE_TYPE) != MODE_DIR) return candidate;
    }
    return err(ENOENT_, std::string(name));
}

struct Image {
    int memfd = -1;
    std::string head;  // first bytes, for #! detection
    ~Image() { if (memfd >= 0) ::close(memfd); }
};

Result<void> load(const std::string& path, Image& img) {
    int fd = TRY(open(path, O_RDONLY_));
    auto st = fstat(fd);
    size_t size = st && st->st_size > 0 && st->st_size < (1ull << 32) ? size_t(st->st_size) : 0;
    // The file's exec image from its daemon (or initfs's host file): the
    // kernel-sim execs that, nothing is copied here.
    if (size > 0) {
        if (auto image = exec_image(fd, size)) {
            char head[256];
            ssize_t n = ::pread(*image, head, std::min(size, sizeof head), 0);
            if (n > 0) {
                img.memfd = *image;
                img.head.assign(head, size_t(n));
                (void)close(fd);
                return {};
            }
            ::close(*image);
        }
    }
    img.memfd = memfd_create("redox-exec", MFD_CLOEXEC);
    if (img.memfd < 0) { (void)close(fd); return err(ENOMEM_, "memfd"); }
    // Read straight into the memfd's pages when the size is known: one copy,
    // no staging buffer to zero and fault in for every spawn.
    if (size > 0) {
        void* map = MAP_FAILED;
        if (::ftruncate(img.memfd, off_t(size)) == 0)
            map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, img.memfd, 0);
        if (map != MAP_FAILED) {
            char* dst = static_cast<char*>(map);
            size_t got = 0;
            Result<size_t> n = 0;
            while (got < size && (n = read(fd, dst + got, size - got)) && *n > 0) got += *n;
            img.head.assign(dst, std::min<size_t>(got, 256));
            ::munmap(map, size);
            (void)close(fd);
            if (!n) return std::unexpected(Error(n.error().errnum, path));
            if (got != size && ::ftruncate(img.memfd, off_t(got)) != 0) return err(ENOSPC_, "memfd");
            return {};
        }
        if (::ftruncate(img.memfd, 0) != 0) { (void)close(fd); return err(ENOSPC_, "memfd"); }
    }
    std::vector<char> buf(1 << 16);
    for (;;) {
        auto n = read(fd, buf.data(), buf.size());
        if (!n) { (void)close(fd); return std::unexpected(Error(n.error().errnum, path)); }
        if (*n == 0) break;
        if (img.head.size() < 256) img.head.append(buf.data(), std::min<size_t>(*n, 256));
        if (::write(img.memfd, buf.data(), *n) != ssize_t(*n)) { (void)close(fd); return err(ENOSPC_, "memfd"); }
    }
    (void)close(fd);
    return {};
}

} // namespace

Result<int> spawn(const SpawnSpec& spec) {
    std::string path = TRY(resolve(spec.path));
    std::vector<std::string> argv = spec.argv;
    if (argv.empty()) argv.push_back(spec.path);

    Image img;
    TRY(load(path, img));
    if (img.head.starts_with("#!")) {
        // Interpreter line: "#!/usr/bin/ion [arg]".
        std::string line = img.head.substr(2, img.head.find('\n') - 2);
        size_t b = line.find_first_not_of(" \t");
        if (b == std::string::npos) return err(ENOEXEC_, path);
        line = line.substr(b);
        size_t sp = line.find_first_of(" \t");
        std::string interp = line.substr(0, sp);
        std::vector<std::string> nargv{interp};
        if (sp != std::string::npos) {
            std::string arg = line.substr(line.find_first_not_of(" \t", sp));
            if (!arg.empty()) nargv.push_back(arg);
        }
        nargv.push_back(path);
        nargv.insert(nargv.end(), argv.begin() + 1, argv.end());
        argv = std::move(nargv);
        Image interp_img;
        TRY(load(interp, interp_img));
        std::swap(img.memfd, interp_img.memfd);
    }

    std::vector<std::string> env;
    if (spec.inherit_env) {
        for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    }
    for (auto& e : spec.env) {
        std::string key = e.substr(0, e.find('='));
        std::erase_if(env, [&](const std::string& x) { return x.substr(0, x.find('=')) == key; });
        env.push_back(e);
    }
    std::string cwd_path = spec.cwd.empty() ? cwd() : canonicalize(spec.cwd);
    std::erase_if(env, [](const std::string& x) { return x.starts_with("PWD="); });
    env.push_back("PWD=" + cwd_path);

    std::vector<std::pair<int, int>> fds = spec.fds;
    if (fds.empty()) fds = {{0, 0}, {1, 1}, {2, 2}};

    SpawnHeader h{};
    h.argc = uint32_t(argv.size());
    h.envc = uint32_t(env.size());
    h.fd_count = uint32_t(fds.size());
    h.pgid = spec.pgid;
    h.memfd = uint64_t(img.memfd);
    std::string blob(reinterpret_cast<const char*>(&h), sizeof h);
    for (auto& s : argv) { blob += s; blob += '\0'; }
    for (auto& s : env) { blob += s; blob += '\0'; }
    blob += path; blob += '\0';
    for (auto [child, parent] : fds) {
        uint32_t pair[2] = {uint32_t(child), uint32_t(parent)};
        blob.append(reinterpret_cast<const char*>(pair), sizeof pair);
    }
    Sqe sqe{};
    sqe.opcode = uint8_t(KernelOp::Spawn);
    sqe.args[0] = reinterpret_cast<uint64_t>(blob.data());
    sqe.args[1] = blob.size();
    Cqe c = Connection::get().call(sqe);
    if (is_error(c.result)) return err(demux_error(c.result), path);
    return int(c.result);
}

} // namespace redox::sys
