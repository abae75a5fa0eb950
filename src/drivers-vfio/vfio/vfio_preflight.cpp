#include "vfio/vfio_preflight.h"

#include <sys/resource.h>

#include <fmt/format.h>

namespace redox::vfio {

namespace fs = std::filesystem;

namespace {
// Name of the driver a sysfs device is bound to, or "" if none.
std::string bound_driver(const fs::path& dev_dir) {
    std::error_code ec;
    auto target = fs::read_symlink(dev_dir / "driver", ec);
    return ec ? std::string() : target.filename().string();
}

// Drivers the kernel accepts next to a vfio-pci device in one group.
bool harmless_driver(const std::string& d) {
    return d.empty() || d == "vfio-pci" || d == "pci-stub" || d == "pcieport";
}
} // namespace

Result<GroupPlan> preflight(const pci::PciAddress& addr, const HostPaths& paths) {
    const std::string a = addr.str();
    auto fail = [&](int e, std::string why) { return err(e, fmt::format("vfio {}: {}", a, why)); };
    const fs::path dev_dir = paths.sysfs / "bus/pci/devices" / a;
    std::error_code ec;
    if (!fs::exists(dev_dir, ec))
        return fail(ENODEV, fmt::format("no such PCI device ({} does not exist)", dev_dir.string()));

    std::string drv = bound_driver(dev_dir);
    if (drv.empty())
        return fail(ENODEV, fmt::format("not bound to vfio-pci (no driver); run: echo vfio-pci > {0}/driver_override "
                                        "&& echo {1} > {2}/bus/pci/drivers_probe",
                                        dev_dir.string(), a, paths.sysfs.string()));
    if (drv != "vfio-pci")
        return fail(EBUSY, fmt::format("bound to {0}, not vfio-pci; run: echo {1} > {2}/driver/unbind && "
                                       "echo vfio-pci > {2}/driver_override && echo {1} > {3}/bus/pci/drivers_probe",
                                       drv, a, dev_dir.string(), paths.sysfs.string()));

    auto group_link = fs::read_symlink(dev_dir / "iommu_group", ec);
    if (ec)
        return fail(ENODEV, "has no IOMMU group; boot with intel_iommu=on (or amd_iommu=on), or load vfio with "
                            "enable_unsafe_noiommu_mode=1");
    GroupPlan plan;
    try {
        plan.group = std::stoi(group_link.filename().string());
    } catch (...) {
        return fail(EINVAL, "unreadable iommu_group link " + group_link.string());
    }

    // Every other function in the group must be unbound or bound to a VFIO-safe
    // driver, or the kernel refuses the group (VFIO_GROUP_FLAGS_VIABLE unset).
    const fs::path members = paths.sysfs / "kernel/iommu_groups" / std::to_string(plan.group) / "devices";
    for (const auto& m : fs::directory_iterator(members, ec)) {
        std::string other = m.path().filename().string();
        if (other == a)
            continue;
        std::string od = bound_driver(m.path());
        if (!harmless_driver(od))
            return fail(EBUSY, fmt::format("IOMMU group {} also holds {} (bound to {}); bind every device of the "
                                           "group to vfio-pci, or pass the whole group",
                                           plan.group, other, od));
    }

    const fs::path vfio_dir = paths.dev / "vfio";
    plan.container_node = vfio_dir / "vfio";
    if (!fs::exists(plan.container_node, ec))
        return fail(ENOENT, fmt::format("{} is missing; load the driver: modprobe vfio-pci", plan.container_node.string()));
    plan.group_node = vfio_dir / std::to_string(plan.group);
    if (!fs::exists(plan.group_node, ec)) {
        fs::path noiommu = vfio_dir / fmt::format("noiommu-{}", plan.group);
        if (!fs::exists(noiommu, ec))
            return fail(ENOENT, fmt::format("{} is missing (is the device really bound to vfio-pci?)",
                                            plan.group_node.string()));
        plan.group_node = noiommu;
        plan.noiommu = true;
    }
    return plan;
}

std::string memlock_message(size_t needed_bytes, size_t locked_bytes, unsigned long long limit_bytes) {
    std::string limit = limit_bytes == RLIM_INFINITY ? std::string("unlimited") : fmt::format("{} KiB", limit_bytes / 1024);
    return fmt::format("too little locked memory: DMA needs {} KiB more with {} KiB already locked, RLIMIT_MEMLOCK is {}; "
                       "raise it (ulimit -l, or LimitMEMLOCK= in the unit)",
                       needed_bytes / 1024, locked_bytes / 1024, limit);
}

} // namespace redox::vfio
