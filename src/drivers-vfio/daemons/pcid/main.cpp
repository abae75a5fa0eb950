// pcid: `pcid SPEC...` serves the `pci` scheme for the functions named by SPECs
// (host/device_spec.h). Models get addresses 0000:00:02.0, 00:03.0, ... in order;
// host functions keep their own. Configuration space comes from the model itself
// or from the host's sysfs.
//
// pcid opens each host function's VFIO device and keeps it: it hands the
// kernel-sim the IOMMU container (every DMA range is mapped into it at its
// physical address) and the BAR regions (placed in the physical address space,
// for drivers to map through memory:physical). A function whose VFIO device
// cannot be opened is left out, with one line saying why.
#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "daemons/daemon.h"
#include "daemons/pcid/PciScheme.h"

namespace {

using namespace redox;

void warn(const std::string& what) { (void)sys::write_all(2, "pcid: " + what + "\n"); }

Result<std::vector<uint8_t>> model_config(const host::DeviceSpec& spec) {
    auto hosted = TRY(host::open_device(spec));
    std::vector<uint8_t> cfg(256);
    for (uint16_t off = 0; off < cfg.size(); off += 4) {
        uint32_t v = TRY(hosted.dev->config_read(off, 4));
        for (int i = 0; i < 4; ++i) cfg[off + i] = uint8_t(v >> (8 * i));
    }
    return cfg;
}

Result<std::vector<uint8_t>> host_config(const pci::PciAddress& addr) {
    std::string path = "/sys/bus/pci/devices/" + addr.str() + "/config";
    std::ifstream in(path, std::ios::binary);
    if (!in) return err(ENOENT, path);
    std::vector<uint8_t> cfg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cfg.size() < 64) return err(EIO, path + ": short configuration space");
    return cfg;
}

// Gives the kernel-sim the function's IOMMU container and BARs.
Result<void> attach_platform(int platform, pcid::Function& f) {
    auto& dev = *f.vfio;
    if (!dev.noiommu()) {
        const uint64_t attach[2] = {1, uint64_t(dev.container_fd())};
        if (auto r = sys::call(platform, nullptr, 0, 0, attach); !r)
            return err(r.error().errnum, "giving the kernel-sim the IOMMU container: " + r.error().message());
    }
    for (unsigned bar = 0; bar < f.bars.size(); ++bar) {
        auto region = dev.bar_region(bar);
        if (!region || !region->mappable) continue;  // absent, or I/O ports
        uint64_t range[2] = {region->offset, (region->size + 4095) & ~uint64_t(4095)};
        const uint64_t add[2] = {2, uint64_t(dev.device_fd())};
        if (auto r = sys::call(platform, range, sizeof range, 0, add); !r)
            return err(r.error().errnum, fmt::format("placing BAR{}: {}", bar, r.error().message()));
        f.bars[bar] = {range[0], region->size};
    }
    return {};
}

} // namespace

int main(int argc, char** argv) {
    std::vector<pcid::Function> functions;
    uint8_t next_slot = 2;
    for (int i = 1; i < argc; ++i) {
        auto spec = host::DeviceSpec::parse(argv[i]);
        if (!spec) daemon::die("pcid", spec.error().message());
        pcid::Function f;
        f.spec = *spec;
        if (spec->is_model()) {
            f.addr.device = next_slot++;
            auto cfg = model_config(*spec);
            if (!cfg) daemon::die("pcid", spec->text() + ": " + cfg.error().message());
            f.config = std::move(*cfg);
        } else {
            f.addr = *pci::PciAddress::parse(spec->path);
            auto cfg = host_config(f.addr);
            if (!cfg) daemon::die("pcid", cfg.error().message());
            f.config = std::move(*cfg);
            auto dev = vfio::VfioDevice::open(f.addr);
            if (!dev) {
                warn(dev.error().message());
                continue;
            }
            f.vfio = std::move(*dev);
            // What the kernel-sim takes from this handle goes when it closes.
            auto platform = sys::open("/scheme/memory/device", O_RDWR_ | O_CLOEXEC_);
            if (!platform) daemon::die("pcid", "/scheme/memory/device: " + platform.error().message());
            if (auto r = attach_platform(*platform, f); !r) {
                warn(f.addr.str() + ": " + r.error().message());
                (void)sys::close(*platform);
                continue;
            }
        }
        functions.push_back(std::move(f));
    }
    pcid::PciScheme scheme(std::move(functions));
    (void)sys::set_name("pcid");
    auto r = scheme.serve("pci", [] { daemon::ready(); });
    if (!r) daemon::die("pcid", r.error().message());
    return 0;
}
