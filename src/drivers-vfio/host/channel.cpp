#include "host/channel.h"

#include <cstdlib>
#include <fmt/format.h>

#include "schemes/libredox.h"

namespace redox::host {

std::string ClaimedFunction::scheme_suffix() const {
    if (addr.segment)
        return fmt::format("pci-{:04x}-{:02x}-{:02x}.{}", addr.segment, addr.bus, addr.device, addr.function);
    return fmt::format("pci-{:02x}-{:02x}.{}", addr.bus, addr.device, addr.function);
}

Result<ClaimedFunction> claim_from_env() {
    const char* env = std::getenv("PCID_CLIENT_CHANNEL");
    if (!env) return err(EINVAL, "no PCID_CLIENT_CHANNEL: drivers are started by pcid-spawner");
    ClaimedFunction c;
    c.channel = std::atoi(env);
    unsetenv("PCID_CLIENT_CHANNEL");
    std::string text = TRY(sys::read_all(c.channel));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    size_t sp = text.find(' ');
    if (sp == std::string::npos) return err(EINVAL, "pcid channel: malformed line '" + text + "'");
    c.addr = TRY(pci::PciAddress::parse(text.substr(0, sp)));
    c.spec = TRY(DeviceSpec::parse(text.substr(sp + 1)));
    return c;
}

} // namespace redox::host
