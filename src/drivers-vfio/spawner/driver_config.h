// pcid-spawner's driver table: `[[drivers]]` entries from TOML files in
// /usr/lib/pcid.d and /etc/pcid.d (a file in a later directory replaces the file of
// the same name in an earlier one). For a PCI function the first matching entry in
// file-name order wins. Every field that is set must match; `ids` (vendor string ->
// device list) replaces vendor/device; device_id_range is half open [start, end).
//
//   [[drivers]]
//   name = "e1000"
//   class = 0x02
//   ids = { "0x8086" = [0x100e, 0x100f] }
//   command = ["e1000d"]
//
// Malformed input is rejected with "FILE:LINE: why", never skipped silently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pci/pci_device.h"
#include "schemes/error.h"

namespace redox::spawner {

struct DriverEntry {
    std::string name;
    std::optional<uint8_t> class_code, subclass, interface;
    std::optional<uint16_t> vendor, device;
    std::optional<std::map<uint16_t, std::vector<uint16_t>>> ids;
    std::optional<std::pair<uint16_t, uint16_t>> device_id_range;
    std::vector<std::string> command;
    std::string origin; // "FILE:LINE" of the [[drivers]] header

    bool matches(const pci::PciId& id) const;
    // argv with a relative program name resolved into `driver_dir` (Redox: /usr/lib/drivers).
    std::vector<std::string> argv(const std::filesystem::path& driver_dir = "/usr/lib/drivers") const;
};

class DriverConfig {
public:
    static Result<DriverConfig> parse(std::string_view text, const std::string& path);
    static Result<DriverConfig> load_file(const std::filesystem::path& path);
    // Missing directories are fine (a system may have only one of them).
    static Result<DriverConfig> load_dirs(const std::vector<std::filesystem::path>& dirs);

    const std::vector<DriverEntry>& entries() const { return m_entries; }
    // Appends other's entries after ours (for a loader that reads files itself).
    void append(DriverConfig other);
    const DriverEntry* find(const pci::PciId& id) const;

private:
    std::vector<DriverEntry> m_entries;
};

} // namespace redox::spawner
