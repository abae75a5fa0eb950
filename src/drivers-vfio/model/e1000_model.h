// Model of an Intel 82540EM (QEMU's default "e1000"): EEPROM with the MAC, reset,
// link, legacy RX/TX descriptor rings and INTx. Frames the driver transmits land in
// a host-side endpoint (host_receive); frames the host sends (host_send) are DMAed
// into the RX ring, queued in the model while the ring has no free descriptor.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "model/model_device.h"

namespace redox::pci {

using Frame = std::vector<uint8_t>;

class E1000Model final : public ModelDevice {
public:
    static std::unique_ptr<E1000Model> create(std::array<uint8_t, 6> mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56});

    // The host side of the wire.
    void host_send(std::span<const uint8_t> frame);
    std::optional<Frame> host_receive();
    size_t host_pending() const { return m_to_host.size(); }
    // Frames the host sent that were dropped (no room even in the model's queue).
    uint64_t rx_dropped() const { return m_rx_dropped; }

protected:
    uint64_t bar_read(unsigned bar, uint64_t offset, unsigned size) override;
    void bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;

private:
    explicit E1000Model(std::array<uint8_t, 6> mac);
    void reset();
    void transmit();
    void deliver_rx();
    void interrupt(uint32_t cause);
    uint32_t& r(uint32_t offset) { return m_regs[offset / 4]; }

    std::array<uint16_t, 64> m_eeprom{};
    std::vector<uint32_t> m_regs = std::vector<uint32_t>(0x20000 / 4);
    std::deque<Frame> m_to_host;
    std::deque<Frame> m_from_host;
    uint64_t m_rx_dropped = 0;
};

} // namespace redox::pci
