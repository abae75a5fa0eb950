// Checks a host PCI function is ready for VFIO, from sysfs and /dev alone, so that a
// user gets one line saying what to fix instead of an ioctl errno. The roots are
// parameters so tests can build a fake sysfs tree.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pci/pci_device.h"

namespace redox::vfio {

struct HostPaths {
    std::filesystem::path sysfs = "/sys";
    std::filesystem::path dev = "/dev";
};

struct GroupPlan {
    int group = -1;
    bool noiommu = false;                 // /dev/vfio/noiommu-N instead of /dev/vfio/N
    std::filesystem::path group_node;     // the node to open
    std::filesystem::path container_node; // /dev/vfio/vfio
};

// Every check that needs no privileges: device present, bound to vfio-pci, in an IOMMU
// group whose other members are safe, /dev/vfio present. Error context is
// "vfio ADDR: why; what to do".
Result<GroupPlan> preflight(const pci::PciAddress& addr, const HostPaths& paths);

// The one-line message for a failed VFIO_IOMMU_MAP_DMA with ENOMEM.
std::string memlock_message(size_t needed_bytes, size_t locked_bytes, unsigned long long limit_bytes);

} // namespace redox::vfio
