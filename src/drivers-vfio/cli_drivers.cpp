// `redox-sim drivers-check` and `redox-sim pci-match`: the driver cores and
// pcid-spawner's matcher from the command line.
#include <charconv>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "check/device_check.h"
#include "cli/command.h"
#include "model/ahci_model.h"
#include "model/e1000_model.h"
#include "model/nvme_model.h"
#include "model/xhci_model.h"
#include "spawner/driver_config.h"
#include "vfio/vfio_device.h"

namespace {

using namespace redox;

bool parse_u64(std::string_view s, uint64_t& out, int base = 10) {
    if (base == 16 && (s.starts_with("0x") || s.starts_with("0X")))
        s.remove_prefix(2);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

// One device under test plus what its model needs pumped while a check waits.
struct Target {
    std::unique_ptr<pci::PciDevice> dev;
    std::function<void()> pump;
};

Result<Target> make_model(std::string_view spec, bool press_key) {
    auto eq = spec.find('=');
    std::string kind(spec.substr(0, eq));
    std::string image = eq == std::string_view::npos ? "" : std::string(spec.substr(eq + 1));
    Target t;
    if (kind == "e1000") {
        auto m = pci::E1000Model::create();
        auto* raw = m.get();
        // The host side answers ARP for 10.0.2.2 as QEMU's user network would.
        t.pump = [raw] {
            while (auto f = raw->host_receive())
                if (auto reply = check::arp_reply_for(*f))
                    raw->host_send(*reply);
        };
        t.dev = std::move(m);
    } else if (kind == "nvme" || kind == "ahci") {
        if (image.empty())
            return err(EINVAL, "--device " + kind + "=IMAGE needs a disk image");
        if (kind == "nvme")
            t.dev = TRY(pci::NvmeModel::create(image));
        else
            t.dev = TRY(pci::AhciModel::create(image));
    } else if (kind == "xhci") {
        auto m = pci::XhciModel::create();
        auto* raw = m.get();
        if (press_key)
            t.pump = [raw] { raw->press_key(0x04); };
        t.dev = std::move(m);
    } else {
        return err(EINVAL, "--device " + std::string(spec) + ": expected e1000, nvme=IMAGE, ahci=IMAGE or xhci");
    }
    return t;
}

int drivers_check(std::span<char*> args) {
    check::CheckOptions opts;
    std::vector<std::string> devices, vfio;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        auto value = [&]() -> std::string_view { return i + 1 < args.size() ? args[++i] : ""; };
        uint64_t n = 0;
        if (a == "--device")
            devices.emplace_back(value());
        else if (a == "--vfio")
            vfio.emplace_back(value());
        else if (a == "--write-lba" && parse_u64(value(), n))
            opts.write_lba = n;
        else if (a == "--key-wait" && parse_u64(value(), n))
            opts.key_wait_ms = static_cast<int>(n);
        else if (a == "--timeout" && parse_u64(value(), n))
            opts.timeout_ms = static_cast<int>(n);
        else
            return cli::fail("drivers-check: bad argument '" + std::string(a) + "' (see redox-sim --help)");
    }
    if (devices.empty() && vfio.empty())
        return cli::fail("drivers-check: name at least one --device or --vfio");

    int failures = 0;
    auto run = [&](pci::PciDevice& dev, const std::function<void()>& pump) {
        check::CheckOptions o = opts;
        o.pump = pump;
        o.report = [&](const check::CheckLine& line) {
            std::printf("%s %s\n", line.ok ? "PASS" : "FAIL", line.text.c_str());
            std::fflush(stdout);
            failures += !line.ok;
        };
        check::check_device(dev, o);
    };
    for (const auto& spec : devices) {
        auto t = make_model(spec, opts.key_wait_ms > 0);
        if (!t)
            return cli::fail("drivers-check: " + t.error().message());
        run(*t->dev, t->pump);
    }
    for (const auto& text : vfio) {
        auto addr = pci::PciAddress::parse(text);
        if (!addr)
            return cli::fail(addr.error().message());
        auto dev = vfio::VfioDevice::open(*addr);
        if (!dev)
            return cli::fail(dev.error().message());
        run(**dev, {});
    }
    return failures ? 1 : 0;
}

int pci_match(std::span<char*> args) {
    std::vector<std::filesystem::path> dirs;
    std::vector<std::string_view> ids;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (a == "--dir" && i + 1 < args.size())
            dirs.emplace_back(args[++i]);
        else
            ids.push_back(a);
    }
    if (dirs.empty())
        dirs = {"/usr/lib/pcid.d", "/etc/pcid.d"};
    if (ids.size() != 2)
        return cli::fail("pci-match: expected VENDOR:DEVICE CLASS:SUBCLASS[:INTERFACE] (hex)");
    pci::PciId id;
    auto split = [](std::string_view s) {
        std::vector<std::string_view> parts;
        for (size_t at = 0;;) {
            size_t c = s.find(':', at);
            parts.push_back(s.substr(at, c - at));
            if (c == std::string_view::npos)
                return parts;
            at = c + 1;
        }
    };
    auto vd = split(ids[0]);
    auto cls = split(ids[1]);
    uint64_t v[5] = {};
    if (vd.size() != 2 || cls.size() < 2 || cls.size() > 3 || !parse_u64(vd[0], v[0], 16) || !parse_u64(vd[1], v[1], 16) ||
        !parse_u64(cls[0], v[2], 16) || !parse_u64(cls[1], v[3], 16) || (cls.size() == 3 && !parse_u64(cls[2], v[4], 16)) ||
        v[0] > 0xFFFF || v[1] > 0xFFFF || v[2] > 0xFF || v[3] > 0xFF || v[4] > 0xFF)
        return cli::fail("pci-match: expected VENDOR:DEVICE CLASS:SUBCLASS[:INTERFACE] (hex)");
    id = pci::PciId{static_cast<uint16_t>(v[0]), static_cast<uint16_t>(v[1]), static_cast<uint8_t>(v[2]),
                    static_cast<uint8_t>(v[3]), static_cast<uint8_t>(v[4]), 0};
    auto cfg = spawner::DriverConfig::load_dirs(dirs);
    if (!cfg)
        return cli::fail("pci-match: " + cfg.error().context);
    const auto* e = cfg->find(id);
    if (!e) {
        std::printf("no driver matches %04x:%04x class %02x:%02x:%02x\n", id.vendor, id.device, id.class_code,
                    id.subclass, id.interface);
        return 1;
    }
    std::string argv;
    for (const auto& a : e->argv())
        argv += (argv.empty() ? "" : " ") + a;
    std::printf("%s (%s): %s\n", e->name.empty() ? "(unnamed)" : e->name.c_str(), e->origin.c_str(), argv.c_str());
    return 0;
}

} // namespace

REDOX_SIM_COMMAND("drivers-check",
                  "drivers-check [--device e1000|nvme=IMG|ahci=IMG|xhci]... [--vfio ADDR]... [--write-lba N] "
                  "[--key-wait MS]",
                  drivers_check);
REDOX_SIM_COMMAND("pci-match", "pci-match [--dir DIR]... VENDOR:DEVICE CLASS:SUBCLASS[:IF]", pci_match);
