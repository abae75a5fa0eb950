// Building a sim from a boot config: the root tree, initfs and init.rc.
#pragma once

#include "kernel-sim/kernel.h"
#include "schemes/error.h"

#include <map>
#include <span>
#include <string>
#include <vector>

namespace redox::cli {

struct BootArgs {
    std::string config = "minimal";
    std::vector<std::string> exec;
    std::string share;
    double timeout = 0;
    int log_level = 1;
    std::string log_file;
    // The root file system: "redoxfs" (a cached image built from the config, or
    // `image` when given, whose changes persist) or "ramfs" (in memory).
    std::string root = "redoxfs";
    std::string image;
    std::string password_file;  // --password-file F: unlocks an encrypted --image
    bool virtual_time = false;  // --virtual-time: the sim's clocks jump when all processes block
    std::string trace;          // --trace FILE: record every scheme call
    std::string display;   // Orbital's backend: "sdl", "headless" or "" (its default)
    // PCI functions for pcid, as device spec texts (host/device_spec.h) with absolute
    // host paths: --device models, then --vfio host functions.
    std::vector<std::string> devices;
    // --root disk[=PATH]: RedoxFS served from a disk scheme (PATH, or disk 0 of the
    // first nvme/ahci model).
    std::string root_disk;
    std::string root_image;         // the host image behind root_disk, when a model's
    std::vector<std::string> vfio;  // --vfio specs (moved into devices after parsing)
};

// Parse `redox-sim boot` arguments. Errors are one line for a person.
Result<BootArgs> parse_boot_args(std::span<char*> args);
// Everything the kernel-sim needs to boot the config.
Result<kernel::BootOptions> prepare_boot(const BootArgs& args);
// The sim programs this build made: name -> host path.
std::map<std::string, std::string> sim_programs();

} // namespace redox::cli
