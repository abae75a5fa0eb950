// A USB HID boot keyboard or boot mouse as a device model sees it: descriptors, the
// control requests a host sends during enumeration, and boot reports queued by key
// presses (8 bytes) or mouse motion (4 bytes: buttons, dx, dy, wheel).
// Transport-free: the xHCI model moves its bytes.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "xhci/xhci_regs.h"

namespace redox::pci {

class UsbKeyboard {
public:
    enum class Kind { Keyboard, Mouse };
    explicit UsbKeyboard(Kind kind = Kind::Keyboard) : m_kind(kind) {}
    Kind kind() const { return m_kind; }
    // Data for an IN request (possibly empty), or nullopt to STALL.
    std::optional<std::vector<uint8_t>> control(const xhci::SetupPacket& setup);
    // Queues a press and a release report for a HID usage (0x04 = 'a').
    void press(uint8_t usage, uint8_t modifiers = 0);
    // Queues one mouse report: button bits (0 left, 1 right, 2 middle), motion, wheel.
    void move(uint8_t buttons, int8_t dx, int8_t dy, int8_t wheel = 0);
    std::optional<std::vector<uint8_t>> next_report();
    bool has_report() const { return !m_reports.empty(); }
    uint8_t configuration() const { return m_configuration; }
    bool boot_protocol() const { return m_boot_protocol; }

private:
    Kind m_kind;
    std::deque<std::vector<uint8_t>> m_reports;
    uint8_t m_configuration = 0;
    bool m_boot_protocol = false;
};

} // namespace redox::pci
