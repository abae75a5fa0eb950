// pcid: `pcid SPEC...` serves the `pci` scheme for the functions named by SPECs
// (host/device_spec.h). Models get addresses 0000:00:02.0, 00:03.0, ... in order;
// host functions keep their own. Configuration space comes from the model itself
// or from the host's sysfs.
#include <fstream>
#include <iterator>

#include "daemons/daemon.h"
#include "daemons/pcid/PciScheme.h"

namespace {

using namespace redox;

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
        }
        functions.push_back(std::move(f));
    }
    pcid::PciScheme scheme(std::move(functions));
    (void)sys::set_name("pcid");
    auto r = scheme.serve("pci", [] { daemon::ready(); });
    if (!r) daemon::die("pcid", r.error().message());
    return 0;
}
