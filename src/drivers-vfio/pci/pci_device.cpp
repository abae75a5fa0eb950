#include "pci/pci_device.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace redox::pci {

namespace {
bool parse_hex(std::string_view s, unsigned max, unsigned& out) {
    if (s.empty())
        return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return ec == std::errc() && p == s.data() + s.size() && out <= max;
}
} // namespace

Result<PciAddress> PciAddress::parse(std::string_view text) {
    auto bad = [&] {
        return err(EINVAL, fmt::format("PCI address '{}' (expected DDDD:BB:DD.F)", std::string(text)));
    };
    std::string_view rest = text;
    unsigned seg = 0, bus, dev, fn;
    if (std::count(text.begin(), text.end(), ':') == 2) {
        auto c = rest.find(':');
        if (!parse_hex(rest.substr(0, c), 0xFFFF, seg))
            return bad();
        rest.remove_prefix(c + 1);
    }
    auto c = rest.find(':');
    auto d = rest.find('.');
    if (c == std::string_view::npos || d == std::string_view::npos || d < c)
        return bad();
    if (!parse_hex(rest.substr(0, c), 0xFF, bus) || !parse_hex(rest.substr(c + 1, d - c - 1), 0x1F, dev) ||
        !parse_hex(rest.substr(d + 1), 7, fn))
        return bad();
    return PciAddress{static_cast<uint16_t>(seg), static_cast<uint8_t>(bus), static_cast<uint8_t>(dev),
                      static_cast<uint8_t>(fn)};
}

std::string PciAddress::str() const {
    return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", segment, bus, device, function);
}

Result<std::unique_ptr<DmaBuffer::Backing>> PciDevice::map_dma(std::byte*, size_t, uint64_t) {
    return err(EOPNOTSUPP, name() + ": this backend cannot map memory it did not allocate");
}

Result<UniqueFd> PciDevice::intx_unmask_eventfd() {
    return err(EOPNOTSUPP, name() + ": INTx is unmasked by a call only");
}

Result<PciId> PciDevice::id() {
    uint32_t ids = TRY(config_read(cfg::VendorId, 4));
    uint32_t cls = TRY(config_read(cfg::Revision, 4));
    if (ids == 0xFFFFFFFF)
        return err(ENODEV, name() + ": config space reads all ones (device removed?)");
    PciId id;
    id.vendor = ids & 0xFFFF;
    id.device = ids >> 16;
    id.revision = cls & 0xFF;
    id.interface = (cls >> 8) & 0xFF;
    id.subclass = (cls >> 16) & 0xFF;
    id.class_code = cls >> 24;
    return id;
}

Result<void> PciDevice::enable_bus_master() {
    uint32_t cmd = TRY(config_read(cfg::Command, 2));
    return config_write(cfg::Command, 2, cmd | cfg::CmdMemory | cfg::CmdBusMaster);
}

Result<uint16_t> PciDevice::find_capability(uint8_t cap_id) {
    uint32_t status = TRY(config_read(cfg::Status, 2));
    if (!(status & cfg::StatusCapList))
        return uint16_t{0};
    uint16_t ptr = TRY(config_read(cfg::CapPtr, 1)) & 0xFC;
    // A malformed list could loop; 48 hops is every possible slot in 256 bytes.
    for (int hops = 0; ptr >= 0x40 && hops < 48; ++hops) {
        uint32_t hdr = TRY(config_read(ptr, 2));
        if ((hdr & 0xFF) == cap_id)
            return ptr;
        ptr = (hdr >> 8) & 0xFC;
    }
    return uint16_t{0};
}

} // namespace redox::pci
