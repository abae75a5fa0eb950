// pcid-spawner [--initfs]: starts the first matching driver for every function in
// /scheme/pci, as on Redox. The [[drivers]] tables come from /usr/lib/pcid.d and
// /etc/pcid.d (a file in /etc replaces the one of the same name in /usr/lib), or with
// --initfs from /scheme/initfs/{lib,etc}/pcid.d. A relative command is taken from
// /usr/lib/drivers (--initfs: /scheme/initfs/bin). The driver gets its function's
// channel as PCID_CLIENT_CHANNEL and the spawner waits until it says it is ready
// (INIT_NOTIFY, like init) or exits. A function whose channel is held (ENOLCK) already
// has its driver. Without a pci scheme (no devices) there is nothing to do.
//
// A malformed TOML file is reported as FILE:LINE and skipped; the exit status is then 1.
#include <fmt/format.h>
#include <map>

#include "daemons/daemon.h"
#include "spawner/driver_config.h"

namespace {

using namespace redox;

void say(const std::string& line) { (void)sys::write_all(2, "pcid-spawner: " + line + "\n"); }

Result<std::string> read_file(const std::string& path) {
    int fd = TRY(sys::open(path, O_RDONLY_));
    auto text = sys::read_all(fd);
    (void)sys::close(fd);
    return text;
}

pci::PciId id_from_config(const std::string& c) {
    auto u8 = [&](size_t i) { return i < c.size() ? uint8_t(c[i]) : uint8_t(0xff); };
    pci::PciId id;
    id.vendor = uint16_t(u8(0) | u8(1) << 8);
    id.device = uint16_t(u8(2) | u8(3) << 8);
    id.revision = u8(8);
    id.interface = u8(9);
    id.subclass = u8(10);
    id.class_code = u8(11);
    return id;
}

// Spawns argv with the channel; returns once it is ready or gone.
void start_driver(const std::string& function, const std::vector<std::string>& argv, int channel) {
    auto p = sys::pipe();
    if (!p) return say(function + ": pipe: " + p.error().message());
    sys::SpawnSpec s;
    s.path = argv[0];
    s.argv = argv;
    s.env = {"PCID_CLIENT_CHANNEL=3", "INIT_NOTIFY=4"};
    s.fds = {{0, 0}, {1, 1}, {2, 2}, {3, channel}, {4, p->second}};
    auto pid = sys::spawn(s);
    (void)sys::close(p->second);
    if (!pid) {
        (void)sys::close(p->first);
        return say(function + ": " + argv[0] + ": " + pid.error().message());
    }
    char byte = 0;
    auto n = sys::read(p->first, &byte, 1);
    (void)sys::close(p->first);
    if (n && *n == 1) return say(function + ": started " + argv[0]);
    auto st = sys::waitpid(*pid, 0);
    int code = st ? (sys::exited(st->second) ? sys::exit_code(st->second) : 128 + sys::term_signal(st->second)) : -1;
    say(function + ": " + argv[0] + " exited with status " + std::to_string(code) + " before it was ready");
}

} // namespace

int main(int argc, char** argv) {
    bool initfs = argc == 2 && std::string_view(argv[1]) == "--initfs";
    if (argc > 2 || (argc == 2 && !initfs)) daemon::die("pcid-spawner", "usage: pcid-spawner [--initfs]");
    (void)sys::set_name("pcid-spawner");
    auto functions = sys::read_dir("/scheme/pci");
    if (!functions) return 0;  // no pci scheme: this sim has no PCI devices

    std::vector<std::string> dirs = initfs ? std::vector<std::string>{"/scheme/initfs/lib/pcid.d", "/scheme/initfs/etc/pcid.d"}
                                           : std::vector<std::string>{"/usr/lib/pcid.d", "/etc/pcid.d"};
    std::string driver_dir = initfs ? "/scheme/initfs/bin" : "/usr/lib/drivers";
    std::map<std::string, std::string> files;  // file name -> winning path
    for (const auto& dir : dirs) {
        auto list = sys::read_dir(dir);
        if (!list) continue;  // a system may have only one of them
        for (const auto& e : *list)
            if (e.name.ends_with(".toml")) files[e.name] = dir + "/" + e.name;
    }
    int status = 0;
    spawner::DriverConfig config;
    for (const auto& [name, path] : files) {
        auto text = read_file(path);
        Result<spawner::DriverConfig> one = std::unexpected(Error{});
        if (text) one = spawner::DriverConfig::parse(*text, path);
        else one = std::unexpected(text.error());
        if (!one) {
            say(one.error().context.empty() ? path + ": " + one.error().message() : one.error().context);
            status = 1;
            continue;
        }
        config.append(std::move(*one));
    }

    for (const auto& f : *functions) {
        std::string base = "/scheme/pci/" + f.name;
        auto cfg = read_file(base + "/config");
        if (!cfg) {
            say(f.name + ": config: " + cfg.error().message());
            continue;
        }
        pci::PciId id = id_from_config(*cfg);
        const spawner::DriverEntry* entry = config.find(id);
        if (!entry) {
            if (!initfs)
                say(fmt::format("{}: {:04x}:{:04x} class {:02x}:{:02x}:{:02x}: no driver", f.name, id.vendor, id.device,
                                id.class_code, id.subclass, id.interface));
            continue;
        }
        auto channel = sys::open(base + "/channel", O_RDWR_);
        if (!channel) {
            if (channel.error().errnum != ENOLCK) say(f.name + ": channel: " + channel.error().message());
            continue;  // ENOLCK: its driver runs already
        }
        start_driver(f.name, entry->argv(driver_dir), *channel);
        (void)sys::close(*channel);
    }
    return status;
}
