// `redox-sim boot`: the process becomes the kernel-sim, builds initfs and the
// root tree from the boot config, starts init and runs until init exits.
#include "cli/boot.h"
#include "cli/command.h"
#include "daemons/inputd/terminal_keys.h"
#include "host/device_spec.h"
#include "spawner/initfs_drivers.h"
#include "vfio/vfio_preflight.h"
#include "installer/config.h"
#include "installer/tree.h"
#include "redoxfs/cli_common.h"
#include "redoxfs/rootfs/root_image.h"
#include "sim_programs.h"
#include "userland/coreutils/commands.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <optional>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace redox::cli {

std::map<std::string, std::string> sim_programs() {
    std::map<std::string, std::string> out;
    std::string_view all = REDOX_SIM_PROGRAMS;
    while (!all.empty()) {
        size_t semi = all.find(';');
        std::string_view entry = all.substr(0, semi);
        all = semi == std::string_view::npos ? std::string_view{} : all.substr(semi + 1);
        size_t eq = entry.find('=');
        if (eq != std::string_view::npos) out[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
    }
    return out;
}

Result<BootArgs> parse_boot_args(std::span<char*> args) {
    BootArgs b;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        auto value = [&](const char* what) -> Result<std::string> {
            if (i + 1 >= args.size()) return err(EINVAL_, a + " needs " + what);
            return std::string(args[++i]);
        };
        if (a == "--config") b.config = TRY(value("a config name or file"));
        else if (a == "--exec") b.exec.push_back(TRY(value("a command line")));
        else if (a == "--share") b.share = TRY(value("a host directory"));
        else if (a == "--log-file") b.log_file = TRY(value("a host file"));
        else if (a == "--root") {
            b.root = TRY(value("redoxfs, ramfs or disk"));
            if (b.root == "disk" || b.root.starts_with("disk=")) {
                b.root_disk = b.root == "disk" ? "first" : b.root.substr(5);
                b.root = "redoxfs";
                if (!b.root_disk.starts_with("/scheme/disk."))
                    if (b.root_disk != "first") return err(EINVAL_, "--root disk=" + b.root_disk + ": expected a path /scheme/disk.NAME/N");
            } else if (b.root != "redoxfs" && b.root != "ramfs") {
                return err(EINVAL_, "--root " + b.root + ": expected redoxfs, ramfs or disk[=PATH]");
            }
        } else if (a == "--device") {
            std::string text = TRY(value("e1000[=SOCKET], nvme=IMAGE, ahci=IMAGE or xhci"));
            auto spec = host::DeviceSpec::parse(text);
            if (!spec || spec->kind == "vfio") return err(EINVAL_, "--device " + (spec ? text + ": use --vfio ADDR for host devices" : spec.error().context));
            if (spec->kind == "nvme" || spec->kind == "ahci") {
                char* real = realpath(spec->path.c_str(), nullptr);
                if (!real) return err(ENOENT_, "--device " + text + ": no such file");
                spec->path = real;
                std::free(real);
            } else if (!spec->path.empty()) {
                spec->path = std::filesystem::absolute(spec->path).string();
            }
            b.devices.push_back(spec->text());
        } else if (a == "--vfio") {
            std::string text = TRY(value("a PCI address (0000:03:00.0)"));
            auto spec = host::DeviceSpec::parse_vfio(text);
            if (!spec) return err(EINVAL_, spec.error().context);
            auto plan = vfio::preflight(*pci::PciAddress::parse(spec->path), vfio::HostPaths{});
            if (!plan) return err(plan.error().errnum, plan.error().context.empty() ? plan.error().message() : plan.error().context);
            b.vfio.push_back(spec->text());
        } else if (a == "--image") b.image = TRY(value("a RedoxFS image file"));
        else if (a == "--password-file") b.password_file = TRY(value("a file holding the image's password"));
        else if (a == "--trace") b.trace = TRY(value("a host file"));
        else if (a == "--virtual-time") b.virtual_time = true;
        else if (a == "--display") {
            b.display = TRY(value("sdl or headless"));
            if (b.display != "sdl" && b.display != "headless") return err(EINVAL_, "--display " + b.display + ": expected sdl or headless");
        }
        else if (a == "--timeout") {
            std::string v = TRY(value("seconds"));
            char* end = nullptr;
            b.timeout = std::strtod(v.c_str(), &end);
            if (!end || *end || b.timeout <= 0) return err(EINVAL_, "--timeout " + v + ": not a positive number of seconds");
        } else if (a == "--log-level") {
            std::string v = TRY(value("quiet, info or debug"));
            if (v == "quiet" || v == "error") b.log_level = 0;
            else if (v == "info") b.log_level = 1;
            else if (v == "debug") b.log_level = 2;
            else return err(EINVAL_, "--log-level " + v + ": expected quiet, info or debug");
        } else {
            return err(EINVAL_, "unknown boot option '" + a + "'");
        }
    }
    b.devices.insert(b.devices.end(), b.vfio.begin(), b.vfio.end());
    if (b.root_disk == "first") {
        // Disk 0 of the first nvme/ahci model: pcid numbers models from slot 2 in order.
        unsigned slot = 2;
        for (const auto& d : b.devices) {
            auto spec = host::DeviceSpec::parse(d);
            if (!spec->is_model()) continue;
            if (spec->kind == "nvme" || spec->kind == "ahci") {
                b.root_disk = fmt::format("/scheme/disk.pci-00-{:02x}.0/0", slot);
                b.root_image = spec->path;
                break;
            }
            ++slot;
        }
        if (b.root_disk == "first") return err(EINVAL_, "--root disk needs --device nvme=IMAGE or --device ahci=IMAGE");
    }
    if (!b.root_disk.empty() && !b.image.empty()) return err(EINVAL_, "--root disk and --image name two roots; give one");
    if (!b.image.empty()) {
        if (b.root != "redoxfs") return err(EINVAL_, "--image boots RedoxFS; it cannot go with --root " + b.root);
        char* real = realpath(b.image.c_str(), nullptr);
        if (!real) return err(ENOENT_, "--image " + b.image + ": no such file");
        b.image = real;
        std::free(real);
    }
    if (!b.password_file.empty() && b.image.empty())
        return err(EINVAL_, "--password-file unlocks an --image; a config's root takes general.encrypt_disk");
    if (!b.share.empty()) {
        char* real = realpath(b.share.c_str(), nullptr);
        if (!real) return err(ENOENT_, "--share " + b.share + ": no such directory");
        b.share = real;
        std::free(real);
    }
    return b;
}

// Which programs each package provides, as sim paths in initfs.
static installer::PackageCatalog catalog(const std::map<std::string, std::string>& progs) {
    installer::PackageCatalog c;
    auto add = [&](const std::string& pkg, const std::string& prog) {
        if (progs.count(prog)) c[pkg].push_back({"/usr/bin/" + prog, "/scheme/initfs/bin/" + prog});
    };
    for (auto p : {"zerod", "randd", "logd", "ramfs", "hostfs", "init", "sim", "ipcd", "ptyd", "inputd", "getty"}) add("base", p);
    add("coreutils", "coreutils");
    for (auto p : {"orbital", "displayd", "orbital-hello", "orbital-paint", "orbital-events", "screenshot", "orbinput"}) add("orbital", p);
    // netutils (server and desktop configs) is not built in this repository yet: the
    // package exists and installs nothing, so those configs boot.
    c["netutils"];
    add("ion", "ion");
    for (auto p : {"login", "su", "sudo", "passwd"}) add("userutils", p);
    for (auto& [name, path] : progs) {
        bool known = false;
        for (auto& [pkg, list] : c)
            for (auto& [dst, src] : list) known |= src.ends_with("/" + name);
        if (!known) c[name].push_back({"/usr/bin/" + name, "/scheme/initfs/bin/" + name});
    }
    return c;
}

// The password of an encrypted root reaches redoxfs in a root-only initfs file (on
// Redox the bootloader leaves it in memory for redoxfs); returns the daemon option.
static std::string hand_over_password(kernel::BootOptions& o, const std::optional<std::string>& password) {
    if (!password) return "";
    kernel::BootOptions::InitfsFile f;
    f.data = *password + "\n";
    f.root_only = true;
    o.initfs["etc/redoxfs.password"] = std::move(f);
    return "--password-file /scheme/initfs/etc/redoxfs.password ";
}

// Unlocks --image: with --password-file, else (encrypted) by asking on the terminal.
static Result<std::optional<std::string>> image_password(const BootArgs& args) {
    std::string what = "--image " + args.image + ": ";
    std::optional<std::string> pw;
    if (!args.password_file.empty()) {
        auto r = redoxfs::cli::read_password(args.password_file);
        if (!r) return err(r.error().errnum, "--password-file " + r.error().context);
        pw = *r;
    }
    for (int attempt = 0;; ++attempt) {
        auto check = redoxfs::check_root_image(args.image, pw);
        if (check) return pw;
        bool may_ask = check.error().errnum == ENOKEY && args.password_file.empty() && attempt < 3 && isatty(0);
        if (!may_ask) {
            if (check.error().errnum == ENOKEY && !pw)
                return err(ENOKEY, what + "the image is encrypted; give --password-file F (or boot on a terminal to be asked)");
            return err(check.error().errnum, what + check.error().context);
        }
        if (attempt > 0) std::fprintf(stderr, "redox-sim: wrong password\n");
        auto typed = redoxfs::cli::ask_password("redox-sim: password for " + args.image + ": ");
        if (!typed) return err(typed.error().errnum, what + typed.error().context);
        pw = *typed;
    }
}

// The init.rc line that starts the root file system's daemon (and what it needs).
// The bytes a root tree holds uncompressed: its files' own data and the programs
// of this build it names (initfs programs, read from their host files).
static uint64_t tree_bytes(const std::vector<installer::Node>& nodes, const kernel::BootOptions& o) {
    constexpr std::string_view initfs = "/scheme/initfs/";
    uint64_t bytes = 0;
    for (auto& n : nodes) {
        bytes += n.data.size();
        if (!n.host_source.starts_with(initfs)) continue;
        auto it = o.initfs.find(n.host_source.substr(initfs.size()));
        if (it == o.initfs.end() || it->second.host.empty()) continue;
        std::error_code ec;
        uint64_t size = std::filesystem::file_size(it->second.host, ec);
        if (!ec) bytes += size;
    }
    return bytes;
}

static Result<std::string> root_daemon_line(const BootArgs& args, const installer::Config& cfg,
                                            const installer::PackageCatalog& cat, kernel::BootOptions& o,
                                            uint64_t size) {
    if (!args.root_disk.empty()) {
        // The image behind a model disk is checked here, where a bad one is one line.
        if (!args.root_image.empty()) {
            auto check = redoxfs::check_root_image(args.root_image);
            if (!check) return err(check.error().errnum, "--root disk: " + args.root_image + ": " + check.error().context);
        }
        return fmt::format("notify_parallel /scheme/initfs/bin/redoxfs \"{}\"\n", args.root_disk);
    }
    if (!args.image.empty()) {
        auto pw = TRY(image_password(args));
        return fmt::format("notify_parallel /scheme/initfs/bin/redoxfs {}\"{}\"\n", hand_over_password(o, pw), args.image);
    }
    // Reuse earlier password hashes: argon2 would otherwise cost ~25 ms per boot.
    if (auto dir = redoxfs::default_cache_dir()) {
        std::error_code ec;
        std::filesystem::create_directories(*dir, ec);
        if (!ec) installer::set_password_memo(*dir + "/passwords");
    }
    auto nodes = installer::build_tree(cfg, cat);
    if (!nodes) return std::unexpected(nodes.error());
    if (args.root == "ramfs") {
        // ramfs keeps every byte in memory uncompressed: the programs of this build
        // (large in sanitized builds) come on top of the config's size.
        uint64_t programs = tree_bytes(*nodes, o);
        o.initfs["root.tree"] = {{}, installer::serialize_tree(*nodes)};
        return fmt::format("notify_parallel /scheme/initfs/bin/ramfs file /scheme/initfs/root.tree --size {}\n", size + programs);
    }
    redoxfs::RootImageSpec spec;
    if (!cfg.general.encrypt_disk.empty()) spec.password = cfg.general.encrypt_disk;
    spec.nodes = std::move(*nodes);
    spec.size = size;
    spec.host_path_of = [&o](const std::string& source) -> Result<std::string> {
        constexpr std::string_view prefix = "/scheme/initfs/";
        auto it = source.starts_with(prefix) ? o.initfs.find(source.substr(prefix.size())) : o.initfs.end();
        if (it == o.initfs.end() || it->second.host.empty()) return err(ENOENT_, source + ": not a program of this build");
        return it->second.host;
    };
    // The config's size may not hold this build's programs (tens of MiB each
    // when sanitized): the image grows to hold them all uncompressed, with an
    // eighth more and 16 MiB for the file system's own blocks, as the ramfs
    // root gets them on top of its size.
    uint64_t programs = tree_bytes(spec.nodes, o);
    uint64_t need = (programs + programs / 8 + (16ull << 20) + (1 << 20) - 1) & ~uint64_t((1 << 20) - 1);
    spec.size = std::max(size, need);
    // /etc/shadow holds freshly salted hashes; the passwords stand in for it in the key.
    spec.unstable_paths = {"/etc/shadow"};
    for (auto& [name, user] : cfg.users) spec.key_secrets.push_back(name + ":" + user.password);
    auto dir = redoxfs::default_cache_dir();
    if (!dir) return err(dir.error().errnum, dir.error().context + " (use --root ramfs)");
    auto image = redoxfs::cached_root_image(spec, *dir);
    if (!image) {
        std::string why = "root image: " + image.error().context;
        if (image.error().errnum == ENOSPC_) why += fmt::format(" (the config's filesystem_size is {} MiB)", size >> 20);
        return err(image.error().errnum, why);
    }
    return fmt::format("notify_parallel /scheme/initfs/bin/redoxfs --private {}\"{}\"\n", hand_over_password(o, spec.password),
                       image->path);
}

// The base package links pcid, pcid-spawner and the drivers into initfs, where they are anyway for
// storage drivers started before the root: a sanitized driver is ~15 MB, and every
// root image would otherwise carry six of them. Redox keeps drivers in /usr/lib/drivers.
static const std::pair<const char*, const char*> kDriverLinks[] = {
    {"/usr/bin/pcid", "pcid"}, {"/usr/bin/pcid-spawner", "pcid-spawner"}, {"/usr/bin/netframe", "netframe"},
    {"/usr/lib/drivers/e1000d", "e1000d"}, {"/usr/lib/drivers/nvmed", "nvmed"},
    {"/usr/lib/drivers/ahcid", "ahcid"}, {"/usr/lib/drivers/xhcid", "xhcid"},
    {"/usr/lib/drivers/usbhidd", "usbhidd"}, {"/usr/bin/inputdump", "inputdump"}};

#define COREUTILS_NAME(n) #n,
static const char* kCoreutils[] = {COREUTILS_COMMANDS(COREUTILS_NAME)};
#undef COREUTILS_NAME

Result<kernel::BootOptions> prepare_boot(const BootArgs& args) {
    kernel::BootOptions o;
    o.log_level = args.log_level;
    o.virtual_time = args.virtual_time;
    o.trace_file = args.trace;
    auto progs = sim_programs();
    for (auto& [name, path] : progs) o.initfs["bin/" + name] = {path, {}};

    auto cfg = installer::load_config(args.config);
    if (!cfg) return std::unexpected(cfg.error());
    if (cfg->packages.count("coreutils")) {
        for (auto name : kCoreutils) {
            installer::FileEntry e;
            e.path = std::string("/usr/bin/") + name;
            e.data = "coreutils";
            e.symlink = true;
            e.origin = "coreutils package";
            cfg->files.push_back(e);
        }
    }
    if (cfg->packages.count("base")) {
        for (auto [path, prog] : kDriverLinks) {
            if (!progs.count(prog)) continue;
            installer::FileEntry e;
            e.path = path;
            e.data = std::string("/scheme/initfs/bin/") + prog;
            e.symlink = true;
            e.origin = "base package";
            cfg->files.push_back(e);
        }
    }
    // Programs built here that belong to no package (simtest, the in-sim benchmarks) are installed too.
    auto cat = catalog(progs);
    for (auto& [pkg, list] : cat)
        if (pkg == "simtest" || pkg == "simbench" || pkg == "diskbench") cfg->packages[pkg];
    uint64_t size = cfg->general.filesystem_size_mib ? cfg->general.filesystem_size_mib << 20 : 256ull << 20;
    std::string root_line = TRY(root_daemon_line(args, *cfg, cat, o, size));

    std::string rc;
    rc += "export PATH /usr/bin\n";
    rc += "notify_parallel /scheme/initfs/bin/zerod null\n";
    rc += "notify_parallel /scheme/initfs/bin/zerod zero\n";
    rc += "notify_parallel /scheme/initfs/bin/randd\n";
    rc += args.log_file.empty() ? "notify_parallel /scheme/initfs/bin/logd\n"
                                : fmt::format("notify_parallel /scheme/initfs/bin/logd \"{}\"\n", args.log_file);
    if (!args.devices.empty()) {
        // pcid and the storage drivers start from initfs, before the root file system
        // (which may live on one of the disks); the rest start from the root's pcid.d.
        rc += "notify /scheme/initfs/bin/pcid";
        for (const auto& d : args.devices) rc += " \"" + d + "\"";
        rc += "\n/scheme/initfs/bin/pcid-spawner --initfs\n";
        o.initfs["lib/pcid.d/initfs.toml"] = {{}, std::string(spawner::kInitfsDrivers)};
    }
    rc += root_line;
    if (!args.share.empty()) rc += fmt::format("notify_parallel /scheme/initfs/bin/hostfs \"{}\"\n", args.share);
    rc += "set-default-scheme file\n";
    rc += "cd /\n";
    rc += "export HOME /root\n";
    rc += "run.d /usr/lib/init.d /etc/init.d\n";
    o.initfs["etc/init.rc"] = {{}, rc};

    o.init_env = {"PATH=/usr/bin", "HOME=/root", "USER=root", "SHELL=/usr/bin/ion", "PWD=/"};
    if (const char* term = std::getenv("TERM")) o.init_env.push_back(std::string("TERM=") + term);
    // How long the console waits for the rest of a key a read cut off (getty).
    if (const char* v = std::getenv("ESCDELAY")) {
        if (!input::parse_escdelay(v))
            return err(EINVAL_, fmt::format("ESCDELAY={}: expected milliseconds from 0 to 10000", v));
        o.init_env.push_back(std::string("ESCDELAY=") + v);
    }
    // Tuning knobs every sim process reads: the rings' spin-then-sleep budget and
    // the direct channels' spin (clients and daemons).
    for (const char* knob : {"REDOX_SIM_SPIN", "REDOX_SIM_DIRECT_SPIN_US"})
        if (const char* v = std::getenv(knob)) o.init_env.push_back(std::string(knob) + "=" + v);
    // Orbital's display backend; SDL2 needs the host's display server.
    if (!args.display.empty()) o.init_env.push_back("ORBITAL_BACKEND=" + args.display);
    if (args.display == "sdl") {
        if (!std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY"))
            return err(EINVAL_, "--display sdl: no DISPLAY or WAYLAND_DISPLAY on the host (use --display headless)");
        for (auto var : {"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR"})
            if (const char* v = std::getenv(var)) o.init_env.push_back(std::string(var) + "=" + v);
    }
    for (size_t i = 0; i < args.exec.size(); ++i)
        o.init_env.push_back(fmt::format("REDOX_SIM_EXEC_{}={}", i + 1, args.exec[i]));
    // An interactive console on a host terminal: init runs it through a pty
    // (getty), and the host terminal passes every key through (raw mode).
    if (args.exec.empty() && ::isatty(o.console_in) && ::isatty(o.console_out)) {
        o.init_env.push_back("REDOX_SIM_CONSOLE=terminal");
        winsize ws{};
        if (ioctl(o.console_out, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
            o.init_env.push_back(fmt::format("REDOX_SIM_CONSOLE_SIZE={}x{}", ws.ws_row, ws.ws_col));
    }
    return o;
}

namespace {

// The host terminal in raw mode while the sim's console runs on it: ^C, ^Z
// and every other key reach the sim's pty as bytes. Output keeps NL -> CR NL
// so lines written straight to the console (logs) stay lined up.
class RawTerminal {
public:
    explicit RawTerminal(int fd) : m_fd(fd) {
        if (tcgetattr(fd, &m_saved) != 0) return;
        termios raw = m_saved;
        cfmakeraw(&raw);
        raw.c_oflag |= OPOST | ONLCR;
        m_active = tcsetattr(fd, TCSANOW, &raw) == 0;
    }
    ~RawTerminal() {
        if (m_active) tcsetattr(m_fd, TCSANOW, &m_saved);
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

private:
    int m_fd;
    termios m_saved{};
    bool m_active = false;
};

}  // namespace

static int boot_main(std::span<char*> argv) {
    auto args = parse_boot_args(argv);
    if (!args) return fail("boot: " + args.error().context);
    auto opts = prepare_boot(*args);
    if (!opts) return fail("boot: " + opts.error().message());
    bool terminal = std::ranges::find(opts->init_env, std::string("REDOX_SIM_CONSOLE=terminal")) != opts->init_env.end();
    int console_in = opts->console_in;
    auto k = kernel::Kernel::create(std::move(*opts));
    if (!k) return fail("boot: " + k.error().message());
    if (args->timeout > 0) {
        auto* kp = k->get();
        kp->set_host_deadline(kernel::Kernel::real_ns() + uint64_t(args->timeout * 1e9), [kp, t = args->timeout] {
            kp->log(0, fmt::format("timeout after {} s; shutting down", t));
            kp->shutdown(124 << 8);
        });
    }
    std::optional<RawTerminal> raw;
    if (terminal) raw.emplace(console_in);
    if (auto r = (*k)->start_init(); !r) return fail("boot: starting init: " + r.error().message());
    int status = (*k)->run();
    k->reset();  // kills and reaps what is left
    raw.reset();
    if ((status & 0x7f) != 0) return 128 + (status & 0x7f);
    return (status >> 8) & 0xff;
}

REDOX_SIM_COMMAND("boot", "boot [--config NAME|FILE] [--exec CMDLINE]... [--share HOSTDIR] [--root redoxfs|ramfs|disk[=PATH]] [--image FILE [--password-file F]] [--device e1000[=SOCKET]|nvme=IMAGE|ahci=IMAGE|xhci[=SOCKET]]... [--vfio ADDR]... [--display sdl|headless] [--timeout SECONDS] [--log-level quiet|info|debug] [--log-file HOSTFILE]", boot_main);

} // namespace redox::cli
