// Model of an AHCI HBA (ICH9-like, registers in BAR5) with two ports: a SATA disk
// backed by a host file on port 0 and an empty port 1. Implements HBA reset, port
// start/stop with FR/CR handshakes, the signature (valid only once FIS receive is
// on, as on QEMU), IDENTIFY, READ/WRITE DMA EXT and FLUSH CACHE EXT through the
// command list, command table and PRDT, and MSI (or INTx).
// Command errors set PxTFD.ERR and PxIS.TFES, clear the slot's CI bit and leave the
// port running (real HBAs stop the port; the driver's recovery is the same).
#pragma once

#include <array>
#include <memory>
#include <string>

#include "ahci/ahci_regs.h"
#include "model/model_device.h"

namespace redox::pci {

class AhciModel final : public ModelDevice {
public:
    static Result<std::unique_ptr<AhciModel>> create(const std::string& backing_path);
    void set_stalled(bool stalled) { m_stalled = stalled; }

protected:
    uint64_t bar_read(unsigned bar, uint64_t offset, unsigned size) override;
    void bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;

private:
    static constexpr unsigned Ports = 2;
    static constexpr uint32_t Slots = 32;
    struct Port {
        uint64_t clb = 0, fb = 0;
        uint32_t is = 0, ie = 0, cmd = 0, tfd = 0x50, sig = 0xFFFFFFFF, serr = 0, ci = 0;
    };
    AhciModel(UniqueFd backing, uint64_t sectors);
    void reset();
    bool disk_on(unsigned p) const { return p == 0; }
    void port_write(unsigned p, uint32_t r, uint32_t v);
    void run_commands(unsigned p);
    // Executes one command; returns the ATA error byte (0 = success).
    uint8_t execute(unsigned p, const ahci::CommandHeader& h, uint64_t& bytes);
    uint8_t transfer(const ahci::CommandHeader& h, bool to_device, size_t len, uint64_t file_off);
    void update_irq();

    UniqueFd m_backing;
    uint64_t m_sectors;
    uint32_t m_ghc = 0, m_is = 0;
    std::array<Port, Ports> m_ports{};
    bool m_stalled = false;
};

} // namespace redox::pci
