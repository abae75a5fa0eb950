#include "schemes/exec_image.h"

#include "schemes/connection.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

namespace redox::sys {

namespace {

uint64_t now_ms() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return uint64_t(t.tv_sec) * 1000 + uint64_t(t.tv_nsec) / 1000000;
}

} // namespace

Result<int> exec_image(int fd, uint64_t size) {
    Sqe sqe{};
    sqe.opcode = uint8_t(KernelOp::Fmap);
    sqe.args[0] = uint64_t(fd);
    sqe.args[1] = 0;
    sqe.args[2] = size;
    sqe.args[3] = PROT_READ_ | PROT_EXEC_ | MAP_PRIVATE_;
    auto side = Connection::get().side_channel();
    Cqe c = Connection::get().call(sqe);
    if (is_error(c.result)) return err(demux_error(c.result), "exec image");
    auto [image, offset] = TRY(Connection::get().take_fd());
    if (offset != 0) { ::close(image); return err(EINVAL_, "exec image offset"); }
    return image;
}

ExecImageCache::~ExecImageCache() {
    for (auto& [key, img] : m_images) ::close(img.fd);
    close_retired(true);
}

void ExecImageCache::close_retired(bool all) {
    uint64_t now = now_ms();
    std::erase_if(m_retired, [&](const std::pair<int, uint64_t>& r) {
        if (!all && now - r.second < 1000) return false;
        ::close(r.first);
        return true;
    });
}

void ExecImageCache::forget(uint64_t key) {
    close_retired(false);
    auto it = m_images.find(key);
    if (it == m_images.end()) return;
    m_retired.emplace_back(it->second.fd, now_ms());
    m_images.erase(it);
}

Result<int> ExecImageCache::get(uint64_t key, uint64_t size, uint64_t stamp, std::string_view name, const Fill& fill) {
    auto it = m_images.find(key);
    if (it != m_images.end()) {
        const Image& img = it->second;
        if (img.size == size && img.stamp == stamp) return img.fd;
    }
    forget(key);  // also closes the images retired a while ago
    if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
    std::string label(name.empty() ? "redox-exec" : name.substr(0, 200));
    int fd = memfd_create(label.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return err(ENOMEM_, "memfd");
    if (::ftruncate(fd, off_t(size)) != 0) { ::close(fd); return err(ENOMEM_, "memfd"); }
    if (auto r = fill(fd, size); !r) { ::close(fd); return std::unexpected(r.error()); }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        ::close(fd);
        return err(EIO_, "sealing an exec image");
    }
    m_images[key] = Image{fd, size, stamp};
    return fd;
}

} // namespace redox::sys
