#include "xhci/usb_descriptors.h"

namespace redox::usb {

namespace {
uint16_t le16(std::span<const uint8_t> d, size_t at) { return static_cast<uint16_t>(d[at] | (d[at + 1] << 8)); }
} // namespace

Result<DeviceDescriptor> parse_device_descriptor(std::span<const uint8_t> d) {
    if (d.size() < 18 || d[0] < 18 || d[1] != 1)
        return err(EIO, "usb: malformed device descriptor");
    DeviceDescriptor dd;
    dd.usb_version = le16(d, 2);
    dd.device_class = d[4];
    dd.device_subclass = d[5];
    dd.device_protocol = d[6];
    dd.max_packet0 = d[7];
    dd.vendor = le16(d, 8);
    dd.product = le16(d, 10);
    dd.device_version = le16(d, 12);
    dd.num_configurations = d[17];
    return dd;
}

Result<Configuration> parse_configuration(std::span<const uint8_t> d) {
    if (d.size() < 9 || d[1] != 2 || le16(d, 2) > d.size())
        return err(EIO, "usb: malformed configuration descriptor");
    Configuration c;
    c.value = d[5];
    size_t total = le16(d, 2);
    Interface* current = nullptr;
    for (size_t at = 0; at < total;) {
        uint8_t len = d[at];
        if (len < 2 || at + len > total)
            return err(EIO, "usb: descriptor runs past the configuration");
        uint8_t type = d[at + 1];
        if (type == 4 && len >= 9) {
            c.interfaces.push_back(Interface{d[at + 2], d[at + 3], d[at + 5], d[at + 6], d[at + 7], {}});
            current = &c.interfaces.back();
        } else if (type == 5 && len >= 7 && current) {
            current->endpoints.push_back(Endpoint{d[at + 2], d[at + 3], static_cast<uint16_t>(le16(d, at + 4) & 0x7FF),
                                                  d[at + 6]});
        }
        at += len;
    }
    return c;
}

} // namespace redox::usb
