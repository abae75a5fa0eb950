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
//                    host/device_spec.h) from which the driver opens the hardware in
//                    its own process. Closing (or the driver dying) releases it.
//
// Who may open: uid 0 (drivers run as root). Costs: one copy per read.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "host/device_spec.h"
#include "schemes/server.h"

namespace redox::pcid {

struct Function {
    pci::PciAddress addr;
    host::DeviceSpec spec;
    std::vector<uint8_t> config;
    bool claimed = false;

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
    void on_close(uint64_t id) override;

private:
    enum class Kind { Root, Dir, Config, Channel };
    struct Handle {
        Kind kind;
        size_t function = 0;
        bool claims = false;  // this handle holds the function's channel
    };
    Result<Handle*> handle(uint64_t id);
    std::string channel_text(const Function& f) const;

    std::vector<Function> m_functions;
    std::map<uint64_t, Handle> m_handles;
    uint64_t m_next = 1;
};

} // namespace redox::pcid
