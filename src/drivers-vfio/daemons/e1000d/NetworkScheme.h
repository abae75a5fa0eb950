// network.<name>: raw Ethernet frames of one NIC, as Redox's network drivers serve
// them to the network stack.
//
//   ""     a frame handle: read returns one received frame (truncated to the buffer;
//          blocks while none is queued unless O_NONBLOCK; fevent READ when one is),
//          write sends one frame (14..1514 bytes, no FCS)
//   mac    read returns the 6-byte MAC address
//
// Who may open: uid 0. Cost: one copy each way between the scheme's arena and the
// driver's DMA buffers. Received frames wait in a bounded queue (the oldest are
// dropped when nobody reads). A device fault fails the call with EIO, logged once.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "e1000/e1000.h"
#include "schemes/server.h"

namespace redox::net {

class NetworkScheme final : public SchemeServer {
public:
    NetworkScheme(std::string who, std::string scheme_name, e1000::E1000& nic, std::function<void()> before_request)
        : m_who(std::move(who)), m_scheme(std::move(scheme_name)), m_nic(nic), m_before(std::move(before_request)) {}

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint32_t> fevent(uint64_t id, uint32_t flags) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    void on_close(uint64_t id) override { m_handles.erase(id); }

    // Moves what the NIC received into the queue (call when its interrupt fired);
    // false once the device has failed.
    bool receive(bool irq);

private:
    enum class Kind { Frames, Mac };
    Error fault(const Error& e);

    std::string m_who, m_scheme;
    e1000::E1000& m_nic;
    std::function<void()> m_before;
    std::map<uint64_t, Kind> m_handles;
    std::deque<std::vector<uint8_t>> m_rx;
    uint64_t m_next = 1;
    bool m_failed = false;
    Error m_failure;
};

} // namespace redox::net
