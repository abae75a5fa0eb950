// The host side of a device model: a unix datagram socket connected to a
// path on the host (`--device e1000=SOCKET`: one datagram per Ethernet frame;
// `--device xhci=SOCKET`: each byte a HID usage to press on the keyboard). Our
// end is autobound (abstract), so the peer answers with sendto() to the address
// recvfrom() gave it. Tests and users put anything there: a frame dumper, an
// echo, a bridge to a tap device.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pci/unique_fd.h"
#include "schemes/error.h"

namespace redox::host {

class HostWire {
public:
    static Result<std::unique_ptr<HostWire>> connect(const std::string& path);
    int fd() const { return m_fd.get(); }
    // Drops the frame (counted) when the peer is gone or its queue is full: a wire
    // loses frames, it does not block the NIC.
    void send(std::span<const uint8_t> frame);
    std::optional<std::vector<uint8_t>> receive();
    uint64_t dropped() const { return m_dropped; }

private:
    explicit HostWire(pci::UniqueFd fd) : m_fd(std::move(fd)) {}
    pci::UniqueFd m_fd;
    uint64_t m_dropped = 0;
};

} // namespace redox::host
