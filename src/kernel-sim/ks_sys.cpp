// Kernel schemes: sys (system information), proc and thisproc (process
// information), initfs (the boot programs, read-only from the host).
#include "kernel-sim/direct.h"
#include "kernel-sim/kschemes.h"
#include "kernel-sim/ks_util.h"
#include "kernel-sim/namespaces.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <map>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace redox::kernel {

namespace {

std::string context_table(Kernel& k) {
    std::string out = fmt::format("{:>5} {:>5} {:>5} {:>5} {:>5} {:>4} {:>9} {:>9} {}\n",
                                  "PID", "PPID", "PGID", "RUID", "EUID", "STAT", "CPU(ms)", "CALLS", "NAME");
    for (Process* p : k.processes()) {
        uint64_t cpu_ms = 0;
        if (p->state == ProcState::Running) {
            // utime + stime from the host, in clock ticks.
            auto f = fmt::format("/proc/{}/stat", p->linux_pid);
            if (FILE* fp = std::fopen(f.c_str(), "r")) {
                char buf[1024];
                size_t n = std::fread(buf, 1, sizeof buf - 1, fp);
                std::fclose(fp);
                buf[n] = 0;
                if (const char* rp = std::strrchr(buf, ')')) {
                    unsigned long ut = 0, st = 0;
                    std::sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
                    cpu_ms = (ut + st) * 1000 / uint64_t(sysconf(_SC_CLK_TCK));
                }
            }
        }
        out += fmt::format("{:>5} {:>5} {:>5} {:>5} {:>5} {:>4} {:>9} {:>9} {}\n", p->pid, p->ppid, p->pgid,
                           p->ruid, p->euid, p->state != ProcState::Running ? "Z" : p->stopped ? "T" : "R", cpu_ms, p->calls, p->name);
    }
    return out;
}

std::string memory_stats() {
    long page = sysconf(_SC_PAGESIZE);
    uint64_t total = uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(page);
    uint64_t free = uint64_t(sysconf(_SC_AVPHYS_PAGES)) * uint64_t(page);
    return fmt::format("total {}\nfree {}\nused {}\n", total, free, total - free);
}

} // namespace

// sys: text files. `context` (process table), `uname`, `scheme` (the caller's
// namespace), `log` (kernel log), `memory`, `stat`, `irq` (interrupt
// vectors), `iomem` (the physical address space); writing `shutdown` or
// `reset` to `kstop` stops the sim. Scenario control (uid 0 only for
// writes): `fault` lists fault rules and takes a rule line or `clear`;
// `trace` says on/off/unavailable and takes `on` or `off`; `time` says
// `real` or `virtual NS` and takes `advance NS`.
class SysScheme final : public KernelScheme {
public:
    SysScheme() : KernelScheme("sys") {}

protected:
    inline static const std::vector<std::string> kFiles = {"context", "fault", "iomem", "irq",   "kstop", "log",  "memory",
                                                           "scheme",  "stat",  "time",  "trace", "uname"};
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t& extra) override {
        if (r.op == Opcode::Open) {
            std::string name = r.path;
            while (!name.empty() && name.back() == '/') name.pop_back();
            std::string text;
            Process* p = k.process(r.pid);
            if (name.empty()) text = "";
            else if (name == "context") text = context_table(k);
            else if (name == "uname") text = "Redox\n0.5.0-sim\nx86_64\nredox-sim\n";
            else if (name == "scheme") { for (auto& s : k.namespaces().list(p ? p->rns : 1)) text += s + "\n"; }
            else if (name == "log") text = k.log_text();
            else if (name == "irq") text = irq_table(k);
            else if (name == "iomem") text = iomem_table(k);
            else if (name == "memory") text = memory_stats();
            else if (name == "stat") text = fmt::format("uptime_ns {}\ncalls {}\nprocesses {}\n",
                                                         k.now_ns(CLOCK_MONOTONIC_) - k.boot_ns(), k.calls_routed(), k.processes().size());
            else if (name == "kstop") { if (r.uid != 0) return err(EACCES_); }
            else if (name == "fault") text = k.faults().describe();
            else if (name == "trace") text = !k.tracer().available() ? "unavailable\n" : k.tracer().enabled() ? "on\n" : "off\n";
            else if (name == "time") text = k.virtual_time() ? fmt::format("virtual {}\n", k.now_ns(CLOCK_MONOTONIC_)) : "real\n";
            else return err(ENOENT_);
            uint64_t id = m_next++;
            m_open[id] = File{name, std::move(text)};
            extra = NEWFD_POSITIONED;
            return id;
        }
        auto it = m_open.find(r.number);
        if (it == m_open.end()) return err(EBADF_);
        File& f = it->second;
        switch (r.op) {
        case Opcode::Read:
            if (f.name.empty()) return err(EISDIR_);
            return read_text(k, r, f.text, r.offset == ~0ull ? 0 : r.offset);
        case Opcode::Write: {
            if (f.name != "kstop" && f.name != "fault" && f.name != "trace" && f.name != "time") return err(EBADF_);
            if (r.uid != 0) return err(EACCES_);
            std::string cmd(std::min<uint64_t>(r.len, 4096), '\0');
            if (!k.copy_from(r.pid, r.buf, cmd.data(), cmd.size())) return err(EFAULT_);
            while (!cmd.empty() && (cmd.back() == '\n' || cmd.back() == '\0')) cmd.pop_back();
            if (f.name != "kstop") return control(k, f.name, cmd, r.len);
            if (cmd != "shutdown" && cmd != "reset") return err(EINVAL_);
            k.log(1, "shutdown requested through sys:kstop");
            k.shutdown(0);
            return r.len;
        }
        case Opcode::Getdents:
            if (!f.name.empty()) return err(ENOTDIR_);
            return put_dirents(k, r, kFiles, [](const std::string&) { return uint8_t(DT_REG_); });
        case Opcode::Fsize: return f.text.size();
        case Opcode::Fstat: return put_stat(k, r, make_stat(f.name.empty() ? MODE_DIR | 0555 : MODE_FILE | 0444, f.text.size()));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/sys/" + f.name);
        case Opcode::Fevent: case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }
    void on_close(Kernel&, uint64_t n) override { m_open.erase(n); }

private:
    struct File {
        std::string name;
        std::string text;
    };
    static Result<uint64_t> control(Kernel& k, const std::string& file, const std::string& cmd, uint64_t len) {
        if (file == "fault") {
            auto r = k.faults().add(cmd);
            if (!r) {
                k.log(1, "sys:fault: " + r.error().message());
                return err(r.error().errnum);
            }
            k.log(2, "sys:fault: " + cmd);
            direct_revoke_all(k);  // injected faults need every call on the kernel path
            return len;
        }
        if (file == "trace") {
            if (cmd != "on" && cmd != "off") return err(EINVAL_);
            if (!k.tracer().available()) return err(ENODEV_);  // no --trace FILE
            k.tracer().set_enabled(cmd == "on");
            if (cmd == "on") direct_revoke_all(k);  // the trace records every call
            return len;
        }
        // time: "advance NS"
        uint64_t ns = 0;
        if (std::sscanf(cmd.c_str(), "advance %lu", &ns) != 1) return err(EINVAL_);
        auto r = k.advance_time(ns);
        if (!r) return err(r.error().errnum);
        return len;
    }
    uint64_t m_next = 1;
    std::map<uint64_t, File> m_open;
};

// proc: `/scheme/proc/` lists pids; `PID/status` and `PID/cmdline` describe a
// process. thisproc: the same files for the caller, under `current/`.
class ProcScheme final : public KernelScheme {
public:
    explicit ProcScheme(bool self) : KernelScheme(self ? "thisproc" : "proc"), m_self(self) {}

protected:
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t& extra) override {
        if (r.op == Opcode::Open) {
            std::string path = r.path;
            while (!path.empty() && path.back() == '/') path.pop_back();
            File f;
            if (path.empty()) {
                f.dir = true;
                if (m_self) f.names = {"current"};
                else for (Process* p : k.processes()) f.names.push_back(std::to_string(p->pid));
            } else {
                size_t slash = path.find('/');
                std::string who = path.substr(0, slash);
                std::string what = slash == std::string::npos ? "" : path.substr(slash + 1);
                uint32_t pid = 0;
                if (m_self) { if (who != "current") return err(ENOENT_); pid = r.pid; }
                else pid = uint32_t(std::strtoul(who.c_str(), nullptr, 10));
                Process* p = k.process(pid);
                if (!p) return err(ENOENT_);
                if (what.empty()) { f.dir = true; f.names = {"cmdline", "status"}; }
                else if (what == "status")
                    f.text = fmt::format("Name: {}\nState: {}\nPid: {}\nPPid: {}\nPgid: {}\nUid: {} {}\nGid: {} {}\nNs: {}\n",
                                         p->name, p->state != ProcState::Running ? "Z" : p->stopped ? "T" : "R", p->pid, p->ppid, p->pgid,
                                         p->ruid, p->euid, p->rgid, p->egid, p->rns);
                else if (what == "cmdline") { for (auto& a : p->argv) { f.text += a; f.text += '\0'; } }
                else return err(ENOENT_);
            }
            f.path = path;
            uint64_t id = m_next++;
            m_open[id] = std::move(f);
            extra = NEWFD_POSITIONED;
            return id;
        }
        auto it = m_open.find(r.number);
        if (it == m_open.end()) return err(EBADF_);
        File& f = it->second;
        switch (r.op) {
        case Opcode::Read:
            if (f.dir) return err(EISDIR_);
            return read_text(k, r, f.text, r.offset == ~0ull ? 0 : r.offset);
        case Opcode::Getdents:
            if (!f.dir) return err(ENOTDIR_);
            return put_dirents(k, r, f.names, [](const std::string&) { return uint8_t(DT_DIR_); });
        case Opcode::Fsize: return f.text.size();
        case Opcode::Fstat: return put_stat(k, r, make_stat(f.dir ? MODE_DIR | 0555 : MODE_FILE | 0444, f.text.size()));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/" + name() + "/" + f.path);
        case Opcode::Fevent: case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }
    void on_close(Kernel&, uint64_t n) override { m_open.erase(n); }

private:
    struct File {
        bool dir = false;
        std::string path;
        std::string text;
        std::vector<std::string> names;
    };
    bool m_self;
    uint64_t m_next = 1;
    std::map<uint64_t, File> m_open;
};

// initfs: the programs and scripts init needs before a root file system
// exists, read-only: a table of paths to host files (the build's sim
// programs) or inline content (init.rc, the root tree). Directories are
// implied by the paths. Anyone may read it, except files marked root_only (the
// root disk's password, as the bootloader hands it to redoxfs), which need uid 0.
// fmap of a host file hands out that file read-only: spawn execs the build's
// program itself, with no copy.
class InitfsScheme final : public KernelScheme, public Mappable {
public:
    explicit InitfsScheme(std::map<std::string, BootOptions::InitfsFile> files) : KernelScheme("initfs"), m_files(std::move(files)) {}
    ~InitfsScheme() override {
        for (auto& [id, f] : m_open) if (f.fd >= 0) ::close(f.fd);
    }

protected:
    struct File {
        int fd = -1;            // host file
        const std::string* data = nullptr;
        std::string rel;
        bool dir = false;
        std::vector<std::string> names;
    };
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t& extra) override {
        if (r.op == Opcode::Open) {
            std::string rel = r.path;
            while (!rel.empty() && rel.back() == '/') rel.pop_back();
            while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
            if ((r.args[0] & O_ACCMODE_) != O_RDONLY_ && !(r.args[0] & O_STAT_)) return err(EROFS_);
            File f;
            f.rel = rel;
            auto it = m_files.find(rel);
            if (it != m_files.end()) {
                if (it->second.root_only && r.uid != 0) return err(EACCES_);
                if (!it->second.host.empty()) {
                    f.fd = ::open(it->second.host.c_str(), O_RDONLY | O_CLOEXEC);
                    if (f.fd < 0) return err(EIO_, it->second.host);
                } else {
                    f.data = &it->second.data;
                }
            } else {
                std::string prefix = rel.empty() ? "" : rel + "/";
                std::set<std::string> names;
                for (auto& [path, file] : m_files) {
                    if (!path.starts_with(prefix)) continue;
                    std::string rest = path.substr(prefix.size());
                    names.insert(rest.substr(0, rest.find('/')));
                }
                if (names.empty()) return err(ENOENT_);
                f.dir = true;
                f.names.assign(names.begin(), names.end());
            }
            uint64_t id = m_next++;
            m_open[id] = std::move(f);
            extra = NEWFD_POSITIONED;
            return id;
        }
        auto it = m_open.find(r.number);
        if (it == m_open.end()) return err(EBADF_);
        File& f = it->second;
        auto size = [&]() -> uint64_t {
            if (f.data) return f.data->size();
            struct stat st;
            return f.fd >= 0 && fstat(f.fd, &st) == 0 ? uint64_t(st.st_size) : 0;
        };
        switch (r.op) {
        case Opcode::Read: {
            if (f.dir) return err(EISDIR_);
            uint64_t off = r.offset == ~0ull ? 0 : r.offset;
            if (f.data) return read_text(k, r, *f.data, off);
            uint64_t len = std::min<uint64_t>(r.len, 1 << 20);
            std::string buf(len, '\0');
            ssize_t n = pread(f.fd, buf.data(), len, off_t(off));
            if (n < 0) return err(EIO_);
            if (!k.copy_to(r.pid, r.buf, buf.data(), size_t(n))) return err(EFAULT_);
            return uint64_t(n);
        }
        case Opcode::Getdents:
            if (!f.dir) return err(ENOTDIR_);
            return put_dirents(k, r, f.names, [&](const std::string& n) {
                std::string full = f.rel.empty() ? n : f.rel + "/" + n;
                return uint8_t(m_files.count(full) ? DT_REG_ : DT_DIR_);
            });
        case Opcode::Fsize: return size();
        case Opcode::Fstat: return put_stat(k, r, make_stat(uint16_t(f.dir ? MODE_DIR | 0555 : MODE_FILE | 0555), size()));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/initfs/" + f.rel);
        case Opcode::Fevent: case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }
    Result<MapFd> mmap_fd(Kernel&, uint64_t number, uint64_t offset, uint64_t) override {
        auto it = m_open.find(number);
        if (it == m_open.end()) return err(EBADF_);
        const File& f = it->second;
        if (f.dir) return err(EISDIR_);
        if (f.fd >= 0) {
            int fd = fcntl(f.fd, F_DUPFD_CLOEXEC, 0);
            if (fd < 0) return err(EMFILE_);
            return MapFd{fd, offset};
        }
        int fd = memfd_create("redox-initfs", MFD_CLOEXEC);
        if (fd < 0) return err(ENOMEM_);
        if (!f.data->empty() && ::write(fd, f.data->data(), f.data->size()) != ssize_t(f.data->size())) {
            ::close(fd);
            return err(ENOMEM_);
        }
        return MapFd{fd, offset};
    }
    void on_close(Kernel&, uint64_t n) override {
        auto it = m_open.find(n);
        if (it == m_open.end()) return;
        if (it->second.fd >= 0) ::close(it->second.fd);
        m_open.erase(it);
    }

private:
    std::map<std::string, BootOptions::InitfsFile> m_files;
    uint64_t m_next = 1;
    std::map<uint64_t, File> m_open;
};

void register_sys_schemes(Kernel& k) {
    auto sys = std::make_shared<SysScheme>();
    auto proc = std::make_shared<ProcScheme>(false);
    auto self = std::make_shared<ProcScheme>(true);
    k.namespaces().add_kernel_scheme(sys, true, false);
    k.namespaces().add_kernel_scheme(proc, false, false);
    k.namespaces().add_kernel_scheme(self, true, false);
    k.add_scheme(sys);
    k.add_scheme(proc);
    k.add_scheme(self);
}

void register_initfs_scheme(Kernel& k) {
    auto s = std::make_shared<InitfsScheme>(k.options().initfs);
    k.namespaces().add_kernel_scheme(s, false, false);
    k.add_scheme(s);
}

} // namespace redox::kernel
