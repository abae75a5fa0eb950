// USB 2.0 standard descriptors as xhcid reads them: the device descriptor and a
// configuration descriptor parsed into interfaces and endpoints.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "schemes/error.h"

namespace redox::usb {

struct DeviceDescriptor {
    uint16_t usb_version = 0;
    uint8_t device_class = 0, device_subclass = 0, device_protocol = 0;
    uint8_t max_packet0 = 0;
    uint16_t vendor = 0, product = 0, device_version = 0;
    uint8_t num_configurations = 0;
};

struct Endpoint {
    uint8_t address = 0;     // bit 7 = IN
    uint8_t attributes = 0;  // bits 0..1: 0 control, 1 iso, 2 bulk, 3 interrupt
    uint16_t max_packet = 0;
    uint8_t interval = 0;
    bool is_interrupt_in() const { return (attributes & 3) == 3 && (address & 0x80); }
};

struct Interface {
    uint8_t number = 0, alternate = 0;
    uint8_t cls = 0, subclass = 0, protocol = 0;
    std::vector<Endpoint> endpoints;
    bool is_boot_keyboard() const { return cls == 3 && subclass == 1 && protocol == 1; }
    bool is_boot_mouse() const { return cls == 3 && subclass == 1 && protocol == 2; }
};

struct Configuration {
    uint8_t value = 0;
    std::vector<Interface> interfaces;
};

Result<DeviceDescriptor> parse_device_descriptor(std::span<const uint8_t> d);
// Walks the descriptor chain; refuses lengths that run past the buffer.
Result<Configuration> parse_configuration(std::span<const uint8_t> d);

} // namespace redox::usb
