// usb.<name>: the devices one xHCI controller enumerated, as xhcid serves them.
//
//   ""                  directory: portN for each root port with an addressed device
//   portN               directory: descriptors, reports
//   portN/descriptors   read-only text: the device descriptor and its configuration
//                       (interfaces, endpoints), one item per line (format below)
//   portN/reports       the device's interrupt-IN data: read returns one report
//                       (blocks while none waits unless O_NONBLOCK; fevent READ);
//                       what usbhidd reads for a HID boot keyboard
//
// descriptors:
//   device usb=2.00 class=00:00:00 vendor=0627 product=0001 version=1.00 max-packet0=64 configurations=1
//   configuration 1
//   interface 0 alt=0 class=03:01:01 boot-keyboard
//   endpoint 81 interrupt-in max-packet=8 interval=10
//
// Who may open: uid 0. Cost: one copy per read; reports wait in a bounded queue.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "schemes/server.h"
#include "xhci/xhci.h"

namespace redox::usbd {

class UsbScheme final : public SchemeServer {
public:
    UsbScheme(std::string who, std::string scheme_name, xhci::Xhci& hc) : m_who(std::move(who)), m_scheme(std::move(scheme_name)), m_hc(hc) {}

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) override;
    Result<uint32_t> fevent(uint64_t id, uint32_t flags) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    void on_close(uint64_t id) override { m_handles.erase(id); }

    // Collects interrupt-IN data after the controller's interrupt; false once the
    // controller has failed (logged once).
    bool poll();

    static std::string describe(const xhci::UsbDevice& d);

private:
    enum class Kind { Root, Port, Descriptors, Reports };
    struct Handle {
        Kind kind;
        unsigned port = 0;
    };
    const xhci::UsbDevice* device_on(unsigned port) const;

    std::string m_who, m_scheme;
    xhci::Xhci& m_hc;
    std::map<uint64_t, Handle> m_handles;
    std::map<unsigned, std::deque<std::vector<uint8_t>>> m_reports;  // by port
    uint64_t m_next = 1;
    bool m_failed = false;
};

} // namespace redox::usbd
