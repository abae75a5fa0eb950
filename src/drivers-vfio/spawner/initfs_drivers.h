// The drivers pcid-spawner --initfs starts (initfs /lib/pcid.d/initfs.toml): the
// storage controllers, so that the root file system may live on one of their disks,
// as Redox's initfs.toml does. Everything else starts from the root's pcid.d.
#pragma once

#include <string_view>

namespace redox::spawner {

inline constexpr std::string_view kInitfsDrivers = R"(# Storage drivers started from initfs.
[[drivers]]
name = "NVMe"
class = 0x01
subclass = 0x08
command = ["nvmed"]

[[drivers]]
name = "AHCI"
class = 0x01
subclass = 0x06
command = ["ahcid"]
)";

} // namespace redox::spawner
