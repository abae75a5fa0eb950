// pci: the PCI functions this sim was booted with (device models and host functions
// handed over with --vfio), served by pcid.
//
//   ""               directory of functions, named SSSS--BB--DD.F (Redox's form;
//                    ':' would read as a legacy scheme separator)
//   NAME             directory: `config`, `channel`
//   NAME/config      read-only, positioned: the function's configuration space
//                    (256 bytes; 4096 for a host function whose sysfs file has it)
//   NAME/channel     the driver's channel, one opener at a time (ENOLCK while held,
//                    as pcid-spawner expects for claimed functions). read returns one
//                    line "ADDR SPEC\n": the address and the device spec (see
//                    host/device_spec.h). A device model is opened by its driver, in
//                    the driver's process. A host function stays pcid's: pcid holds
//                    its VFIO device, gave the kernel-sim its IOMMU container and BAR
//                    regions (memory:device), and the driver reaches it with calls on
//                    the channel (host::ChannelCall: configuration space, where each
//                    BAR lies in the physical address space, routing interrupts to the
//                    irq scheme vectors the driver sends with sendfd). Closing (or the
//                    driver dying) releases the function: its interrupts are routed
//                    nowhere and bus mastering is turned off.
//
// Who may open: uid 0 (drivers run as root). Costs: one copy per read, one round
// trip per configuration space access.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "host/device_spec.h"
#include "schemes/server.h"
#include "vfio/vfio_device.h"

namespace redox::pcid {

struct Function {
    pci::PciAddress addr;
    host::DeviceSpec spec;
    std::vector<uint8_t> config;
    bool claimed = false;
    // A host function: pcid's VFIO device and where its BARs lie ({phys, size}).
    std::unique_ptr<vfio::VfioDevice> vfio;
    std::array<std::array<uint64_t, 2>, 6> bars{};
    std::vector<pci::IrqEvent> irqs;  // routed to the claimant's vectors

    std::string entry_name() const;
};

class PciScheme final : public SchemeServer {
public:
    explicit PciScheme(std::vector<Function> functions) : m_functions(std::move(functions)) {}

    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> getdents(uint64_t id, std::span<uint8_t> buf, uint64_t opaque) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<uint64_t> fsize(uint64_t id) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<size_t> call(uint64_t id, std::span<uint8_t> payload, std::span<const uint64_t> meta,
                        const CallerCtx& ctx) override;
    Result<size_t> on_sendfd(uint64_t id, int fd, const CallerCtx& ctx) override;
    void on_close(uint64_t id) override;

private:
    enum class Kind { Root, Dir, Config, Channel };
    struct Handle {
        Kind kind;
        size_t function = 0;
        bool claims = false;  // this handle holds the function's channel
        std::vector<int> vectors;  // irq scheme handles sent for the next EnableIrqs
    };
    Result<size_t> route_irqs(Function& f, Handle& h, uint64_t arg, std::span<uint8_t> payload);
    void release(Function& f);
    static void log_line(const Function& f, const std::string& what);
    Result<Handle*> handle(uint64_t id);
    std::string channel_text(const Function& f) const;

    std::vector<Function> m_functions;
    std::map<uint64_t, Handle> m_handles;
    uint64_t m_next = 1;
};

} // namespace redox::pcid
