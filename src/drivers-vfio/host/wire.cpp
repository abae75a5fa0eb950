#include "host/wire.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>

namespace redox::host {

Result<std::unique_ptr<HostWire>> HostWire::connect(const std::string& path) {
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) return err(ENAMETOOLONG, "endpoint " + path + ": path too long");
    pci::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return err(errno, "endpoint " + path + ": socket");
    sa_family_t family = AF_UNIX;  // autobind: an abstract address the peer can answer
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&family), sizeof family) != 0)
        return err(errno, "endpoint " + path + ": bind");
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return err(errno, "endpoint " + path + ": connect (is something bound there?)");
    return std::unique_ptr<HostWire>(new HostWire(std::move(fd)));
}

void HostWire::send(std::span<const uint8_t> frame) {
    if (::send(m_fd.get(), frame.data(), frame.size(), MSG_DONTWAIT) < 0) ++m_dropped;
}

std::optional<std::vector<uint8_t>> HostWire::receive() {
    std::vector<uint8_t> buf(2048);
    ssize_t n = ::recv(m_fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    buf.resize(size_t(n));
    return buf;
}

} // namespace redox::host
