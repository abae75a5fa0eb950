// The VFIO backend's refusals: each misconfiguration a user can hit gives one line
// saying what is wrong and what to run. Checked on a fake sysfs/dev tree, and on
// this host's real /sys and /dev.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_support.h"
#include "vfio/vfio_device.h"

using namespace redox;
namespace fs = std::filesystem;

namespace {
struct FakeHost {
    test::TempDir dir;
    vfio::HostPaths paths{dir.path() / "sys", dir.path() / "dev"};

    fs::path device(const std::string& addr, const std::string& driver, int group) {
        fs::path d = paths.sysfs / "bus/pci/devices" / addr;
        fs::create_directories(d);
        if (!driver.empty())
            fs::create_directory_symlink("../../../bus/pci/drivers/" + driver, d / "driver");
        if (group >= 0) {
            fs::path g = paths.sysfs / "kernel/iommu_groups" / std::to_string(group) / "devices";
            fs::create_directories(g);
            fs::create_directory_symlink("../../../kernel/iommu_groups/" + std::to_string(group), d / "iommu_group");
            fs::create_directory_symlink(d, g / addr);
        }
        return d;
    }
    void dev_node(const std::string& name) {
        fs::create_directories(paths.dev / "vfio");
        std::ofstream(paths.dev / "vfio" / name) << "";
    }
    std::string open_error(const std::string& addr) {
        auto r = vfio::VfioDevice::open(*pci::PciAddress::parse(addr), paths);
        return r ? "(opened)" : r.error().context;
    }
};
} // namespace

TEST_CASE("PCI addresses parse in both spellings and reject junk") {
    auto a = pci::PciAddress::parse("0000:03:00.0");
    REQUIRE(a.has_value());
    CHECK(a->str() == "0000:03:00.0");
    auto b = pci::PciAddress::parse("1f:1f.7");
    REQUIRE(b.has_value());
    CHECK(b->str() == "0000:1f:1f.7");
    for (const char* bad : {"", "03:00", "0000:03:20.0", "00:00.8", "zz:00.0", "0000:03:00.0x"})
        CHECK_FALSE(pci::PciAddress::parse(bad).has_value());
}

TEST_CASE("vfio refuses a device that does not exist") {
    FakeHost h;
    CHECK_THAT(h.open_error("0000:03:00.0"), Catch::StartsWith("vfio 0000:03:00.0: no such PCI device"));
}

TEST_CASE("vfio refuses a device bound to a host driver and says how to rebind") {
    FakeHost h;
    h.device("0000:03:00.0", "e1000e", 7);
    auto msg = h.open_error("0000:03:00.0");
    CHECK_THAT(msg, Catch::StartsWith("vfio 0000:03:00.0: bound to e1000e, not vfio-pci; run: echo 0000:03:00.0 > "));
    CHECK_THAT(msg, Catch::Contains("driver_override"));
    CHECK(msg.find('\n') == std::string::npos);

    h.device("0000:04:00.0", "", 8);
    CHECK_THAT(h.open_error("0000:04:00.0"), Catch::StartsWith("vfio 0000:04:00.0: not bound to vfio-pci (no driver)"));
}

TEST_CASE("vfio refuses a device with no IOMMU group") {
    FakeHost h;
    h.device("0000:03:00.0", "vfio-pci", -1);
    CHECK_THAT(h.open_error("0000:03:00.0"), Catch::Contains("has no IOMMU group; boot with intel_iommu=on"));
}

TEST_CASE("vfio refuses a group whose other devices are in use") {
    FakeHost h;
    h.device("0000:00:1f.2", "vfio-pci", 5);
    h.device("0000:00:1f.0", "lpc_ich", 5);
    h.device("0000:00:1c.0", "pcieport", 5); // bridges are fine
    h.dev_node("vfio");
    h.dev_node("5");
    CHECK(h.open_error("0000:00:1f.2") ==
          "vfio 0000:00:1f.2: IOMMU group 5 also holds 0000:00:1f.0 (bound to lpc_ich); bind every device of the "
          "group to vfio-pci, or pass the whole group");
}

TEST_CASE("vfio names a missing /dev/vfio") {
    FakeHost h;
    h.device("0000:03:00.0", "vfio-pci", 9);
    CHECK_THAT(h.open_error("0000:03:00.0"), Catch::Contains("/dev/vfio/vfio is missing; load the driver: modprobe vfio-pci"));
    h.dev_node("vfio");
    CHECK_THAT(h.open_error("0000:03:00.0"), Catch::Contains("/dev/vfio/9 is missing"));
}

TEST_CASE("vfio picks the noiommu group node and fails cleanly on a non-VFIO node") {
    FakeHost h;
    h.device("0000:03:00.0", "vfio-pci", 2);
    h.dev_node("vfio");
    h.dev_node("noiommu-2");
    auto plan = vfio::preflight(*pci::PciAddress::parse("0000:03:00.0"), h.paths);
    REQUIRE(plan.has_value());
    CHECK(plan->noiommu);
    CHECK(plan->group_node.filename() == "noiommu-2");
    // The nodes are plain files here, so the first ioctl fails: an error, no crash.
    CHECK_THAT(h.open_error("0000:03:00.0"), Catch::StartsWith("vfio 0000:03:00.0: unsupported VFIO API version"));
}

TEST_CASE("vfio explains a too-small locked-memory limit") {
    auto msg = vfio::memlock_message(1 << 20, 64 << 10, 8 << 20);
    CHECK(msg == "too little locked memory: DMA needs 1024 KiB more with 64 KiB already locked, RLIMIT_MEMLOCK is "
                 "8192 KiB; raise it (ulimit -l, or LimitMEMLOCK= in the unit)");
    CHECK_THAT(vfio::memlock_message(4096, 0, RLIM_INFINITY), Catch::Contains("RLIMIT_MEMLOCK is unlimited"));
}

TEST_CASE("vfio on this host gives one clear line") {
    // Whatever this machine has (usually no /dev/vfio, devices bound to host
    // drivers), opening a device must fail with a message, not crash or hang.
    std::error_code ec;
    std::string addr = "0000:00:00.0";
    for (const auto& d : fs::directory_iterator("/sys/bus/pci/devices", ec)) {
        addr = d.path().filename().string();
        break;
    }
    if (fs::exists("/dev/vfio/vfio", ec) && fs::exists("/sys/bus/pci/drivers/vfio-pci/" + addr, ec)) {
        WARN("host has a vfio-pci device; the refusal path is covered by the fake tree");
        return;
    }
    auto r = vfio::VfioDevice::open(*pci::PciAddress::parse(addr));
    REQUIRE_FALSE(r.has_value());
    CHECK_THAT(r.error().context, Catch::StartsWith("vfio " + addr + ": "));
    CHECK(r.error().context.find('\n') == std::string::npos);
}

// Over a noiommu group the device sees host physical addresses: a DMA buffer is
// a pinned page whose physical address the kernel's pagemap gives (root only).
TEST_CASE("noiommu DMA buffers are pinned pages at their host physical address") {
    auto buf = vfio::alloc_host_physical_dma(100);
    if (!buf && buf.error().errnum == EPERM) {
        WARN("not root: pagemap hides physical addresses: " << buf.error().message());
        return;
    }
    REQUIRE(buf);
    CHECK(buf->size() == 4096);
    CHECK(buf->bus_addr() != 0);
    CHECK(buf->bus_addr() % 4096 == 0);
    buf->bytes()[7] = std::byte{42};  // writable, and resident
    // The same answer from pagemap, read here on its own.
    int pm = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    REQUIRE(pm >= 0);
    uint64_t entry = 0;
    auto got = ::pread(pm, &entry, sizeof entry, off_t(reinterpret_cast<uintptr_t>(buf->data()) / 4096 * 8));
    ::close(pm);
    REQUIRE(got == sizeof entry);
    CHECK((entry >> 63) == 1);  // present
    CHECK((entry & ((1ull << 55) - 1)) * 4096 == buf->bus_addr());
    auto big = vfio::alloc_host_physical_dma(3u << 20);
    REQUIRE(!big);
    CHECK(big.error().errnum == EINVAL);
    CHECK(big.error().message().find("2 MiB") != std::string::npos);
    CHECK(!vfio::alloc_host_physical_dma(0));
}
