// pcid-spawner's [[drivers]] matching, with the entries Redox ships and broken files.
#include <catch2/catch.hpp>

#include <fstream>

#include "spawner/driver_config.h"
#include "test_support.h"

using namespace redox;
using spawner::DriverConfig;

namespace {
const char* Shipped = R"(
[[drivers]]
name = "E1000 NIC"
class = 0x02
ids = { "0x8086" = [0x1004, 0x100e, 0x100f, 0x1010] }
command = ["e1000d"]

[[drivers]]
name = "XHCI"
class = 0x0C
subclass = 0x03
interface = 0x30
command = ["xhcid"]

[[drivers]]
name = "AHCI storage"
class = 1
subclass = 6
command = ["ahcid"]

[[drivers]]
name = "NVME storage"
class = 1
subclass = 8
command = ["nvmed"]

[[drivers]]
name = "virtio-blk"
class = 1
subclass = 0
vendor = 0x1AF4
device = 0x1001
command = ["virtio-blkd"]

[[drivers]]
name = "ranged"
vendor = 0x10EC
device_id_range = { start = 0x8100, end = 0x8200 }
command = ["/bin/rtl-ish", "--fast"]

[[drivers]]
name = "catch-all storage"
class = 1
command = ["storaged"]
)";

pci::PciId id(uint16_t v, uint16_t d, uint8_t c, uint8_t s, uint8_t i = 0) { return {v, d, c, s, i, 0}; }

std::string name_for(const DriverConfig& cfg, pci::PciId pid) {
    auto* e = cfg.find(pid);
    return e ? e->name : "(none)";
}

std::string parse_error(const char* text) {
    auto r = DriverConfig::parse(text, "/etc/pcid.d/bad.toml");
    return r ? "(parsed)" : r.error().context;
}
} // namespace

TEST_CASE("pcid-spawner picks the first matching driver") {
    auto cfg = DriverConfig::parse(Shipped, "/usr/lib/pcid.d/base.toml");
    REQUIRE(cfg.has_value());
    CHECK(cfg->entries().size() == 7);
    CHECK(name_for(*cfg, id(0x8086, 0x100e, 0x02, 0x00)) == "E1000 NIC");
    CHECK(name_for(*cfg, id(0x8086, 0x10d3, 0x02, 0x00)) == "(none)");   // e1000e is not in ids
    CHECK(name_for(*cfg, id(0x1234, 0x100e, 0x02, 0x00)) == "(none)");   // ids replaces vendor
    CHECK(name_for(*cfg, id(0x1b36, 0x000d, 0x0C, 0x03, 0x30)) == "XHCI");
    CHECK(name_for(*cfg, id(0x1b36, 0x000d, 0x0C, 0x03, 0x20)) == "(none)"); // EHCI interface
    CHECK(name_for(*cfg, id(0x8086, 0x2922, 0x01, 0x06, 0x01)) == "AHCI storage");
    CHECK(name_for(*cfg, id(0x1b36, 0x0010, 0x01, 0x08, 0x02)) == "NVME storage");
    CHECK(name_for(*cfg, id(0x1AF4, 0x1001, 0x01, 0x00)) == "virtio-blk");
    CHECK(name_for(*cfg, id(0x1AF4, 0x1042, 0x01, 0x00)) == "catch-all storage"); // first match wins
    CHECK(name_for(*cfg, id(0x10EC, 0x8139, 0x02, 0x00)) == "ranged");
    CHECK(name_for(*cfg, id(0x10EC, 0x8200, 0x02, 0x00)) == "(none)");  // range end is exclusive
    CHECK(name_for(*cfg, id(0x10EC, 0x8100, 0x02, 0x00)) == "ranged");

    auto* e = cfg->find(id(0x1b36, 0x0010, 0x01, 0x08));
    REQUIRE(e);
    CHECK(e->argv() == std::vector<std::string>{"/usr/lib/drivers/nvmed"});
    CHECK(e->origin == "/usr/lib/pcid.d/base.toml:21");
    e = cfg->find(id(0x10EC, 0x8139, 0x02, 0x00));
    CHECK(e->argv() == std::vector<std::string>{"/bin/rtl-ish", "--fast"});
}

TEST_CASE("pcid-spawner accepts a device_id_range written as an array") {
    auto cfg = DriverConfig::parse("[[drivers]]\nvendor = 1\ndevice_id_range = [5, 7]\ncommand = [\"x\"]\n", "a.toml");
    REQUIRE(cfg.has_value());
    CHECK(cfg->find(id(1, 6, 0, 0)));
    CHECK_FALSE(cfg->find(id(1, 7, 0, 0)));
}

TEST_CASE("malformed pcid-spawner TOML names file and line") {
    CHECK(parse_error("[[drivers]]\nclass = 2\ncommand = [\"a\"\n") ==
          parse_error("[[drivers]]\nclass = 2\ncommand = [\"a\"\n")); // deterministic
    CHECK_THAT(parse_error("[[drivers]]\nclass = 2\ncommand = [\"a\"\n"), Catch::StartsWith("/etc/pcid.d/bad.toml:"));
    CHECK_THAT(parse_error("[[drivers]]\nclass = 0x1FF\ncommand = [\"a\"]\n"),
               Catch::StartsWith("/etc/pcid.d/bad.toml:2: 'class' must be an integer 0..0xff"));
    CHECK_THAT(parse_error("[[drivers]]\nclass = 1\n\n[[drivers]]\nclass = 2\n"),
               Catch::StartsWith("/etc/pcid.d/bad.toml:1: [[drivers]] entry has no command"));
    CHECK_THAT(parse_error("[[drivers]]\nclas = 1\ncommand = [\"a\"]\n"),
               Catch::StartsWith("/etc/pcid.d/bad.toml:2: unknown key 'clas'"));
    CHECK_THAT(parse_error("[[drivers]]\nids = { \"intel\" = [1] }\ncommand = [\"a\"]\n"),
               Catch::Contains(":2: ids key 'intel' is not a hex vendor id"));
    CHECK_THAT(parse_error("[[drivers]]\ndevice_id_range = { start = 9, end = 2 }\ncommand = [\"a\"]\n"),
               Catch::Contains(":2: 'device_id_range' start is after end"));
    CHECK_THAT(parse_error("drivers = 3\n"), Catch::Contains(":1: 'drivers' must be an array"));
    CHECK_THAT(parse_error("[[drivers]]\ncommand = \"nvmed\"\n"), Catch::Contains(":2: 'command' must be"));
    // A syntax error on line 3 says line 3.
    CHECK_THAT(parse_error("[[drivers]]\nclass = 1\nsubclass = = 6\n"), Catch::StartsWith("/etc/pcid.d/bad.toml:3:"));
}

TEST_CASE("pcid.d directories: /etc overrides /usr/lib by file name, order by name") {
    test::TempDir dir;
    auto lib = dir.path() / "usr/lib/pcid.d";
    auto etc = dir.path() / "etc/pcid.d";
    std::filesystem::create_directories(lib);
    std::filesystem::create_directories(etc);
    std::ofstream(lib / "10-storage.toml") << "[[drivers]]\nname = \"lib nvme\"\nclass = 1\nsubclass = 8\ncommand = [\"nvmed\"]\n";
    std::ofstream(lib / "20-net.toml") << "[[drivers]]\nname = \"lib e1000\"\nclass = 2\ncommand = [\"e1000d\"]\n";
    std::ofstream(etc / "20-net.toml") << "[[drivers]]\nname = \"etc e1000\"\nclass = 2\ncommand = [\"mynet\"]\n";
    std::ofstream(etc / "05-first.toml") << "[[drivers]]\nname = \"etc storage\"\nclass = 1\ncommand = [\"s\"]\n";
    std::ofstream(etc / "README") << "not toml";
    auto cfg = DriverConfig::load_dirs({lib, etc, dir.path() / "missing"});
    REQUIRE(cfg.has_value());
    CHECK(name_for(*cfg, id(0x8086, 0x100e, 2, 0)) == "etc e1000");
    CHECK(name_for(*cfg, id(0x1b36, 0x10, 1, 8)) == "etc storage"); // 05-first sorts before 10-storage
    REQUIRE(cfg->entries().size() == 3);

    std::ofstream(etc / "30-broken.toml") << "[[drivers]]\nclass = 1\ncommand = [\n";
    auto broken = DriverConfig::load_dirs({lib, etc});
    REQUIRE_FALSE(broken.has_value());
    CHECK_THAT(broken.error().context, Catch::Contains("30-broken.toml:"));
}
