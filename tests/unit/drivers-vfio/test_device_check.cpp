// drivers-check's per-class checks against every model: what `redox-sim
// drivers-check --device ...` prints, and what the QEMU harness runs over VFIO.
#include <catch2/catch.hpp>

#include "check/device_check.h"
#include "model/ahci_model.h"
#include "model/e1000_model.h"
#include "model/nvme_model.h"
#include "model/xhci_model.h"
#include "test_support.h"

using namespace redox;

namespace {
std::string failures(const std::vector<check::CheckLine>& lines) {
    std::string s;
    for (auto& l : lines)
        if (!l.ok)
            s += l.text + "\n";
    return s;
}
bool has(const std::vector<check::CheckLine>& lines, const std::string& needle) {
    for (auto& l : lines)
        if (l.ok && l.text.find(needle) != std::string::npos)
            return true;
    return false;
}
} // namespace

TEST_CASE("drivers-check: e1000 model answers ARP through its host side") {
    auto m = pci::E1000Model::create();
    auto* raw = m.get();
    check::CheckOptions o;
    o.timeout_ms = 1000;
    o.pump = [raw] {
        while (auto f = raw->host_receive())
            if (auto r = check::arp_reply_for(*f))
                raw->host_send(*r);
    };
    auto lines = check::check_device(*m, o);
    CHECK(failures(lines) == "");
    CHECK(has(lines, "e1000 link up"));
    CHECK(has(lines, "ARP reply from 10.0.2.2"));

    // Without anyone answering, the check fails cleanly after its timeout.
    auto silent = pci::E1000Model::create();
    o.pump = {};
    o.timeout_ms = 200;
    auto none = check::check_device(*silent, o);
    CHECK_THAT(failures(none), Catch::Contains("no ARP reply"));
}

TEST_CASE("drivers-check: disks verify a write and restore what was there") {
    test::TempDir dir;
    auto img = test::make_image(dir, "disk.img", 2 << 20);
    auto original = test::random_bytes(4096, 5);
    {
        int fd = ::open(img.c_str(), O_WRONLY);
        REQUIRE(::pwrite(fd, original.data(), original.size(), 64 * 512) == 4096);
        ::close(fd);
    }
    check::CheckOptions o;
    o.write_lba = 64;
    auto nvme = std::move(*pci::NvmeModel::create(img));
    auto lines = check::check_device(*nvme, o);
    CHECK(failures(lines) == "");
    CHECK(has(lines, "nvme ns1 write/read-back of 4096 bytes at LBA 64 verified"));
    CHECK(has(lines, "nvme ns1 no GPT"));
    CHECK(test::file_bytes(img, 64 * 512, 4096) == original);

    auto ahci = std::move(*pci::AhciModel::create(img));
    lines = check::check_device(*ahci, o);
    CHECK(failures(lines) == "");
    CHECK(has(lines, "ahci port0 write/read-back of 4096 bytes at LBA 64 verified"));
    CHECK(test::file_bytes(img, 64 * 512, 4096) == original);
}

TEST_CASE("drivers-check: xhci model keyboard and a key press") {
    auto m = pci::XhciModel::create();
    auto* raw = m.get();
    check::CheckOptions o;
    o.key_wait_ms = 500;
    o.pump = [raw] { raw->press_key(0x1d); }; // 'z'
    auto lines = check::check_device(*m, o);
    CHECK(failures(lines) == "");
    CHECK(has(lines, "0627:0001 boot keyboard"));
    CHECK(has(lines, "key press arrived: HID usage 0x1d"));
}

TEST_CASE("drivers-check: a removed device gives FAIL lines, not a crash") {
    test::TempDir dir;
    auto img = test::make_image(dir, "disk.img", 1 << 20);
    auto nvme = std::move(*pci::NvmeModel::create(img));
    nvme->set_removed(true);
    auto lines = check::check_device(*nvme, {});
    CHECK_THAT(failures(lines), Catch::Contains("removed"));
}
