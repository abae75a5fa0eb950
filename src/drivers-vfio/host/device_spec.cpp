#include "host/device_spec.h"

#include <charconv>

#include "model/ahci_model.h"
#include "model/e1000_model.h"
#include "model/nvme_model.h"
#include "model/xhci_model.h"
#include "vfio/vfio_device.h"

namespace redox::host {

namespace {
constexpr const char* kUsage = "expected e1000[=SOCKET], nvme=IMAGE, ahci=IMAGE or xhci[=SOCKET]";
}

Result<DeviceSpec> DeviceSpec::parse(std::string_view text) {
    DeviceSpec s;
    std::string_view main = text.substr(0, text.find(','));
    std::string_view opts = main.size() < text.size() ? text.substr(main.size() + 1) : std::string_view{};
    size_t eq = main.find('=');
    s.kind = std::string(main.substr(0, eq));
    if (eq != std::string_view::npos) s.path = std::string(main.substr(eq + 1));
    if (s.kind == "vfio") return parse_vfio(s.path);
    if (s.kind != "e1000" && s.kind != "nvme" && s.kind != "ahci" && s.kind != "xhci")
        return err(EINVAL, std::string(text) + ": " + kUsage);
    if ((s.kind == "nvme" || s.kind == "ahci") && s.path.empty())
        return err(EINVAL, std::string(text) + ": " + s.kind + " needs a disk image (" + s.kind + "=IMAGE)");
    while (!opts.empty()) {
        std::string_view opt = opts.substr(0, opts.find(','));
        opts = opt.size() < opts.size() ? opts.substr(opt.size() + 1) : std::string_view{};
        constexpr std::string_view key = "remove-after=";
        uint64_t n = 0;
        if (!opt.starts_with(key)) return err(EINVAL, std::string(text) + ": unknown option '" + std::string(opt) + "'");
        auto v = opt.substr(key.size());
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (v.empty() || ec != std::errc() || p != v.data() + v.size())
            return err(EINVAL, std::string(text) + ": remove-after needs a number of requests");
        s.remove_after = n;
    }
    return s;
}

Result<DeviceSpec> DeviceSpec::parse_vfio(std::string_view addr) {
    auto a = pci::PciAddress::parse(addr);
    if (!a) return err(EINVAL, "--vfio " + std::string(addr) + ": not a PCI address (expected 0000:03:00.0)");
    DeviceSpec s;
    s.kind = "vfio";
    s.path = a->str();
    return s;
}

std::string DeviceSpec::text() const {
    std::string t = kind;
    if (!path.empty()) t += "=" + path;
    if (remove_after) t += ",remove-after=" + std::to_string(*remove_after);
    return t;
}

void HostedDevice::count_request() {
    ++served;
    if (model && remove_after && served >= *remove_after) model->set_removed(true);
}

Result<HostedDevice> open_device(const DeviceSpec& spec) {
    HostedDevice h;
    h.remove_after = spec.remove_after;
    if (spec.kind == "vfio") {
        auto addr = TRY(pci::PciAddress::parse(spec.path));
        h.dev = TRY(vfio::VfioDevice::open(addr));
        return h;
    }
    std::unique_ptr<pci::ModelDevice> m;
    if (spec.kind == "e1000") m = pci::E1000Model::create();
    else if (spec.kind == "nvme") m = TRY(pci::NvmeModel::create(spec.path));
    else if (spec.kind == "ahci") m = TRY(pci::AhciModel::create(spec.path));
    else if (spec.kind == "xhci") m = pci::XhciModel::create();
    else return err(EINVAL, spec.text() + ": " + kUsage);
    h.model = m.get();
    h.dev = std::move(m);
    if (spec.remove_after && *spec.remove_after == 0) h.model->set_removed(true);
    return h;
}

} // namespace redox::host
