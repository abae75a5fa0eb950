// simtest: checks of the personality run inside a sim, one per subcommand.
// Each prints "ok NAME" on success or "FAIL NAME: why" and exits 1. The
// integration suite boots a sim with `--exec "simtest NAME"`.
#include "schemes/direct_client.h"
#include "schemes/exec_image.h"
#include "schemes/libredox.h"
#include "schemes/server.h"
#include "sim_check.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <fcntl.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace redox;
using namespace simcheck;

namespace {

std::string g_arg;   // the test's optional argument

int spawn_self(const std::vector<std::string>& args, std::vector<std::pair<int, int>> fds = {}) {
    sys::SpawnSpec s;
    s.path = "/usr/bin/simtest";
    s.argv = {"simtest"};
    s.argv.insert(s.argv.end(), args.begin(), args.end());
    s.fds = std::move(fds);
    return must(sys::spawn(s), "spawn simtest");
}

void t_pipe() {
    auto [r, w] = must(sys::pipe(), "pipe");
    int child = spawn_self({"child-write", "hello through a pipe"}, {{0, 0}, {1, w}, {2, 2}});
    must(sys::close(w), "close write end");
    std::string got = must(sys::read_all(r), "read pipe");
    expect(got == "hello through a pipe", "pipe carried '" + got + "'");
    auto [pid, st] = must(sys::waitpid(child, 0), "waitpid");
    expect(pid == child && sys::exited(st) && sys::exit_code(st) == 0, "child status");
    // The pipe scheme by path, and dup "write".
    int rd = must(sys::open("/scheme/pipe", O_RDWR_), "open /scheme/pipe");
    int wr = must(sys::dup(rd, "write"), "dup write");
    expect_err(sys::dup(rd, "write"), EBADF_, "second dup write");
    must(sys::write_all(wr, "abc"), "write");
    char buf[8];
    expect(must(sys::read(rd, buf, sizeof buf), "read") == 3 && !std::memcmp(buf, "abc", 3), "pipe data");
    must(sys::close(wr), "close");
    expect(must(sys::read(rd, buf, sizeof buf), "read eof") == 0, "EOF after close");
}

void t_files() {
    int fd = must(sys::open("/tmp/simtest.txt", O_CREAT_ | O_RDWR_ | O_TRUNC_, 0640), "create");
    must(sys::write_all(fd, "0123456789"), "write");
    expect(must(sys::lseek(fd, 0, 2), "lseek end") == 10, "SEEK_END via fsize");
    expect(must(sys::lseek(fd, 3, 0), "lseek set") == 3, "SEEK_SET");
    char buf[4] = {};
    expect(must(sys::read(fd, buf, 4), "read") == 4 && !std::memcmp(buf, "3456", 4), "positioned read");
    expect(must(sys::pread(fd, buf, 2, 8), "pread") == 2 && !std::memcmp(buf, "89", 2), "pread");
    auto st = must(sys::fstat(fd), "fstat");
    expect(st.st_size == 10 && (st.st_mode & 0777) == 0640 && (st.st_mode & MODE_TYPE) == MODE_FILE, "fstat fields");
    expect(must(sys::fpath(fd), "fpath") == "/scheme/file/tmp/simtest.txt", "fpath");
    must(sys::ftruncate(fd, 4), "ftruncate");
    expect(must(sys::fstat(fd), "fstat").st_size == 4, "truncated size");
    must(sys::fchmod(fd, 0600), "fchmod");
    auto vfs = must(sys::fstatvfs(fd), "fstatvfs");
    expect(vfs.f_bsize == 4096 && vfs.f_blocks > 0 && vfs.f_bfree <= vfs.f_blocks, "fstatvfs");
    int d = must(sys::dup(fd), "dup");
    must(sys::frename(fd, "/tmp/renamed.txt"), "frename");
    must(sys::flink(fd, "/tmp/linked.txt"), "flink");
    must(sys::close(fd), "close");
    must(sys::close(d), "close dup");
    expect(must(sys::stat("/tmp/linked.txt"), "stat link").st_nlink == 2, "hard link count");
    expect_err(sys::open("/tmp/simtest.txt", O_RDONLY_), ENOENT_, "old name gone");
    must(sys::unlink("/tmp/renamed.txt"), "unlink");
    must(sys::unlink("/tmp/linked.txt"), "unlink link");
    // Directories and getdents.
    int dir = must(sys::open("/tmp/sub", O_CREAT_ | O_DIRECTORY_ | O_RDONLY_, 0755), "mkdir");
    must(sys::close(dir), "close dir");
    for (auto n : {"a", "b", "c"}) must(sys::close(must(sys::open(std::string("/tmp/sub/") + n, O_CREAT_ | O_WRONLY_), "create")), "close");
    auto ents = must(sys::read_dir("/tmp/sub"), "read_dir");
    expect(ents.size() == 3 && ents[0].name == "a" && ents[2].name == "c", "getdents");
    expect_err(sys::unlink("/tmp/sub", AT_REMOVEDIR_), ENOTEMPTY_, "rmdir non-empty");
    // Symlinks to other schemes: /dev/null -> /scheme/null.
    int null = must(sys::open("/dev/null", O_RDWR_), "open /dev/null");
    expect(must(sys::fpath(null), "fpath null") == "/scheme/null/", "/dev/null is the null scheme");
    expect(must(sys::read(null, buf, 4), "read null") == 0, "null reads EOF");
    // openat relative to a directory handle.
    int sub = must(sys::open("/tmp/sub", O_RDONLY_ | O_DIRECTORY_), "open dir");
    int a = must(sys::openat(sub, "a", O_RDONLY_), "openat");
    expect(must(sys::fpath(a), "fpath openat") == "/scheme/file/tmp/sub/a", "openat path");
    // fsync, futimens, fcntl.
    must(sys::fsync(a), "fsync");
    TimeSpec ts[2] = {{1000, 0, 0}, {2000, 5, 0}};
    must(sys::futimens(a, ts), "futimens");
    expect(must(sys::fstat(a), "fstat").mtime == 2000, "mtime set");
    must(sys::fcntl(a, F_SETFL_, O_NONBLOCK_), "fcntl setfl");
    expect((must(sys::fcntl(a, F_GETFL_, 0), "getfl") & O_NONBLOCK_) != 0, "getfl nonblock");
}

// Scenario control: rules written to sys:fault fail matching calls.
void t_faults() {
    int ctl = must(sys::open("/scheme/sys/fault", O_WRONLY_), "open sys:fault");
    expect_err(sys::write_all(ctl, "zero read"), EINVAL_, "a rule without errno");
    expect_err(sys::write_all(ctl, "zero frobnicate EIO"), EINVAL_, "an unknown opcode");
    expect_err(sys::write_all(ctl, "zero read EWHAT"), EINVAL_, "an unknown errno");
    must(sys::write_all(ctl, "zero read EIO --after 1 --count 2"), "add a rule");
    int z = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    char buf[8];
    must(sys::read(z, buf, sizeof buf), "the first read passes (--after 1)");
    expect_err(sys::read(z, buf, sizeof buf), EIO_, "the second read fails");
    expect_err(sys::read(z, buf, sizeof buf), EIO_, "the third read fails");
    must(sys::read(z, buf, sizeof buf), "the fourth read passes (--count 2)");
    must(sys::write_all(ctl, "file open ENOSPC --path *fault-*"), "add a path rule");
    expect_err(sys::open("/tmp/fault-x", O_WRONLY_ | O_CREAT_), ENOSPC_, "open matching the glob");
    int other = must(sys::open("/tmp/other-x", O_WRONLY_ | O_CREAT_), "open not matching the glob");
    must(sys::close(other), "close");
    int list = must(sys::open("/scheme/sys/fault", O_RDONLY_), "open sys:fault to read");
    std::string rules = must(sys::read_all(list), "read rules");
    expect(rules.find("zero read EIO --count 2 --after 1 (matched 3, injected 2)") != std::string::npos,
           "rule listing: " + rules);
    must(sys::write_all(ctl, "clear"), "clear");
    int f = must(sys::open("/tmp/fault-y", O_WRONLY_ | O_CREAT_), "open after clear");
    must(sys::close(f), "close");
}

void expect_no_channels(const std::string& why);

// Virtual time: a 30 s sleep ends at once on the host, 30 s later on the sim's clocks.
void t_vtime() {
    auto clock_ns = [](const char* path) {
        int fd = must(sys::open(path, O_RDONLY_), std::string("open ") + path);
        TimeSpec ts{};
        must(sys::read(fd, &ts, sizeof ts), "read time");
        must(sys::close(fd), "close");
        return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
    };
    auto host0 = std::chrono::steady_clock::now();
    uint64_t m0 = clock_ns("/scheme/time/4");
    must(sys::sleep_ns(30'000'000'000ull), "sleep 30 s");
    uint64_t m1 = clock_ns("/scheme/time/4");
    double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - host0).count();
    expect(m1 - m0 >= 30'000'000'000ull, "the sim's clock moved " + std::to_string(m1 - m0) + " ns");
    expect(host_s < 10, "the host waited " + std::to_string(host_s) + " s");
    int t = must(sys::open("/scheme/sys/time", O_RDWR_), "open sys:time");
    must(sys::write_all(t, "advance 5000000000"), "advance 5 s");
    uint64_t m2 = clock_ns("/scheme/time/4");
    expect(m2 - m1 >= 5'000'000'000ull, "advance moved the clock");
    expect_no_channels("under virtual time");
}

void t_zero() {
    int z = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    std::string buf(8192, 'x');
    expect(must(sys::read(z, buf.data(), buf.size()), "read zero") == buf.size(), "zero count");
    expect(buf.find_first_not_of('\0') == std::string::npos, "zeros");
    int r = must(sys::open("/scheme/rand", O_RDONLY_), "open rand");
    char a[32], b[32];
    must(sys::read(r, a, 32), "rand");
    must(sys::read(r, b, 32), "rand");
    expect(std::memcmp(a, b, 32) != 0, "rand differs");
    // The legacy NAME: form.
    int z2 = must(sys::open("zero:", O_RDONLY_), "open zero:");
    expect(must(sys::fpath(z2), "fpath") == "/scheme/zero/", "legacy path");
}

void t_event() {
    auto [r, w] = must(sys::pipe(), "pipe");
    int q = must(sys::open("/scheme/event", O_RDWR_), "open event");
    Event sub{uint64_t(r), EVENT_READ, 42};
    must(sys::write(q, &sub, sizeof sub), "subscribe");
    int t = must(sys::open("/scheme/time/4", O_RDWR_), "open time");
    Event tsub{uint64_t(t), EVENT_READ, 7};
    must(sys::write(q, &tsub, sizeof tsub), "subscribe time");
    TimeSpec now{};
    must(sys::read(t, &now, sizeof now), "read time");
    TimeSpec deadline = now;
    deadline.tv_nsec += 20'000'000;
    if (deadline.tv_nsec >= 1'000'000'000) { deadline.tv_sec++; deadline.tv_nsec -= 1'000'000'000; }
    must(sys::write(t, &deadline, sizeof deadline), "arm timer");
    Event got{};
    expect(must(sys::read(q, &got, sizeof got), "event read") == sizeof got, "one event");
    expect(got.id == uint64_t(t) && got.data == 7 && (got.flags & EVENT_READ), "timer event first");
    must(sys::write_all(w, "x"), "write pipe");
    expect(must(sys::read(q, &got, sizeof got), "event read") == sizeof got, "pipe event");
    expect(got.id == uint64_t(r) && got.data == 42, "pipe event payload");
}

void t_ids() {
    auto ids = must(sys::ids(), "ids");
    expect(ids.pid > 1 && ids.euid == 0, "pid and uid");
    auto text = must(sys::read_all(must(sys::open("/scheme/sys/context", O_RDONLY_), "sys context")), "read context");
    expect(text.find(" init\n") != std::string::npos, "context lists init");
    std::string me = must(sys::read_all(must(sys::open("/scheme/thisproc/current/status", O_RDONLY_), "thisproc")), "read");
    expect(me.find("Pid: " + std::to_string(ids.pid)) != std::string::npos, "thisproc pid");
    auto schemes = must(sys::read_dir("/scheme/"), "list schemes");
    bool has_null = false;
    for (auto& s : schemes) has_null |= s.name == "null";
    expect(has_null, "scheme list has null");
    must(sys::setids(1000, 1000, 1000, 1000), "drop to uid 1000");
    expect_err(sys::setids(0, 0, 0, 0), EPERM_, "regain root");
    expect_err(sys::open("/scheme/debug", O_WRONLY_), EACCES_, "debug is root only");
    expect_err(sys::register_scheme("nope"), EACCES_, "register as user");
}

void t_namespace() {
    int keep = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    uint64_t ns = must(sys::mkns(std::vector<std::string>{"zero"}), "mkns");
    must(sys::setrens(ns, ns), "setrens mkns");
    must(sys::close(must(sys::open("/scheme/zero", O_RDONLY_), "zero in new ns")), "close");
    expect_err(sys::open("/scheme/null", O_RDONLY_), ENODEV_, "null not in new ns");
    must(sys::setrens(0, 0), "setrens null");
    expect_err(sys::open("/scheme/zero", O_RDONLY_), ENODEV_, "null namespace refuses opens");
    char c;
    expect(must(sys::read(keep, &c, 1), "old fd still works") == 1, "existing fd");
    must(sys::close(must(sys::open("/scheme/pipe", O_RDWR_), "pipe in null ns")), "close");
}

void t_fmap() {
    int m = must(sys::open("/scheme/memory", O_RDWR_), "open memory");
    auto a = must(sys::fmap(m, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap a");
    auto b = must(sys::fmap(m, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap b");
    std::memcpy(a.data(), "shared!", 8);
    expect(!std::memcmp(b.data(), "shared!", 8), "two mappings share pages");
    // A child maps the same object through an inherited fd and writes to it.
    int child = spawn_self({"child-fmap"}, {{0, 0}, {1, 1}, {2, 2}, {3, m}});
    auto [pid, st] = must(sys::waitpid(child, 0), "waitpid");
    expect(sys::exited(st) && sys::exit_code(st) == 0, "child fmap status");
    expect(!std::memcmp(a.data(), "child", 6), "child's write is visible");
    auto anon = must(sys::fmap(-1, 0, 8192, PROT_READ_ | PROT_WRITE_ | MAP_PRIVATE_), "anonymous fmap");
    static_cast<char*>(anon.data())[8191] = 1;
    // A read-only shared map cannot be made writable through its fd.
    auto ro = must(sys::fmap(m, 0, 4096, PROT_READ_ | MAP_SHARED_), "read-only fmap");
    expect(!std::memcmp(ro.data(), "child", 6), "the read-only map shares the pages");
    expect(::mprotect(ro.data(), 4096, PROT_READ | PROT_WRITE) != 0 && errno == EACCES,
           "mprotect of a read-only memory map to writable is refused");
    // The same through a daemon's file (the root file system's mmap_prep).
    int f = must(sys::open("/tmp/fmap-ro", O_RDWR_ | O_CREAT_ | O_TRUNC_, 0644), "create /tmp/fmap-ro");
    must(sys::write_all(f, std::string(4096, 'r')), "fill /tmp/fmap-ro");
    auto fro = must(sys::fmap(f, 0, 4096, PROT_READ_ | MAP_SHARED_), "read-only fmap of a file");
    expect(static_cast<const char*>(fro.data())[4095] == 'r', "the file's bytes");
    expect(::mprotect(fro.data(), 4096, PROT_READ | PROT_WRITE) != 0 && errno == EACCES,
           "mprotect of a read-only file map to writable is refused");
    auto frw = must(sys::fmap(f, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "writable fmap of a file");
    static_cast<char*>(frw.data())[0] = 'w';
    expect(static_cast<const char*>(fro.data())[0] == 'w', "a writable map's store shows in the read-only map");
    must(sys::close(f), "close");
}

// DMA memory: physically contiguous objects get sim physical addresses that
// translation finds from any mapping, and `physical` maps them again.
void t_dma() {
    int a = must(sys::open("/scheme/memory/zeroed?phys_contiguous", O_RDWR_), "open DMA memory");
    auto ma = must(sys::fmap(a, 0, 8192, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap DMA memory");
    int b = must(sys::open("/scheme/memory/zeroed@uc?phys_contiguous", O_RDWR_), "open uncached DMA memory");
    auto mb = must(sys::fmap(b, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap second DMA memory");
    int t = must(sys::open("/scheme/memory/translation", O_RDWR_), "open translation");
    auto phys = [t](const void* p) {
        uint64_t v = reinterpret_cast<uintptr_t>(p);
        must(sys::call(t, &v, sizeof v, 0, {}), "translation call");
        return v;
    };
    auto* pa = static_cast<char*>(ma.data());
    uint64_t pa0 = phys(pa), pb0 = phys(mb.data());
    expect(pa0 % 4096 == 0 && pa0 >= (1ull << 32), "DMA memory has a page-aligned physical address above 4 GiB");
    expect(phys(pa + 4096 + 5) == pa0 + 4096 + 5, "DMA memory is physically contiguous");
    expect(pb0 >= pa0 + 8192 || pb0 + 4096 <= pa0, "two DMA ranges do not overlap");
    // The same pages through `physical`, by physical address.
    std::memcpy(pa + 4096, "dma!", 5);
    int ph = must(sys::open("/scheme/memory/physical", O_RDWR_), "open physical");
    auto again = must(sys::fmap(ph, pa0 + 4096, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap physical");
    expect(!std::memcmp(again.data(), "dma!", 5), "physical maps the DMA pages");
    expect_err(sys::fmap(ph, pa0 + 8192, 4096, PROT_READ_ | MAP_SHARED_), EFAULT_, "physical outside any DMA range");
    // A contiguous object keeps the size of its first map.
    expect_err(sys::fmap(a, 0, 16384, PROT_READ_ | MAP_SHARED_), EINVAL_, "growing DMA memory");
    // Plain memory and the stack have no physical address in the sim.
    int plain = must(sys::open("/scheme/memory/zeroed", O_RDWR_), "open memory");
    auto mp = must(sys::fmap(plain, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap memory");
    uint64_t v = reinterpret_cast<uintptr_t>(mp.data());
    expect_err(sys::call(t, &v, sizeof v, 0, {}), EFAULT_, "translation of plain memory");
    v = reinterpret_cast<uintptr_t>(&v);
    expect_err(sys::call(t, &v, sizeof v, 0, {}), EFAULT_, "translation of the stack");
    expect_err(sys::call(t, &v, 4, 0, {}), EINVAL_, "translation payload of 4 bytes");
    expect_err(sys::open("/scheme/memory/zeroed?contiguous", O_RDWR_), EINVAL_, "unknown memory option");
    expect_err(sys::open("/scheme/memory/zeroed@xx", O_RDWR_), EINVAL_, "unknown memory type");
    expect_err(sys::open("/scheme/memory/bogus", O_RDWR_), ENOENT_, "unknown memory path");
    // A closed range is free again: the same size lands where it was.
    ma = sys::MappedRegion();
    must(sys::close(a), "close the first DMA memory");
    int c = must(sys::open("/scheme/memory/zeroed?phys_contiguous", O_RDWR_), "open DMA memory again");
    auto mc = must(sys::fmap(c, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap it");
    expect(phys(mc.data()) == pa0, "a freed physical range is handed out again");
    expect(!std::memcmp(mc.data(), std::string(4096, '\0').data(), 4096), "reused DMA memory comes zeroed");
    for (int fd : {b, c, t, ph, plain}) must(sys::close(fd), "close");
}

// memory:device, the platform pcid gives host hardware to: device registers
// (here a memfd standing in for a VFIO BAR region) placed below 4 GiB and
// mapped through `physical`; a container that is not VFIO's refused.
void t_platform() {
    int regs = ::memfd_create("fake-bar", MFD_CLOEXEC);
    expect(regs >= 0 && ::ftruncate(regs, 3 * 4096) == 0, "a memfd for the registers");
    expect(::pwrite(regs, "regs", 4, 4096) == 4, "registers written on the host");
    int dev = must(sys::open("/scheme/memory/device", O_RDWR_), "open memory:device");
    const uint64_t add[2] = {2, uint64_t(regs)};
    uint64_t bar0[2] = {4096, 8192};
    expect(must(sys::call(dev, bar0, sizeof bar0, 0, add), "place 8 KiB of registers") == 16, "placed: 16 bytes back");
    uint64_t phys0 = bar0[0];
    expect(phys0 >= 0xC000'0000ull && phys0 + 8192 <= 0xFEC0'0000ull && phys0 % 8192 == 0 && bar0[1] == 8192,
           "registers lie in the PCI hole, aligned to their size");
    uint64_t bar1[2] = {0, 4096};
    must(sys::call(dev, bar1, sizeof bar1, 0, add), "place 4 KiB of registers");
    expect(bar1[0] >= phys0 + 8192 || bar1[0] + 4096 <= phys0, "two register ranges do not overlap");
    int ph = must(sys::open("/scheme/memory/physical@uc", O_RDWR_), "open physical@uc");
    {
        auto m = must(sys::fmap(ph, phys0, 8192, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "map the registers");
        expect(!std::memcmp(m.data(), "regs", 4), "physical shows the registers at the region's offset");
        std::memcpy(static_cast<char*>(m.data()) + 4100, "back", 4);
        char got[4] = {};
        expect(::pread(regs, got, 4, 8196) == 4 && !std::memcmp(got, "back", 4), "a store reaches the host's file");
    }
    expect_err(sys::fmap(ph, phys0 + 4096, 8192, PROT_READ_ | MAP_SHARED_), EFAULT_, "a map past the registers");
    std::string iomem = must(sys::read_all(must(sys::open("/scheme/sys/iomem", O_RDONLY_), "open sys:iomem")), "read iomem");
    char line[64];
    std::snprintf(line, sizeof line, "%012llx-%012llx mmio pid ", (unsigned long long)phys0,
                  (unsigned long long)(phys0 + 8191));
    expect(iomem.find(line) != std::string::npos,
           "sys:iomem lists the registers");
    // Refusals: a container that is not VFIO's, bad ranges, an unknown request.
    const uint64_t attach[2] = {1, uint64_t(regs)};
    expect_err(sys::call(dev, nullptr, 0, 0, attach), EINVAL_, "a memfd as IOMMU container");
    uint64_t odd[2] = {100, 4096}, empty[2] = {0, 0};
    expect_err(sys::call(dev, odd, sizeof odd, 0, add), EINVAL_, "registers at an unaligned offset");
    expect_err(sys::call(dev, empty, sizeof empty, 0, add), EINVAL_, "registers of size 0");
    expect_err(sys::call(dev, odd, 8, 0, add), EINVAL_, "a short payload");
    const uint64_t unknown[2] = {7, uint64_t(regs)};
    expect_err(sys::call(dev, nullptr, 0, 0, unknown), EINVAL_, "request 7");
    expect_err(sys::open("/scheme/memory/device?phys_contiguous", O_RDWR_), EINVAL_, "device with an option");
    // Closing the handle takes its registers out of the address space.
    must(sys::close(dev), "close memory:device");
    expect_err(sys::fmap(ph, phys0, 4096, PROT_READ_ | MAP_SHARED_), EFAULT_, "registers gone with their handle");
    must(sys::close(ph), "close physical");
    ::close(regs);
}

// A batch of reads on a disk scheme (simtest disk-batch DISK): the same bytes
// as single reads, and the batch reaches the device together: an NVMe disk
// raises far fewer interrupts than there are reads (one per doorbell).
void t_disk_batch(const std::string& path) {
    constexpr size_t kN = 48, kB = 4096;
    int fd = must(sys::open(path, O_RDONLY_), "open the disk");
    uint64_t size = must(sys::fstat(fd), "fstat the disk").st_size;
    expect(size >= 1024 * kB, "a disk of 4 MiB or more");
    auto at = [](size_t i) { return uint64_t(i * 37 % 1000) * kB; };
    std::vector<char> ref(kN * kB + kB), got(kN * kB + kB), tail(kB);
    for (size_t i = 0; i < kN; ++i)
        expect(must(sys::pread(fd, ref.data() + i * kB, kB, at(i)), "single read") == kB, "a whole single read");
    expect(must(sys::pread(fd, ref.data() + kN * kB, kB, 100), "unaligned read") == kB, "an unaligned read");
    // The vectors' counts, brought up to date: a vector counts what its
    // eventfds carried when someone reads it (nvmed often finds its completions
    // before it looks at the interrupt), so each is read through a handle of
    // our own first.
    auto interrupts = [] {
        auto table = [] {
            std::string text = must(sys::read_all(must(sys::open("/scheme/sys/irq", O_RDONLY_), "sys:irq")), "irq");
            std::map<std::string, uint64_t> counts;
            std::istringstream in(text);
            std::string key, rest;
            uint64_t count = 0;
            while (in >> key >> count && std::getline(in, rest))
                if (key.starts_with("cpu-00/")) counts[key] = count;
            return counts;
        };
        for (auto& [key, count] : table()) {
            int h = must(sys::open("/scheme/irq/" + key, O_RDWR_), "open " + key);
            uint64_t seen = 0;
            (void)sys::read(h, &seen, sizeof seen);
            must(sys::close(h), "close " + key);
        }
        uint64_t sum = 0;
        for (auto& [key, count] : table()) sum += count;
        return sum;
    };
    uint64_t before = interrupts();
    std::vector<Sqe> sqes(kN + 2);
    std::vector<Cqe> done(kN + 2);
    auto read_at = [&](size_t i, char* buf, uint64_t pos) {
        sqes[i] = Sqe{};
        sqes[i].opcode = uint8_t(Opcode::Read);
        sqes[i].args[0] = uint64_t(fd);
        sqes[i].args[1] = reinterpret_cast<uint64_t>(buf);
        sqes[i].args[2] = kB;
        sqes[i].args[3] = pos;
    };
    for (size_t i = 0; i < kN; ++i) read_at(i, got.data() + i * kB, at(i));
    read_at(kN, got.data() + kN * kB, 100);   // a partial block at each end
    read_at(kN + 1, tail.data(), size);       // at the end: nothing
    sys::call_batch(sqes, done);
    uint64_t after = interrupts();
    bool whole = true;
    for (size_t i = 0; i <= kN; ++i) whole = whole && !is_error(done[i].result) && done[i].result == kB;
    expect(whole, "every read of the batch is whole");
    expect(!std::memcmp(ref.data(), got.data(), ref.size()), "the batch reads the bytes single reads read");
    expect(!is_error(done[kN + 1].result) && done[kN + 1].result == 0, "a read at the end reads nothing");
    expect(after - before < kN / 4, "the batch reached the device together (" + std::to_string(after - before) +
                                        " interrupts for " + std::to_string(kN) + " reads)");
    must(sys::close(fd), "close the disk");
}

// irq: vectors allocated with O_CREAT, a host eventfd bound to one, its
// interrupts counted, delivered through an event queue and acknowledged.
void t_irq() {
    auto top = must(sys::read_dir("/scheme/irq"), "list irq");
    auto has = [](const std::vector<sys::Dirent>& l, const std::string& n) {
        return std::any_of(l.begin(), l.end(), [&](const sys::Dirent& d) { return d.name == n; });
    };
    expect(has(top, "bsp") && has(top, "cpu-00"), "irq lists bsp and cpu-00");
    int bsp = must(sys::open("/scheme/irq/bsp", O_RDONLY_), "open bsp");
    uint64_t cpu = 99;
    expect(must(sys::read(bsp, &cpu, sizeof cpu), "read bsp") == 8 && cpu == 0, "bsp reads CPU 0");
    int h = must(sys::open("/scheme/irq/cpu-00/40", O_RDWR_ | O_CREAT_), "allocate vector 40");
    expect_err(sys::open("/scheme/irq/cpu-00/40", O_RDWR_ | O_CREAT_), EEXIST_, "vector 40 twice");
    expect(!has(must(sys::read_dir("/scheme/irq/cpu-00"), "list cpu-00"), "40"), "vector 40 is no longer free");
    expect_err(sys::open("/scheme/irq/cpu-00/41", O_RDWR_), ENOENT_, "an unallocated vector");
    expect_err(sys::open("/scheme/irq/cpu-00/300", O_RDWR_ | O_CREAT_), ENOENT_, "vector 300");
    expect_err(sys::open("/scheme/irq/16", O_RDWR_), ENOENT_, "legacy line 16");
    must(sys::close(must(sys::open("/scheme/irq/5", O_RDWR_), "legacy line 5")), "close line 5");

    int trigger = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), unmask = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    expect(trigger >= 0 && unmask >= 0, "host eventfds");
    const uint64_t bad[2] = {3, uint64_t(trigger)}, gone[2] = {1, 9999};
    expect_err(sys::call(h, nullptr, 0, 0, bad), EINVAL_, "bind kind 3");
    expect_err(sys::call(h, nullptr, 0, 0, gone), EBADF_, "bind an fd that does not exist");
    const uint64_t bind[2] = {1, uint64_t(trigger)}, bind_unmask[2] = {2, uint64_t(unmask)};
    must(sys::call(h, nullptr, 0, 0, bind), "bind the trigger");
    must(sys::call(h, nullptr, 0, 0, bind_unmask), "bind the unmask eventfd");
    uint64_t count = 0;
    expect(must(sys::read(h, &count, sizeof count), "read a quiet vector") == 0, "a quiet vector reads 0 bytes");

    // The count page: read-only, updated before the interrupt is delivered.
    auto page = must(sys::fmap(h, 0, 4096, PROT_READ_ | MAP_SHARED_), "fmap the vector's count page");
    expect(!sys::fmap(h, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "the count page cannot be mapped writable");
    auto published = [&page] { return __atomic_load_n(static_cast<const uint64_t*>(page.data()), __ATOMIC_SEQ_CST); };
    expect(published() == 0, "a quiet vector's page shows 0");
    int q = must(sys::open("/scheme/event", O_RDWR_), "event queue");
    Event sub{uint64_t(h), EVENT_READ, 7};
    must(sys::write(q, &sub, sizeof sub), "subscribe the vector");
    for (uint64_t round = 1; round <= 2; ++round) {
        const uint64_t one = 1;
        expect(::write(trigger, &one, sizeof one) == 8, "fire");
        Event got{};
        expect(must(sys::read(q, &got, sizeof got), "wait for the interrupt") == sizeof got && got.data == 7 &&
                   (got.flags & EVENT_READ),
               "the interrupt reaches the event queue");
        expect(must(sys::read(h, &count, sizeof count), "read the vector") == 8 && count == round,
               "the vector counts interrupts");
        expect(published() == round, "the page shows the count");
        uint64_t n = 0;
        expect(::read(unmask, &n, sizeof n) < 0, "no unmask before the acknowledge");
        must(sys::write(h, &count, sizeof count), "acknowledge");
        expect(::read(unmask, &n, sizeof n) == 8 && n == 1, "the acknowledge unmasks");
        expect(must(sys::read(h, &count, sizeof count), "read after the acknowledge") == 0, "acknowledged");
    }
    // Interrupts that come while the vector is pending are counted by the read.
    {
        const uint64_t one = 1;
        expect(::write(trigger, &one, sizeof one) == 8, "fire");
        Event got{};
        must(sys::read(q, &got, sizeof got), "wait for the third interrupt");
        expect(::write(trigger, &one, sizeof one) == 8, "fire while pending");
        expect(must(sys::read(h, &count, sizeof count), "read the vector") == 8 && count == 4,
               "both interrupts counted: " + std::to_string(count));
        must(sys::write(h, &count, sizeof count), "acknowledge");
    }
    std::string table;
    {
        int s = must(sys::open("/scheme/sys/irq", O_RDONLY_), "open sys:irq");
        char buf[4096];
        size_t n = must(sys::read(s, buf, sizeof buf), "read sys:irq");
        table.assign(buf, n);
        must(sys::close(s), "close");
    }
    expect(table.find("cpu-00/40") != std::string::npos && table.find(" 4 ") != std::string::npos,
           "sys:irq shows vector 40 with 4 interrupts: " + table);
    must(sys::close(q), "close the queue");  // its subscription holds the vector's file too
    must(sys::close(h), "close the vector");
    expect(has(must(sys::read_dir("/scheme/irq/cpu-00"), "list cpu-00"), "40"), "closing frees vector 40");
    must(sys::close(must(sys::open("/scheme/irq/cpu-00/40", O_RDWR_ | O_CREAT_), "allocate 40 again")), "close");
    must(sys::close(bsp), "close");

    // A shared legacy line: each handle acknowledges for itself and unmasks only
    // what was bound through it.
    {
        int la = must(sys::open("/scheme/irq/7", O_RDWR_), "open line 7");
        int lb = must(sys::open("/scheme/irq/7", O_RDWR_), "open line 7 again");
        int ta = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), ua = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        int tb = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), ub = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        for (auto [h, t, u] : {std::tuple{la, ta, ua}, std::tuple{lb, tb, ub}}) {
            const uint64_t bt[2] = {1, uint64_t(t)}, bu[2] = {2, uint64_t(u)};
            must(sys::call(h, nullptr, 0, 0, bt), "bind a line 7 trigger");
            must(sys::call(h, nullptr, 0, 0, bu), "bind a line 7 unmask");
        }
        int lq = must(sys::open("/scheme/event", O_RDWR_), "event queue");
        Event sub{uint64_t(lb), EVENT_READ, 9};
        must(sys::write(lq, &sub, sizeof sub), "subscribe line 7 (second handle)");
        const uint64_t one = 1;
        expect(::write(ta, &one, sizeof one) == 8, "fire the first device");
        Event got{};
        expect(must(sys::read(lq, &got, sizeof got), "wait on the second handle") == sizeof got && got.data == 9,
               "an interrupt on a shared line reaches every handle");
        uint64_t ca = 0, cb = 0, n = 0;
        expect(must(sys::read(la, &ca, 8), "read line 7") == 8 && must(sys::read(lb, &cb, 8), "read line 7") == 8 &&
                   ca == cb && ca >= 1,
               "both handles see the line's count");
        must(sys::write(la, &ca, 8), "acknowledge on the first handle");
        expect(::read(ua, &n, 8) == 8 && ::read(ub, &n, 8) < 0, "the first acknowledge unmasks only its own source");
        expect(must(sys::read(la, &ca, 8), "read") == 0 && must(sys::read(lb, &cb, 8), "read") == 8,
               "the second handle is still pending");
        must(sys::write(lb, &cb, 8), "acknowledge on the second handle");
        expect(::read(ub, &n, 8) == 8, "the second acknowledge unmasks the second source");
        for (int fd : {lq, la, lb}) must(sys::close(fd), "close");
        for (int fd : {ta, ua, tb, ub}) ::close(fd);
    }

    // A driver killed with its vector bound: the vector is freed and the
    // kernel-sim drops its copy of the eventfd (and the poll on it).
    auto [r, w] = must(sys::pipe(), "pipe");
    int child = spawn_self({"child-irq"}, {{0, 0}, {1, w}, {2, 2}});
    must(sys::close(w), "close write end");
    char c = 0;
    expect(must(sys::read(r, &c, 1), "wait for the child's bind") == 1 && c == 'b', "the child bound vector 50");
    auto sys_irq = [] {
        int s = must(sys::open("/scheme/sys/irq", O_RDONLY_), "open sys:irq");
        char buf[4096];
        size_t n = must(sys::read(s, buf, sizeof buf), "read sys:irq");
        must(sys::close(s), "close");
        return std::string(buf, n);
    };
    expect(sys_irq().find("cpu-00/50") != std::string::npos, "sys:irq lists the child's vector");
    must(sys::kill(child, SIGKILL), "kill -9 the child");
    must(sys::waitpid(child, 0), "waitpid");
    expect(sys_irq().find("cpu-00/50") == std::string::npos, "the dead child's vector is gone: " + sys_irq());
    must(sys::close(must(sys::open("/scheme/irq/cpu-00/50", O_RDWR_ | O_CREAT_), "allocate 50 again")), "close");
    must(sys::close(r), "close");
    ::close(trigger);
    ::close(unmask);
}

// Threads: a thread blocked in a call does not hold up its siblings' calls,
// batches or fmaps, and each thread gets its own answers and mapped fds.
void t_threads() {
    auto [r, w] = must(sys::pipe(), "pipe");
    std::string got;
    std::thread reader([&, r = r] {
        char buf[8];
        auto n = sys::read(r, buf, sizeof buf);
        got = n ? std::string(buf, *n) : "error " + n.error().message();
    });
    // Give the reader time to block in its read.
    must(sys::sleep_ns(50'000'000), "sleep");
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 200; ++i) must(sys::close(must(sys::open("/scheme/null", O_WRONLY_), "open null")), "close");
    std::vector<Sqe> calls(64);
    std::vector<Cqe> done(64);
    std::vector<uint64_t> sink(64);
    int zero = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    for (size_t i = 0; i < calls.size(); ++i) {
        calls[i] = Sqe{};
        calls[i].opcode = uint8_t(Opcode::Read);
        calls[i].args[0] = uint64_t(zero);
        calls[i].args[1] = reinterpret_cast<uint64_t>(&sink[i]);
        calls[i].args[2] = sizeof sink[i];
        calls[i].args[3] = ~uint64_t(0);
        sink[i] = 1;
    }
    sys::call_batch(calls, done);
    for (size_t i = 0; i < done.size(); ++i)
        expect(!is_error(done[i].result) && done[i].result == 8 && sink[i] == 0, "a batch beside a blocked thread");
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    expect(took < 5.0, "calls beside a blocked thread took " + std::to_string(took) + " s");
    expect(got.empty(), "the reader is still blocked");
    must(sys::write_all(w, "wake"), "write the pipe");
    reader.join();
    expect(got == "wake", "the blocked reader got its data: " + got);

    // Four threads fmap their own memory objects at once; each must always
    // get its own pages back.
    std::atomic<int> bad{0};
    std::vector<std::thread> mappers;
    for (int k = 0; k < 4; ++k)
        mappers.emplace_back([k, &bad] {
            auto m = sys::open("/scheme/memory", O_RDWR_);
            if (!m) { ++bad; return; }
            {
                auto first = sys::fmap(*m, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_);
                if (!first) { ++bad; return; }
                std::memset(first->data(), 'a' + k, 4096);
            }
            for (int i = 0; i < 100; ++i) {
                auto again = sys::fmap(*m, 0, 4096, PROT_READ_ | MAP_SHARED_);
                if (!again || static_cast<const char*>(again->data())[100] != 'a' + k) ++bad;
            }
            (void)sys::close(*m);
        });
    for (auto& t : mappers) t.join();
    expect(bad == 0, std::to_string(bad.load()) + " fmaps of 400 failed or mapped another thread's object");
    for (int fd : {r, w, zero}) must(sys::close(fd), "close");
}

// A daemon in a child: serves "slow" where every read parks until cancelled
// or the daemon dies.
class SlowScheme : public SchemeServer {
public:
    Result<OpenResult> open(std::string_view, uint64_t, uint16_t, const CallerCtx&) override { return OpenResult{1, 0}; }
    Result<size_t> read(uint64_t, std::span<uint8_t>, uint64_t, uint64_t, const CallerCtx&) override { return err(EWOULDBLOCK_); }
};

void child_daemon(const std::string& name) {
    SlowScheme s;
    auto r = s.serve(name, [] { (void)sys::write_all(3, "r"); (void)sys::close(3); });
    if (!r) sys::exit(3);
    sys::exit(0);
}

// A daemon that serves NAME only once another daemon serves OTHER: started by
// init right before OTHER's daemon, it is ready only if both start together.
void child_daemon_after(const std::string& name, const std::string& other) {
    for (int i = 0; i < 2000; ++i) {
        auto list = sys::read_dir("/scheme");
        if (list && std::any_of(list->begin(), list->end(), [&](const auto& e) { return e.name == other; }))
            child_daemon(name);
        (void)sys::sleep_ns(10'000'000);
    }
    sys::exit(4);
}

int start_daemon(const std::string& name) {
    auto [r, w] = must(sys::pipe(), "pipe");
    int pid = spawn_self({"child-daemon", name}, {{0, 0}, {1, 1}, {2, 2}, {3, w}});
    must(sys::close(w), "close");
    char c;
    expect(must(sys::read(r, &c, 1), "daemon ready") == 1, "daemon readiness");
    must(sys::close(r), "close");
    return pid;
}

void t_crash() {
    int daemon = start_daemon("slow");
    int fd = must(sys::open("/scheme/slow", O_RDONLY_), "open slow");
    // A reader blocks on the daemon; killing the daemon fails it with EIO.
    auto [r, w] = must(sys::pipe(), "pipe");
    int reader = spawn_self({"child-read", "/scheme/slow"}, {{0, 0}, {1, w}, {2, 2}});
    char o;
    expect(must(sys::read(r, &o, 1), "reader opened") == 1 && o == 'o', "reader opened the scheme");
    must(sys::sleep_ns(100'000'000), "sleep");
    must(sys::kill(daemon, SIGKILL), "kill -9 daemon");
    must(sys::waitpid(daemon, 0), "reap daemon");
    must(sys::close(w), "close");
    std::string got = must(sys::read_all(r), "reader output");
    expect(got == "errno 5", "blocked reader got '" + got + "', expected EIO");
    must(sys::waitpid(reader, 0), "reap reader");
    char c;
    expect_err(sys::read(fd, &c, 1), EIO_, "read on dead scheme");
    expect_err(sys::open("/scheme/slow", O_RDONLY_), ENODEV_, "scheme unregistered");
    // The rest of the system runs on.
    must(sys::close(must(sys::open("/scheme/zero", O_RDONLY_), "zero still works")), "close");
    // The name can be registered again.
    int again = start_daemon("slow");
    must(sys::kill(again, SIGKILL), "kill");
    must(sys::waitpid(again, 0), "reap");
}

void t_cancel() {
    int daemon = start_daemon("slow2");
    auto [r, w] = must(sys::pipe(), "pipe");
    int reader = spawn_self({"child-read-sigint", "/scheme/slow2"}, {{0, 0}, {1, w}, {2, 2}});
    char o;
    expect(must(sys::read(r, &o, 1), "reader opened") == 1 && o == 'o', "reader opened the scheme");
    must(sys::sleep_ns(100'000'000), "sleep");
    must(sys::kill(reader, SIGINT), "SIGINT the reader");
    must(sys::close(w), "close");
    std::string got = must(sys::read_all(r), "reader output");
    expect(got == "errno 4", "cancelled reader got '" + got + "', expected EINTR");
    must(sys::waitpid(reader, 0), "reap");
    must(sys::kill(daemon, SIGKILL), "kill");
    must(sys::waitpid(daemon, 0), "reap");
}

// A signal to a process with several threads interrupts the blocked call of
// the one thread that takes it (POSIX: a process-directed signal goes to one
// thread), not every thread's.
std::atomic<long> g_handler_tid{0};

void t_thread_signal() {
    struct sigaction sa{};
    sa.sa_handler = [](int) { g_handler_tid = ::gettid(); };
    sigemptyset(&sa.sa_mask);
    expect(::sigaction(SIGUSR1, &sa, nullptr) == 0, "a SIGUSR1 handler");
    struct Reader {
        std::atomic<int> result{-1000};
        std::atomic<long> tid{0};
    };
    Reader a, b;
    auto run = [](Reader& me, int fd) {
        me.tid = ::gettid();
        char c;
        auto n = sys::read(fd, &c, 1);
        me.result = n ? int(*n) : -int(n.error().errnum);
    };
    auto [r1, w1] = must(sys::pipe(), "pipe 1");
    auto [r2, w2] = must(sys::pipe(), "pipe 2");
    std::thread ta(run, std::ref(a), r1), tb(run, std::ref(b), r2);
    must(sys::sleep_ns(200'000'000), "let both readers block");
    must(sys::kill(int(must(sys::ids(), "ids").pid), SIGUSR1), "SIGUSR1 this process");
    must(sys::sleep_ns(200'000'000), "let the signal land");
    int ra = a.result, rb = b.result;
    expect((ra == -EINTR_) != (rb == -EINTR_), "exactly one blocked thread was interrupted (results " +
                                                     std::to_string(ra) + ", " + std::to_string(rb) + ")");
    long interrupted = ra == -EINTR_ ? a.tid : b.tid;
    expect(g_handler_tid == interrupted, "the handler ran on the interrupted thread");
    must(sys::write(w1, "x", 1), "write pipe 1");
    must(sys::write(w2, "y", 1), "write pipe 2");
    ta.join();
    tb.join();
    expect((a.result == 1) != (b.result == 1), "the other thread's read went on and got its byte");
    for (int fd : {r1, w1, r2, w2}) must(sys::close(fd), "close");
}

// A daemon that answers garbage: an unknown tag, then a bad CqeOpcode.
void child_garbage() {
    auto sock = sys::register_scheme("garbage");
    if (!sock) sys::exit(3);
    (void)sys::write_all(3, "r");
    (void)sys::close(3);
    for (;;) {
        uint32_t seen = sys::wake_word().seq.load();
        while (auto sqe = sock->shared->requests.pop()) {
            if (sqe->opcode == uint8_t(Opcode::CloseMsg) || sqe->opcode == uint8_t(Opcode::Cancel)) continue;
            Cqe junk{};
            junk.tag = 0xdead;
            junk.result = 1;
            sock->shared->responses.push(junk);
            Cqe bad{};
            bad.flags = 7;
            bad.tag = sqe->tag;
            sock->shared->responses.push(bad);
            sys::notify_kernel();
        }
        sys::wake_word().wait(seen);
    }
}

void t_garbage() {
    auto [r, w] = must(sys::pipe(), "pipe");
    int d = spawn_self({"child-garbage"}, {{0, 0}, {1, 1}, {2, 2}, {3, w}});
    must(sys::close(w), "close");
    char c;
    must(sys::read(r, &c, 1), "ready");
    expect_err(sys::open("/scheme/garbage", O_RDONLY_), EIO_, "garbage answer fails the request");
    must(sys::close(must(sys::open("/scheme/zero", O_RDONLY_), "zero still works")), "close");
    must(sys::kill(d, SIGKILL), "kill");
    must(sys::waitpid(d, 0), "reap");
}

void t_wait() {
    int a = spawn_self({"child-exit", "7"});
    auto [pid, st] = must(sys::waitpid(-1, 0), "wait any");
    expect(pid == a && sys::exited(st) && sys::exit_code(st) == 7, "exit status 7");
    expect_err(sys::waitpid(-1, 0), ECHILD_, "no more children");
    int b = spawn_self({"child-sleep"});
    expect(must(sys::waitpid(b, sys::WNOHANG_), "wnohang").first == 0, "WNOHANG while running");
    must(sys::kill(b, SIGTERM), "SIGTERM");
    auto [p2, st2] = must(sys::waitpid(b, 0), "wait killed");
    expect(p2 == b && !sys::exited(st2) && sys::term_signal(st2) == SIGTERM, "killed by SIGTERM");
    expect_err(sys::kill(99999, SIGTERM), ESRCH_, "kill unknown pid");

    // Job control: a stop and a continue are each reported once, to waiters
    // that ask for them; a plain waitpid keeps waiting for the exit.
    int c = spawn_self({"child-sleep"});
    must(sys::kill(c, SIGSTOP), "SIGSTOP");
    auto [p3, st3] = must(sys::waitpid(c, sys::WUNTRACED_), "wait stopped");
    expect(p3 == c && (st3 & 0xff) == 0x7f && ((st3 >> 8) & 0xff) == SIGSTOP,
           "WUNTRACED reports the stop, status " + std::to_string(st3));
    expect(must(sys::waitpid(c, sys::WNOHANG_ | sys::WUNTRACED_), "stop reported twice?").first == 0,
           "a stop is reported once");
    {
        int st = must(sys::open("/scheme/proc/" + std::to_string(c) + "/status", O_RDONLY_), "proc status");
        std::string text = must(sys::read_all(st), "read status");
        must(sys::close(st), "close");
        expect(text.find("State: T\n") != std::string::npos, "a stopped process shows State: T, got " + text);
    }
    must(sys::kill(c, SIGCONT), "SIGCONT");
    auto [p4, st4] = must(sys::waitpid(c, sys::WCONTINUED_), "wait continued");
    expect(p4 == c && st4 == 0xffff, "WCONTINUED reports the continue, status " + std::to_string(st4));
    must(sys::kill(c, SIGKILL), "SIGKILL");
    auto [p5, st5] = must(sys::waitpid(c, sys::WUNTRACED_ | sys::WCONTINUED_), "wait killed");
    expect(p5 == c && sys::term_signal(st5) == SIGKILL, "killed after continue");

    // Process groups, as a shell's jobs use them: a child leads a group,
    // another joins it, a made-up group is refused, one kill reaches the group.
    int lead = spawn_self({"child-sleep"});
    int member = spawn_self({"child-sleep"});
    must(sys::setpgid(lead, 0), "setpgid lead");
    must(sys::setpgid(member, lead), "setpgid join");
    expect_err(sys::setpgid(member, 424242), EPERM_, "setpgid into a group nobody is in");
    expect_err(sys::setpgid(1, 0), ESRCH_, "setpgid of a process that is not a child");
    expect(must(sys::getpgid(member), "getpgid") == lead, "getpgid of a member names the group");
    expect(uint32_t(must(sys::getpgid(0), "getpgid self")) == must(sys::ids(), "ids").pgid, "getpgid(0) is our group");
    expect_err(sys::getpgid(424242), ENOENT_, "getpgid of no process");
    must(sys::kill(-lead, SIGTERM), "kill the group");
    for (int k = 0; k < 2; ++k) {
        auto [pg, stg] = must(sys::waitpid(-lead, 0), "wait in the group");
        expect((pg == lead || pg == member) && sys::term_signal(stg) == SIGTERM, "group member killed by SIGTERM");
    }
    expect_err(sys::waitpid(-lead, 0), ECHILD_, "the group is empty");
}

void t_sendfd() {
    // fd passing through a daemon: the kernel moves the description.
    // Run in a child: it serves "box"; we send a pipe write end and get it back.
    auto [r, w] = must(sys::pipe(), "pipe");
    int d = spawn_self({"child-box"}, {{0, 0}, {1, 1}, {2, 2}, {3, w}});
    must(sys::close(w), "close");
    char c;
    must(sys::read(r, &c, 1), "ready");
    int box = must(sys::open("/scheme/box", O_RDWR_), "open box");
    auto [pr, pw] = must(sys::pipe(), "pipe");
    must(sys::sendfd(box, pw), "sendfd");
    expect_err(sys::write(pw, "x", 1), EBADF_, "sent fd left the sender");
    int back = must(sys::recvfd(box), "recvfd");
    must(sys::write_all(back, "via box"), "write through returned fd");
    must(sys::close(back), "close");
    expect(must(sys::read_all(pr), "read") == "via box", "fd passed and returned");
    must(sys::kill(d, SIGKILL), "kill");
    must(sys::waitpid(d, 0), "reap");
}


// Root file system checks (RedoxFS by default, ramfs with --root ramfs): links,
// large and sparse files, unlink while open, directories with many entries, fmap.
std::string pattern(size_t n, uint32_t seed) {
    std::string out(n, '\0');
    uint32_t x = seed | 1;
    for (auto& c : out) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        c = char(x);
    }
    return out;
}

std::string slurp(const std::string& path, uint64_t flags = O_RDONLY_) {
    int fd = must(sys::open(path, flags), "open " + path);
    std::string s = must(sys::read_all(fd), "read " + path);
    must(sys::close(fd), "close " + path);
    return s;
}

void put(const std::string& path, std::string_view data, uint16_t mode = 0644) {
    int fd = must(sys::open(path, O_CREAT_ | O_WRONLY_ | O_TRUNC_, mode), "create " + path);
    must(sys::write_all(fd, data), "write " + path);
    must(sys::close(fd), "close " + path);
}

// Direct channels (schemes/direct.h). A scheme that opts in: each handle is a
// byte queue (write appends, read takes; empty: EWOULDBLOCK_); after a write
// of "slow" every read sleeps 5 s inside the daemon.
class LoopScheme : public SchemeServer {
public:
    bool direct_io() const override { return true; }
    Result<OpenResult> open(std::string_view, uint64_t, uint16_t, const CallerCtx&) override {
        m_queues[m_next];
        return OpenResult{m_next++, 0};
    }
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) override {
        if (m_slow) {
            usleep(5'000'000);
            return 0;
        }
        auto& q = m_queues[id];
        if (q.empty()) return err(EWOULDBLOCK_);
        size_t n = std::min(buf.size(), q.size());
        std::memcpy(buf.data(), q.data(), n);
        q.erase(0, n);
        return n;
    }
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) override {
        std::string_view s(reinterpret_cast<const char*>(buf.data()), buf.size());
        if (s == "slow") m_slow = true;
        else m_queues[id].append(s);
        return buf.size();
    }
    Result<void> fstat(uint64_t id, Stat& st) override {
        st.st_mode = MODE_FILE | 0600;
        st.st_size = m_queues[id].size();
        return {};
    }
    void on_close(uint64_t id) override { m_queues.erase(id); }

private:
    std::map<uint64_t, std::string> m_queues;
    uint64_t m_next = 1;
    bool m_slow = false;
};

int start_loop(const std::string& name) {
    auto [r, w] = must(sys::pipe(), "pipe");
    int pid = spawn_self({"child-loop", name}, {{0, 0}, {1, 1}, {2, 2}, {3, w}});
    must(sys::close(w), "close");
    char c;
    expect(must(sys::read(r, &c, 1), "loop daemon ready") == 1, "loop daemon readiness");
    must(sys::close(r), "close");
    return pid;
}

// Two routed round trips on a loop handle: the second answer offers a
// channel, the next call (an fstat) takes it. Returns the fd.
int loop_channel(const std::string& path) {
    int fd = must(sys::open(path, O_RDWR_), "open " + path);
    auto before = sys::direct_stats();
    must(sys::write_all(fd, "ab"), "routed write");
    char b[2];
    expect(must(sys::read(fd, b, 2), "routed read") == 2 && !std::memcmp(b, "ab", 2), "routed read data");
    expect(must(sys::fstat(fd), "fstat").st_size == 0, "fstat of an empty queue");
    auto after = sys::direct_stats();
    expect(after.attached == before.attached + 1 && after.ops == before.ops + 1,
           "the call after two routed transfers went through a channel");
    return fd;
}

void t_direct() {
    // Large transfers through the root file system's channel, byte-exact.
    const std::string data = pattern((3u << 20) + 12345, 7);
    int fd = must(sys::open("/tmp/direct.bin", O_CREAT_ | O_RDWR_ | O_TRUNC_, 0644), "create");
    auto s0 = sys::direct_stats();
    for (size_t off = 0; off < data.size();)
        off += must(sys::write(fd, data.data() + off, std::min<size_t>(data.size() - off, 700'001)), "write");
    auto s1 = sys::direct_stats();
    expect(s1.attached == s0.attached + 1, "one channel for the file from the third write on");
    expect(s1.ops >= s0.ops + 3, "the later writes went direct");
    expect(must(sys::fstat(fd), "fstat").st_size == data.size(), "size after direct writes");
    expect(must(sys::lseek(fd, 0, 0), "rewind") == 0, "SEEK_SET on the channel");
    std::string back(data.size(), '\0');
    size_t got = 0;
    while (got < data.size()) {
        size_t n = must(sys::read(fd, back.data() + got, std::min<size_t>(196'611, data.size() - got)), "read");
        if (n == 0) break;
        got += n;
    }
    expect(got == data.size(), "read back " + std::to_string(got) + " bytes");
    expect(back == data, "direct reads are byte-exact");
    char b[16];
    expect(must(sys::read(fd, b, sizeof b), "read at end") == 0, "EOF through the channel");
    expect(must(sys::pread(fd, b, 16, 1'000'003), "pread") == 16 && !std::memcmp(b, data.data() + 1'000'003, 16),
           "direct pread");
    expect(must(sys::lseek(fd, -10, 2), "lseek end") == data.size() - 10, "SEEK_END through the channel");
    must(sys::lseek(fd, 100, 0), "lseek");
    auto s2 = sys::direct_stats();
    expect(s2.ops >= s1.ops + 20, "the reads went direct");

    // dup: the description is shared now; the channel is revoked and both
    // fds go on from one position.
    int d = must(sys::dup(fd), "dup");
    expect(must(sys::read(fd, b, 8), "read after dup") == 8 && !std::memcmp(b, data.data() + 100, 8), "read after dup");
    expect(must(sys::read(d, b, 8), "read dup") == 8 && !std::memcmp(b, data.data() + 108, 8),
           "the dup continues at the shared position");
    expect(sys::direct_stats().ops == s2.ops, "no direct operation after the dup");
    must(sys::close(d), "close dup");
    must(sys::close(fd), "close");

    // spawn: a child inheriting the fd reads from the shared position and the
    // parent goes on after it, on the kernel path.
    fd = must(sys::open("/tmp/direct.bin", O_RDONLY_), "open");
    for (int i = 0; i < 3; ++i) must(sys::read(fd, b, 16), "read");
    auto s3 = sys::direct_stats();
    expect(s3.attached == s2.attached + 1 && s3.ops == s2.ops + 1, "the third read went direct");
    auto [r, w] = must(sys::pipe(), "pipe");
    int child = spawn_self({"child-read-fd3", "16"}, {{0, 0}, {1, w}, {2, 2}, {3, fd}});
    must(sys::close(w), "close");
    std::string theirs = must(sys::read_all(r), "child output");
    must(sys::waitpid(child, 0), "reap");
    expect(theirs == data.substr(48, 16), "the child read from the shared position");
    s3 = sys::direct_stats();  // the spawn read the program through a channel of its own
    expect(must(sys::read(fd, b, 16), "read after spawn") == 16 && !std::memcmp(b, data.data() + 64, 16),
           "the parent continues after the child");
    expect(sys::direct_stats().ops == s3.ops, "no direct operation on the fd after the spawn");
    must(sys::close(fd), "close");

    // fcntl F_SETFL revokes too; zero gets a channel of its own.
    int z = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    for (int i = 0; i < 4; ++i) {
        std::memset(b, 'x', sizeof b);
        must(sys::read(z, b, 8), "read zero");
        expect(std::all_of(b, b + 8, [](char c) { return c == 0; }) && b[8] == 'x', "zero reads 8 zeros");
    }
    auto s4 = sys::direct_stats();
    expect(s4.attached == s3.attached + 1 && s4.ops == s3.ops + 2, "zero reads went direct");
    must(sys::fcntl(z, F_SETFL_, O_NONBLOCK_), "fcntl setfl");
    must(sys::read(z, b, 8), "read zero");
    expect(sys::direct_stats().ops == s4.ops, "no direct read after F_SETFL");
    must(sys::close(z), "close");
    must(sys::unlink("/tmp/direct.bin"), "unlink");
}

// A signal interrupts a read that blocks after the fd got its channel: the
// daemon answers EWOULDBLOCK on the channel, the read waits on the kernel
// path, and SIGINT ends it with EINTR.
void t_direct_signal() {
    int daemon = start_loop("loop1");
    auto [r, w] = must(sys::pipe(), "pipe");
    int reader = spawn_self({"child-loop-sigint", "/scheme/loop1"}, {{0, 0}, {1, w}, {2, 2}});
    must(sys::close(w), "close");
    char o;
    expect(must(sys::read(r, &o, 1), "reader ready") == 1 && o == 'o', "the reader has a channel");
    must(sys::sleep_ns(200'000'000), "sleep");
    must(sys::kill(reader, SIGINT), "SIGINT the reader");
    std::string got = must(sys::read_all(r), "reader output");
    expect(got == "errno 4 ops 3", "interrupted reader said '" + got + "', expected EINTR after 3 direct ops");
    must(sys::waitpid(reader, 0), "reap");
    must(sys::kill(daemon, SIGKILL), "kill");
    must(sys::waitpid(daemon, 0), "reap");
}

// A thread waiting on one daemon holds up none of its process's other
// threads: while one thread is inside a 5 s read of a slow daemon, another
// reads zero through its own channel and uses a pipe at once.
void t_direct_threads() {
    int daemon = start_loop("loop5");
    int slow = loop_channel("/scheme/loop5");
    must(sys::write_all(slow, "slow"), "direct write");  // the daemon sleeps 5 s in the next read
    std::atomic<bool> done{false};
    std::thread waiter([&] {
        char c;
        (void)sys::read(slow, &c, 1);
        done = true;
    });
    must(sys::sleep_ns(200'000'000), "let the slow read reach the daemon");
    auto t0 = std::chrono::steady_clock::now();
    int zero = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    auto s0 = sys::direct_stats();
    char buf[64];
    for (int i = 0; i < 100; ++i) must(sys::read(zero, buf, sizeof buf), "read zero");
    auto s1 = sys::direct_stats();
    auto [r, w] = must(sys::pipe(), "pipe");
    must(sys::write_all(w, "p"), "write pipe");
    expect(must(sys::read(r, buf, 1), "read pipe") == 1 && buf[0] == 'p', "the pipe's byte");
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    expect(!done, "the slow read was still waiting");
    expect(took < 2, "the other thread's calls waited " + std::to_string(took) + " s for the slow read");
    expect(s1.ops - s0.ops >= 90, "zero's reads went through its channel (" + std::to_string(s1.ops - s0.ops) + " direct)");
    waiter.join();
    expect(done, "the slow read ended");
    for (int fd : {slow, zero, r, w}) must(sys::close(fd), "close");
    must(sys::kill(daemon, SIGKILL), "kill");
    must(sys::waitpid(daemon, 0), "reap");
}

// Either side dying: a client waiting on a daemon killed mid-request gets EIO
// at once; a client killed while holding a channel leaves the daemon serving.
void t_direct_crash() {
    int daemon = start_loop("loop2");
    auto [r, w] = must(sys::pipe(), "pipe");
    int reader = spawn_self({"child-loop-slow", "/scheme/loop2"}, {{0, 0}, {1, w}, {2, 2}});
    must(sys::close(w), "close");
    char o;
    expect(must(sys::read(r, &o, 1), "reader ready") == 1 && o == 'o', "the reader has a channel");
    must(sys::sleep_ns(200'000'000), "sleep");  // the daemon is inside the slow read
    auto t0 = std::chrono::steady_clock::now();
    must(sys::kill(daemon, SIGKILL), "kill -9 the daemon");
    must(sys::waitpid(daemon, 0), "reap daemon");
    std::string got = must(sys::read_all(r), "reader output");
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    expect(got == "errno 5", "reader of a killed daemon said '" + got + "', expected EIO");
    expect(waited < 3, "the reader waited " + std::to_string(waited) + " s for its EIO");
    must(sys::waitpid(reader, 0), "reap reader");

    daemon = start_loop("loop3");
    auto [r2, w2] = must(sys::pipe(), "pipe");
    int holder = spawn_self({"child-loop-hold", "/scheme/loop3"}, {{0, 0}, {1, w2}, {2, 2}});
    must(sys::close(w2), "close");
    expect(must(sys::read(r2, &o, 1), "holder ready") == 1 && o == 'o', "the holder has a channel");
    must(sys::kill(holder, SIGKILL), "kill -9 the client");
    must(sys::waitpid(holder, 0), "reap client");
    must(sys::close(r2), "close");
    int fd = loop_channel("/scheme/loop3");
    must(sys::write_all(fd, "direct"), "direct write");
    char b[8];
    expect(must(sys::read(fd, b, 8), "direct read") == 6 && !std::memcmp(b, "direct", 6), "the daemon serves on");
    must(sys::close(fd), "close");
    must(sys::kill(daemon, SIGKILL), "kill");
    must(sys::waitpid(daemon, 0), "reap");
}

// This process's routed calls, from the CALLS column of /scheme/sys/context.
uint64_t routed_calls() {
    const uint32_t me = must(sys::ids(), "ids").pid;
    std::istringstream table(slurp("/scheme/sys/context"));
    std::string line;
    std::getline(table, line);  // PID PPID PGID RUID EUID STAT CPU(ms) CALLS NAME
    while (std::getline(table, line)) {
        std::istringstream f(line);
        uint64_t pid = 0, ppid, pgid, ruid, euid, cpu, calls;
        std::string stat;
        if (f >> pid >> ppid >> pgid >> ruid >> euid >> stat >> cpu >> calls && pid == me) return calls;
    }
    fail("no line for pid " + std::to_string(me) + " in /scheme/sys/context");
}

// zero -> null in 4 KiB blocks: once both fds have their channels the copy
// never reaches the kernel-sim, whose count of our routed calls moves only by
// what reading that count costs.
void t_direct_copy() {
    int in = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    int out = must(sys::open("/scheme/null", O_WRONLY_), "open null");
    std::vector<char> buf(4096);
    auto pair = [&] {
        std::fill(buf.begin(), buf.end(), 'x');
        expect(must(sys::read(in, buf.data(), buf.size()), "read zero") == buf.size(), "a whole block from zero");
        expect(std::all_of(buf.begin(), buf.end(), [](char c) { return c == 0; }), "zero reads zeros");
        expect(must(sys::write(out, buf.data(), buf.size()), "write null") == buf.size(), "null takes the block");
    };
    auto s0 = sys::direct_stats();
    for (int i = 0; i < 3; ++i) pair();  // two routed transfers each, then the channels
    auto s1 = sys::direct_stats();
    expect(s1.attached == s0.attached + 2, "zero and null each got a channel (" +
                                               std::to_string(s1.attached - s0.attached) + " attached)");
    const uint64_t c0 = routed_calls();
    const uint64_t c1 = routed_calls();
    for (int i = 0; i < 500; ++i) pair();
    const uint64_t c2 = routed_calls();
    auto s2 = sys::direct_stats();
    expect(s2.ops == s1.ops + 1000 && s2.fallbacks == s1.fallbacks,
           "1000 transfers, " + std::to_string(s2.ops - s1.ops) + " direct, " +
               std::to_string(s2.fallbacks - s1.fallbacks) + " fell back");
    expect(c2 - c1 == c1 - c0, "the copy routed " + std::to_string((c2 - c1) - (c1 - c0)) +
                                   " calls through the kernel-sim (a look at the count costs " +
                                   std::to_string(c1 - c0) + ")");
    must(sys::close(in), "close zero");
    must(sys::close(out), "close null");
}

// Client and daemon on one core (the test runs the whole sim under taskset):
// a waiter that spun out its turn would hold the core its peer needs, so it
// gives the core to its peer at once. A direct round trip to zero must cost
// about what two host threads pay to pass a word back and forth with
// sched_yield on the same core; spinning before each yield cost four times that.
void t_direct_shared_core() {
    cpu_set_t set;
    expect(sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1,
           "the sim runs on one core (taskset -c 0)");
    constexpr int kRounds = 20000;
    auto per_round_ns = [](auto&& body) {
        auto t0 = std::chrono::steady_clock::now();
        body();
        return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / kRounds;
    };
    std::atomic<int> word{0};
    double yield_ns = 0;
    {
        std::thread peer([&] {
            for (int i = 0; i < kRounds; ++i) {
                while (word.load() != 2 * i + 1) sched_yield();
                word.store(2 * i + 2);
            }
        });
        yield_ns = per_round_ns([&] {
            for (int i = 0; i < kRounds; ++i) {
                word.store(2 * i + 1);
                while (word.load() != 2 * i + 2) sched_yield();
            }
        });
        peer.join();
    }
    int fd = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    uint64_t v = 1;
    for (int i = 0; i < 3; ++i) must(sys::read(fd, &v, sizeof v), "read zero");  // the channel attaches
    auto s0 = sys::direct_stats();
    double sim_ns = per_round_ns([&] {
        for (int i = 0; i < kRounds; ++i) must(sys::read(fd, &v, sizeof v), "read zero");
    });
    auto s1 = sys::direct_stats();
    expect(s1.ops - s0.ops == uint64_t(kRounds), "every read went over the channel");
    char line[160];
    std::snprintf(line, sizeof line, "round trip on one core: %.0f ns; two threads yielding: %.0f ns (%.1fx)\n", sim_ns,
                  yield_ns, sim_ns / yield_ns);
    (void)sys::write_all(1, line);
    expect(sim_ns < 3 * yield_ns, "a round trip on a shared core costs " + std::to_string(int(sim_ns)) +
                                      " ns, over 3x the yield ping-pong's " + std::to_string(int(yield_ns)) + " ns");
    must(sys::close(fd), "close zero");
}

// call_batch through channels: positioned reads and writes of a root file
// system file and reads of zero, from buffers at every offset within a cache
// line (the client places each transfer's data in the arena at its buffer's
// alignment), byte-exact and every call direct; a transfer as large as the
// arena from an unaligned buffer keeps its whole length, in a batch and alone.
void t_direct_batch() {
    auto batch = [](std::vector<Sqe>& calls) {
        std::vector<Cqe> done(calls.size());
        sys::call_batch(calls, done);
        return done;
    };
    auto call = [](Opcode op, int fd, void* buf, uint64_t len, uint64_t offset) {
        Sqe s{};
        s.opcode = uint8_t(op);
        s.args[0] = uint64_t(fd);
        s.args[1] = reinterpret_cast<uint64_t>(buf);
        s.args[2] = len;
        s.args[3] = offset;
        return s;
    };
    int fd = must(sys::open("/tmp/batch.bin", O_CREAT_ | O_RDWR_ | O_TRUNC_, 0644), "create");
    char b[4];
    must(sys::write_all(fd, "abcd"), "routed write");
    expect(must(sys::pread(fd, b, 4, 0), "routed pread") == 4, "routed pread");
    auto s0 = sys::direct_stats();
    constexpr size_t kCalls = 64, kStride = 4096 + 64;
    const std::string data = pattern(kCalls * kStride, 11);
    std::vector<char> src(kCalls * kStride + 128), dst(kCalls * kStride + 128, 'x');
    char* src0 = src.data() + (64 - reinterpret_cast<uintptr_t>(src.data()) % 64);
    char* dst0 = dst.data() + (64 - reinterpret_cast<uintptr_t>(dst.data()) % 64);
    std::vector<Sqe> writes, reads;
    for (size_t i = 0; i < kCalls; ++i) {
        const size_t len = 1000 + 37 * i;  // call i: src at 64 * k + i, dst at 64 * k + (7 * i) % 64
        char* from = src0 + i * kStride + i;
        std::memcpy(from, data.data() + i * kStride, len);
        writes.push_back(call(Opcode::Write, fd, from, len, i * kStride));
        reads.push_back(call(Opcode::Read, fd, dst0 + i * kStride + (7 * i) % 64, len, i * kStride));
    }
    auto done = batch(writes);
    for (size_t i = 0; i < kCalls; ++i)
        expect(!is_error(done[i].result) && done[i].result == writes[i].args[2],
               "batched write " + std::to_string(i) + " answered " + std::to_string(done[i].result));
    done = batch(reads);
    for (size_t i = 0; i < kCalls; ++i) {
        const size_t len = reads[i].args[2];
        const char* at = reinterpret_cast<const char*>(reads[i].args[1]);
        expect(!is_error(done[i].result) && done[i].result == len,
               "batched read " + std::to_string(i) + " answered " + std::to_string(done[i].result));
        expect(std::memcmp(at, data.data() + i * kStride, len) == 0,
               "batched read " + std::to_string(i) + " is byte-exact");
        expect(at[-1] == 'x' && at[len] == 'x', "batched read " + std::to_string(i) + " stayed in its buffer");
    }
    auto s1 = sys::direct_stats();
    expect(s1.attached == s0.attached + 1 && s1.ops == s0.ops + 2 * kCalls && s1.fallbacks == s0.fallbacks,
           std::to_string(2 * kCalls) + " batched calls, " + std::to_string(s1.ops - s0.ops) + " direct");
    must(sys::close(fd), "close");
    must(sys::unlink("/tmp/batch.bin"), "unlink");

    // A whole arena's worth (kMaxTransfer) from zero into an unaligned buffer.
    int z = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    for (int i = 0; i < 2; ++i) must(sys::read(z, b, 4), "routed read of zero");
    std::vector<char> big(kMaxTransfer + 4096 + 128, 'x');
    char* big0 = big.data() + (64 - reinterpret_cast<uintptr_t>(big.data()) % 64) + 17;
    std::vector<Sqe> zr{call(Opcode::Read, z, big0, kMaxTransfer + 5, ~uint64_t(0)),
                        call(Opcode::Read, z, big0 + kMaxTransfer + 1, 4096, ~uint64_t(0))};
    done = batch(zr);
    expect(!is_error(done[0].result) && done[0].result == kMaxTransfer,
           "a batched read of zero larger than a transfer answered " + std::to_string(done[0].result));
    expect(!is_error(done[1].result) && done[1].result == 4096, "the batched read after it");
    auto zeros = [](const char* p, size_t n) { return std::all_of(p, p + n, [](char c) { return c == 0; }); };
    expect(zeros(big0, kMaxTransfer) && zeros(big0 + kMaxTransfer + 1, 4096), "batched reads of zero read zeros");
    expect(big0[-1] == 'x' && big0[kMaxTransfer] == 'x' && big0[kMaxTransfer + 4097] == 'x',
           "batched reads of zero stayed in their buffers");
    std::fill(big.begin(), big.end(), 'x');
    expect(must(sys::read(z, big0, kMaxTransfer + 5), "read") == kMaxTransfer, "a whole transfer from zero");
    expect(zeros(big0, kMaxTransfer) && big0[-1] == 'x' && big0[kMaxTransfer] == 'x', "the read of zero");
    auto s2 = sys::direct_stats();
    expect(s2.attached == s1.attached + 1 && s2.ops == s1.ops + 3 && s2.fallbacks == s1.fallbacks,
           "the reads of zero went direct (" + std::to_string(s2.ops - s1.ops) + " of 3)");

    // One batch on three channels (a file, zero, null), whose first waves are
    // in flight together; zero's takes a second wave after a whole-arena read.
    int f = must(sys::open("/tmp/batch2.bin", O_CREAT_ | O_RDWR_ | O_TRUNC_, 0644), "create");
    must(sys::write_all(f, std::string_view(data).substr(0, 8000)), "routed write");
    expect(must(sys::pread(f, b, 4, 0), "routed pread") == 4, "routed pread");
    int nul = must(sys::open("/scheme/null", O_WRONLY_), "open null");
    for (int i = 0; i < 2; ++i) must(sys::write(nul, b, 4), "routed write to null");
    std::fill(big.begin(), big.end(), 'x');
    std::fill(dst.begin(), dst.end(), 'x');
    std::vector<Sqe> mix{call(Opcode::Read, z, big0, kMaxTransfer, ~uint64_t(0))};
    for (size_t i = 0; i < 8; ++i) {
        mix.push_back(call(Opcode::Read, f, dst0 + i * 1100 + i, 1000, i * 1000));
        mix.push_back(call(Opcode::Read, z, big0 + kMaxTransfer + 1 + i * 500, 400, ~uint64_t(0)));
        mix.push_back(call(Opcode::Write, nul, src0 + i, 3000, ~uint64_t(0)));
    }
    done = batch(mix);
    for (size_t i = 0; i < mix.size(); ++i)
        expect(!is_error(done[i].result) && done[i].result == mix[i].args[2],
               "call " + std::to_string(i) + " of the three-channel batch answered " + std::to_string(done[i].result));
    for (size_t i = 0; i < 8; ++i) {
        const char* at = dst0 + i * 1100 + i;
        expect(std::memcmp(at, data.data() + i * 1000, 1000) == 0 && at[-1] == 'x' && at[1000] == 'x',
               "pread " + std::to_string(i) + " of the three-channel batch");
        const char* zat = big0 + kMaxTransfer + 1 + i * 500;
        expect(zeros(zat, 400) && zat[400] == 'x', "read of zero " + std::to_string(i) + " of the three-channel batch");
    }
    expect(zeros(big0, kMaxTransfer) && big0[kMaxTransfer] == 'x', "the whole-arena read of the three-channel batch");
    auto s3 = sys::direct_stats();
    expect(s3.attached == s2.attached + 2 && s3.ops == s2.ops + mix.size() && s3.fallbacks == s2.fallbacks,
           "the three-channel batch went direct (" + std::to_string(s3.ops - s2.ops) + " of " +
               std::to_string(mix.size()) + ")");
    must(sys::close(nul), "close null");
    must(sys::close(f), "close");
    must(sys::unlink("/tmp/batch2.bin"), "unlink");
    must(sys::close(z), "close zero");
}

// A request queued on a channel while the daemon is busy elsewhere, then a
// signal: the client withdraws it, and the daemon, once free, answers it EINTR
// without running it (a run would sleep 5 s and return 0).
void t_direct_withdraw() {
    int daemon = start_loop("loop4");
    auto [qr, qw] = must(sys::pipe(), "pipe");
    auto [gr, gw] = must(sys::pipe(), "pipe");
    int queued = spawn_self({"child-loop-queued", "/scheme/loop4"}, {{0, gr}, {1, qw}, {2, 2}});
    must(sys::close(qw), "close");
    must(sys::close(gr), "close");
    char o;
    expect(must(sys::read(qr, &o, 1), "queued reader ready") == 1 && o == 'o', "the queued reader has a channel");
    auto [sr, sw] = must(sys::pipe(), "pipe");
    int slow = spawn_self({"child-loop-slow", "/scheme/loop4"}, {{0, 0}, {1, sw}, {2, 2}});
    must(sys::close(sw), "close");
    expect(must(sys::read(sr, &o, 1), "slow reader ready") == 1 && o == 'o', "the slow reader has a channel");
    must(sys::sleep_ns(200'000'000), "sleep");  // the daemon is inside the slow read
    must(sys::write_all(gw, "g"), "let the queued reader read");
    must(sys::sleep_ns(300'000'000), "sleep");  // its read waits on the channel
    auto t0 = std::chrono::steady_clock::now();
    must(sys::kill(queued, SIGINT), "SIGINT the queued reader");
    std::string got = must(sys::read_all(qr), "queued reader output");
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    expect(got == "errno 4 direct 1", "the queued reader said '" + got + "', expected a direct EINTR");
    expect(waited < 10, "the withdrawn read took " + std::to_string(waited) + " s");
    expect(must(sys::read_all(sr), "slow reader output") == "read ok", "the slow read ran to its end");
    must(sys::waitpid(queued, 0), "reap");
    must(sys::waitpid(slow, 0), "reap");
    must(sys::close(gw), "close");
    must(sys::kill(daemon, SIGKILL), "kill");
    must(sys::waitpid(daemon, 0), "reap");
}

// With channels off (virtual time, REDOX_SIM_DIRECT=0) reads stay on the kernel path.
void expect_no_channels(const std::string& why) {
    int z = must(sys::open("/scheme/zero", O_RDONLY_), "open zero");
    char b[8];
    for (int i = 0; i < 6; ++i) must(sys::read(z, b, sizeof b), "read zero");
    must(sys::close(z), "close");
    auto st = sys::direct_stats();
    expect(st.attached == 0 && st.ops == 0, "a direct channel " + why);
}

void t_direct_off() { expect_no_channels("with REDOX_SIM_DIRECT=0"); }

// Exec images (schemes/exec_image.h) on the root file system (redoxfs or
// ramfs, the argument): spawn execs a sealed snapshot of the program that
// the file's daemon caches until the file changes.
struct ImageFd {
    int fd;
    struct stat st;
};
ImageFd exec_image(const std::string& path) {
    int fd = must(sys::open(path, O_RDONLY_), "open " + path);
    uint64_t size = must(sys::fstat(fd), "fstat " + path).st_size;
    int img = must(sys::exec_image(fd, size), "exec image of " + path);
    must(sys::close(fd), "close");
    ImageFd r{img, {}};
    expect(::fstat(img, &r.st) == 0 && uint64_t(r.st.st_size) == size, "image has the file's size");
    return r;
}

int run_tool(const std::string& path, std::vector<std::string> args) {
    sys::SpawnSpec s;
    s.path = path;
    s.argv = {"coreutils"};
    s.argv.insert(s.argv.end(), args.begin(), args.end());
    auto pid = sys::spawn(s);
    if (!pid) return -pid.error().errnum;
    auto [got, st] = must(sys::waitpid(*pid, 0), "waitpid");
    return sys::exited(st) ? sys::exit_code(st) : 1000 + (st & 0x7f);
}

void t_exec_image() {
    const std::string tool = "/tmp/exec-image-tool";
    std::string program = slurp("/usr/bin/coreutils");
    put(tool, program, 0755);
    ImageFd a = exec_image(tool);
    // Sealed: nobody holding the fd can change what others exec.
    int seals = fcntl(a.fd, F_GET_SEALS);
    expect(seals >= 0 && (seals & F_SEAL_WRITE) && (seals & F_SEAL_SHRINK) && (seals & F_SEAL_GROW), "image is sealed");
    // The fd is a read-only description (a private map), and the seals refuse
    // even a writable reopen.
    expect(::pwrite(a.fd, "x", 1, 0) < 0 && errno == EBADF, "writing the image's fd fails with EBADF");
    {
        int rw = ::open(("/proc/self/fd/" + std::to_string(a.fd)).c_str(), O_RDWR | O_CLOEXEC);
        expect(rw >= 0, "reopening the image read-write");
        expect(::pwrite(rw, "x", 1, 0) < 0 && errno == EPERM, "writing the image fails with EPERM");
        ::close(rw);
    }
    std::string head(4096, '\0');
    expect(::pread(a.fd, head.data(), head.size(), 0) == ssize_t(head.size()) &&
           head == program.substr(0, head.size()), "image holds the file's bytes");
    ImageFd b = exec_image(tool);
    expect(a.st.st_ino == b.st.st_ino, "a second exec image of an unchanged file is the cached one");
    ::close(b.fd);
    expect(run_tool(tool, {"true"}) == 0, "spawn from the image");

    // A running program keeps its image when the file is rewritten under it.
    sys::SpawnSpec s;
    s.path = tool;
    s.argv = {"coreutils", "sleep", "0.3"};
    int sleeper = must(sys::spawn(s), "spawn sleep");
    put(tool, "#!/nonexistent/interpreter\n", 0755);
    ImageFd c = exec_image(tool);
    expect(c.st.st_ino != a.st.st_ino && c.st.st_size == 27, "a write drops the cached image");
    ::close(c.fd);
    expect(run_tool(tool, {"true"}) != 0, "the rewritten file no longer runs");
    auto [pid, st] = must(sys::waitpid(sleeper, 0), "waitpid sleep");
    expect(pid == sleeper && sys::exited(st) && sys::exit_code(st) == 0, "the running program was not disturbed");

    // Truncate and write the program back: it runs again.
    put(tool, program, 0755);
    expect(run_tool(tool, {"true"}) == 0, "the program written back runs");
    ImageFd d = exec_image(tool);
    expect(d.st.st_ino != c.st.st_ino, "a new image after the rewrite");
    ::close(d.fd);
    ::close(a.fd);
    must(sys::unlink(tool), "unlink");
}

void t_rootfs() {
    must(sys::close(must(sys::open("/tmp/rfs", O_CREAT_ | O_DIRECTORY_ | O_RDONLY_, 0755), "mkdir")), "close");
    put("/tmp/rfs/target", "target data");
    // Symlinks: relative, absolute, read back without following, lstat.
    int l = must(sys::open("/tmp/rfs/rel", O_CREAT_ | O_EXCL_ | O_WRONLY_ | O_SYMLINK_), "create symlink");
    must(sys::write_all(l, "target"), "write link target");
    must(sys::close(l), "close");
    int a = must(sys::open("/tmp/rfs/abs", O_CREAT_ | O_EXCL_ | O_WRONLY_ | O_SYMLINK_), "create symlink");
    must(sys::write_all(a, "/tmp/rfs"), "write link target");
    must(sys::close(a), "close");
    expect(slurp("/tmp/rfs/rel") == "target data", "relative symlink followed");
    expect(slurp("/tmp/rfs/abs/abs/target") == "target data", "absolute symlink to a directory followed twice");
    expect(slurp("/tmp/rfs/rel", O_RDONLY_ | O_SYMLINK_ | O_NOFOLLOW_) == "target", "readlink");
    int ls = must(sys::open("/tmp/rfs/rel", O_STAT_ | O_NOFOLLOW_ | O_SYMLINK_), "lstat open");
    expect((must(sys::fstat(ls), "lstat").st_mode & MODE_TYPE) == MODE_SYMLINK, "lstat sees a symlink");
    must(sys::close(ls), "close");
    expect_err(sys::open("/tmp/rfs/rel/x", O_RDONLY_), ENOTDIR_, "symlink to a file used as a directory");
    // A large file over several 128 KiB records, then a sparse tail and truncation.
    std::string big = pattern(3 * 1024 * 1024 + 123, 7);
    auto before = must(sys::fstatvfs(must(sys::open("/tmp", O_RDONLY_ | O_DIRECTORY_), "open /tmp")), "statvfs");
    put("/tmp/rfs/big", big);
    auto after = must(sys::fstatvfs(must(sys::open("/tmp", O_RDONLY_ | O_DIRECTORY_), "open /tmp")), "statvfs");
    expect(after.f_bfree + 700 < before.f_bfree, "3 MiB of data use free blocks (" + std::to_string(before.f_bfree) +
                                                     " -> " + std::to_string(after.f_bfree) + ")");
    expect(slurp("/tmp/rfs/big") == big, "large file reads back");
    int f = must(sys::open("/tmp/rfs/big", O_RDWR_), "open big");
    must(sys::pwrite(f, "tail", 4, 10 << 20), "write past the end");
    expect(must(sys::fstat(f), "fstat").st_size == (10 << 20) + 4, "sparse size");
    std::string mid(4096, 'x');
    expect(must(sys::pread(f, mid.data(), mid.size(), 6 << 20), "pread hole") == mid.size() &&
           mid.find_first_not_of('\0') == std::string::npos, "a hole reads as zeros");
    must(sys::ftruncate(f, 100), "shrink");
    must(sys::ftruncate(f, 200), "grow");
    std::string head = must(sys::read_all(f), "read truncated");
    expect(head.size() == 200 && head.substr(0, 100) == big.substr(0, 100) &&
           head.find_first_not_of('\0', 100) == std::string::npos, "truncate keeps the head, zero-fills growth");
    // Unlinked while open: still readable through the handle, gone by name.
    must(sys::unlink("/tmp/rfs/big"), "unlink open file");
    expect_err(sys::open("/tmp/rfs/big", O_RDONLY_), ENOENT_, "unlinked name gone");
    expect(must(sys::pread(f, head.data(), 10, 0), "read unlinked") == 10 && head.substr(0, 10) == big.substr(0, 10),
           "open handle outlives the name");
    must(sys::close(f), "close");
    // Rename over an existing file; hard links share content.
    put("/tmp/rfs/one", "one");
    put("/tmp/rfs/two", "two");
    int one = must(sys::open("/tmp/rfs/one", O_RDONLY_), "open one");
    must(sys::frename(one, "/tmp/rfs/two"), "rename over");
    expect(must(sys::fpath(one), "fpath") == "/scheme/file/tmp/rfs/two", "fpath follows the rename");
    must(sys::flink(one, "/tmp/rfs/three"), "hard link");
    must(sys::close(one), "close");
    expect(slurp("/tmp/rfs/two") == "one" && slurp("/tmp/rfs/three") == "one", "rename replaced, link shares");
    expect(must(sys::stat("/tmp/rfs/three"), "stat").st_nlink == 2, "two links");
    expect_err(sys::open("/tmp/rfs/one", O_RDONLY_), ENOENT_, "renamed away");
    expect_err(sys::open("/tmp/rfs/two", O_CREAT_ | O_EXCL_ | O_WRONLY_), EEXIST_, "O_EXCL on an existing file");
    // A directory with many entries, listed over several getdents calls.
    must(sys::close(must(sys::open("/tmp/rfs/many", O_CREAT_ | O_DIRECTORY_ | O_RDONLY_, 0755), "mkdir")), "close");
    for (int i = 0; i < 300; ++i)
        must(sys::close(must(sys::open("/tmp/rfs/many/entry-" + std::to_string(i), O_CREAT_ | O_WRONLY_), "create")), "close");
    auto ents = must(sys::read_dir("/tmp/rfs/many"), "read_dir");
    std::map<std::string, int> seen;
    for (auto& e : ents) seen[e.name]++;
    expect(ents.size() == 300 && seen.size() == 300 && seen.count("entry-299"), "300 entries listed once each, got " +
                                                                                    std::to_string(ents.size()));
    expect_err(sys::unlink("/tmp/rfs/many", AT_REMOVEDIR_), ENOTEMPTY_, "rmdir non-empty");
    for (int i = 0; i < 300; ++i) must(sys::unlink("/tmp/rfs/many/entry-" + std::to_string(i)), "unlink entry");
    must(sys::unlink("/tmp/rfs/many", AT_REMOVEDIR_), "rmdir emptied directory");
    expect_err(sys::unlink("/tmp/rfs/two", AT_REMOVEDIR_), ENOTDIR_, "rmdir of a file");
    expect_err(sys::unlink("/tmp/rfs", 0), EISDIR_, "unlink of a directory");
    // fmap: a shared writable mapping reaches the file by fsync (ramfs has no fmap).
    if (g_arg == "ramfs") return;
    put("/tmp/rfs/mapped", std::string(8192, 'a'));
    int m = must(sys::open("/tmp/rfs/mapped", O_RDWR_), "open mapped");
    {
        auto map = must(sys::fmap(m, 0, 8192, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap file");
        auto* p = static_cast<char*>(map.data());
        expect(p[0] == 'a' && p[8191] == 'a', "mapping shows the file");
        std::memcpy(p + 4096, "mapped write", 12);
        must(sys::fsync(m), "fsync");
    }
    std::string got(12, '\0');
    expect(must(sys::pread(m, got.data(), 12, 4096), "pread") == 12 && got == "mapped write", "store through the mapping reached the file");
    must(sys::close(m), "close");
    expect(slurp("/tmp/rfs/mapped").substr(4096, 12) == "mapped write", "after close");
}

// Permission checks against a non-root caller.
void t_rootfs_perm() {
    put("/tmp/rfs-secret", "root only", 0600);
    put("/tmp/rfs-public", "anyone", 0644);
    must(sys::close(must(sys::open("/tmp/rfs-closed", O_CREAT_ | O_DIRECTORY_ | O_RDONLY_, 0700), "mkdir")), "close");
    put("/tmp/rfs-closed/inside", "hidden");
    put("/tmp/rfs-roots", "root's file in sticky /tmp", 0666);
    must(sys::setids(1000, 1000, 1000, 1000), "drop to uid 1000");
    expect_err(sys::open("/tmp/rfs-secret", O_RDONLY_), EACCES_, "read a 0600 root file");
    int st_only = must(sys::open("/tmp/rfs-secret", O_RDONLY_ | O_STAT_), "stat a 0600 root file");
    char byte;
    if (g_arg != "ramfs") expect_err(sys::read(st_only, &byte, 1), EBADF_, "read through an O_STAT handle");
    must(sys::close(st_only), "close");
    int roots = must(sys::open("/tmp/rfs-roots", O_RDWR_), "open a 0666 root file in /tmp");
    if (g_arg != "ramfs") expect_err(sys::frename(roots, "/tmp/rfs-stolen"), EPERM_, "rename someone else's file in sticky /tmp");
    expect_err(sys::unlink("/tmp/rfs-roots"), EPERM_, "unlink someone else's file in sticky /tmp");
    must(sys::close(roots), "close");
    expect(slurp("/tmp/rfs-public") == "anyone", "read a 0644 file");
    expect_err(sys::open("/tmp/rfs-public", O_WRONLY_), EACCES_, "write a 0644 root file");
    expect_err(sys::open("/etc/passwd", O_WRONLY_ | O_APPEND_), EACCES_, "write /etc/passwd");
    expect_err(sys::open("/tmp/rfs-closed/inside", O_RDONLY_), EACCES_, "walk through a 0700 root directory");
    expect_err(sys::open("/tmp/rfs-closed/new", O_CREAT_ | O_WRONLY_), EACCES_, "create in a 0700 root directory");
    expect_err(sys::unlink("/etc/hostname"), EACCES_, "unlink in /etc");
    expect_err(sys::open("/etc/new-file", O_CREAT_ | O_WRONLY_), EACCES_, "create in /etc");
    int pub = must(sys::open("/tmp/rfs-public", O_RDONLY_), "open public");
    expect_err(sys::fchmod(pub, 0777), EPERM_, "chmod someone else's file");
    expect_err(sys::fchown(pub, 1000, 1000), EPERM_, "chown someone else's file");
    must(sys::close(pub), "close");
    // What the user creates is theirs.
    must(sys::close(must(sys::open("/home/user", O_STAT_), "home exists")), "close");
    put("/home/user/mine", "mine", 0600);
    auto st = must(sys::stat("/home/user/mine"), "stat mine");
    expect(st.st_uid == 1000 && st.st_gid == 1000 && (st.st_mode & 0777) == 0600, "new file owned by the user");
    int mine = must(sys::open("/home/user/mine", O_RDONLY_), "open mine");
    must(sys::fchmod(mine, 0640), "chmod own file");
    must(sys::close(mine), "close");
}

// Persistence across boots of one --image: write here, check in the next boot.
void t_persist_write() {
    must(sys::close(must(sys::open("/persist", O_CREAT_ | O_DIRECTORY_ | O_RDONLY_, 0755), "mkdir")), "close");
    put("/persist/data", pattern(300000, 11));
    put("/persist/gone", "removed before the end");
    must(sys::unlink("/persist/gone"), "unlink");
    int f = must(sys::open("/persist/data", O_RDONLY_), "open");
    must(sys::fsync(f), "fsync");
    must(sys::close(f), "close");
    // The last change is not fsynced: it must survive anyway.
    put("/persist/late", "written last");
}

void t_persist_check() {
    expect(slurp("/persist/data") == pattern(300000, 11), "data written by the previous boot");
    expect(slurp("/persist/late") == "written last", "unsynced last write survived");
    expect_err(sys::open("/persist/gone", O_RDONLY_), ENOENT_, "unlinked file stays gone");
}

// A boot on the cached image does not see what an earlier boot wrote.
void t_persist_absent() {
    expect_err(sys::open("/persist/data", O_RDONLY_), ENOENT_, "earlier boot's file");
}

// A full root file system: writes fail with ENOSPC, nothing else breaks, and the
// space comes back when the file goes.
void t_rootfs_full() {
    std::string chunk = pattern(1 << 20, 3);   // incompressible
    int fd = must(sys::open("/tmp/fill", O_CREAT_ | O_WRONLY_ | O_TRUNC_, 0644), "create");
    uint64_t written = 0;
    for (;;) {
        auto r = sys::write(fd, chunk.data(), chunk.size());
        if (!r) {
            expect(r.error().errnum == ENOSPC_, "a full disk answers ENOSPC, got errno " + std::to_string(r.error().errnum));
            break;
        }
        written += *r;
        expect(written < (1ull << 30), "the disk never filled up");
    }
    auto st = must(sys::fstat(fd), "fstat");
    expect(st.st_size > 0 && st.st_size <= written, "size after ENOSPC");
    must(sys::close(fd), "close");
    expect(slurp("/etc/hostname").size() > 0, "reads still work when full");
    must(sys::unlink("/tmp/fill"), "unlink the filler");
    put("/tmp/after-full", "space is back");
    expect(slurp("/tmp/after-full") == "space is back", "write after freeing space");
    int f = must(sys::open("/tmp/after-full", O_RDONLY_), "open");
    must(sys::fsync(f), "fsync");
    must(sys::close(f), "close");
    (void)sys::write_all(1, "filled " + std::to_string(written >> 20) + " MiB\n");
}

// Serves the RedoxFS image at host path g_arg as /scheme/upfs (a second redoxfs
// daemon, left running for the commands that follow).
void t_mount_image() {
    auto [r, w] = must(sys::pipe(), "pipe");
    sys::SpawnSpec s;
    s.path = "/scheme/initfs/bin/redoxfs";
    s.argv = {"redoxfs", g_arg, "upfs"};
    s.env = {"INIT_NOTIFY=3"};
    s.fds = {{0, 0}, {1, 1}, {2, 2}, {3, w}};
    must(sys::spawn(s), "spawn redoxfs");
    must(sys::close(w), "close");
    char c;
    expect(must(sys::read(r, &c, 1), "readiness") == 1, "redoxfs did not get ready");
    auto ents = must(sys::read_dir("/scheme/upfs/"), "list the image's root");
    expect(!ents.empty(), "the image's root is empty");
}

class BoxScheme : public SchemeServer {
public:
    Result<OpenResult> open(std::string_view, uint64_t, uint16_t, const CallerCtx&) override { return OpenResult{1, 0}; }
    Result<size_t> on_sendfd(uint64_t, int fd, const CallerCtx&) override { m_fd = fd; return 1; }
    Result<int> on_recvfd(uint64_t, const CallerCtx&) override {
        if (m_fd < 0) return err(EWOULDBLOCK_);
        return std::exchange(m_fd, -1);
    }
    int m_fd = -1;
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        (void)sys::write_all(2, "usage: simtest NAME\n");
        return 2;
    }
    g_name = argv[1];
    std::string a2 = argc > 2 ? argv[2] : "";
    // Helpers run as children by the tests.
    if (g_name == "disk-batch") {
        t_disk_batch(a2);
        (void)sys::write_all(1, "ok disk-batch\n");
        return 0;
    }
    if (g_name == "child-write") { (void)sys::write_all(1, a2); sys::exit(0); }
    if (g_name == "child-exit") sys::exit(std::atoi(a2.c_str()));
    if (g_name == "child-sleep") { (void)sys::sleep_ns(30'000'000'000ull); sys::exit(0); }
    if (g_name == "child-daemon") child_daemon(a2);
    if (g_name == "child-daemon-after") child_daemon_after(a2, argc > 3 ? argv[3] : "");
    if (g_name == "child-garbage") child_garbage();
    if (g_name == "child-box") {
        BoxScheme s;
        (void)s.serve("box", [] { (void)sys::write_all(3, "r"); (void)sys::close(3); });
        sys::exit(0);
    }
    if (g_name == "child-irq") {  // binds a host eventfd of its own to vector 50, then waits
        int h = must(sys::open("/scheme/irq/cpu-00/50", O_RDWR_ | O_CREAT_), "allocate vector 50");
        int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        const uint64_t bind[2] = {1, uint64_t(efd)};
        must(sys::call(h, nullptr, 0, 0, bind), "bind");
        (void)sys::write_all(1, "b");
        (void)sys::sleep_ns(30'000'000'000ull);
        sys::exit(0);
    }
    if (g_name == "child-fmap") {
        auto m = sys::fmap(3, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_);
        if (!m) sys::exit(1);
        std::memcpy(m->data(), "child", 6);
        sys::exit(0);
    }
    if (g_name == "child-loop") {
        LoopScheme s;
        (void)s.serve(a2, [] { (void)sys::write_all(3, "r"); (void)sys::close(3); });
        sys::exit(0);
    }
    if (g_name == "child-read-fd3") {
        std::string buf(std::atoi(a2.c_str()), '\0');
        auto n = sys::read(3, buf.data(), buf.size());
        if (n) (void)sys::write_all(1, buf.substr(0, *n));
        sys::exit(n ? 0 : 1);
    }
    if (g_name == "child-loop-sigint" || g_name == "child-loop-slow" || g_name == "child-loop-hold") {
        if (g_name == "child-loop-sigint") signal(SIGINT, [](int) {});
        int fd = loop_channel(a2);
        if (g_name == "child-loop-sigint") {
            must(sys::write_all(fd, "cd"), "direct write");
            char b[2];
            expect(must(sys::read(fd, b, 2), "direct read") == 2 && !std::memcmp(b, "cd", 2), "direct read data");
        } else {
            must(sys::write_all(fd, g_name == "child-loop-slow" ? "slow" : "xy"), "direct write");
        }
        uint64_t ops = sys::direct_stats().ops;
        (void)sys::write_all(1, "o");  // the parent may now interrupt or kill
        if (g_name == "child-loop-hold") {
            (void)sys::sleep_ns(30'000'000'000ull);
            sys::exit(0);
        }
        char c;
        auto r = sys::read(fd, &c, 1);
        std::string out = r ? std::string("read ok") : "errno " + std::to_string(r.error().errnum);
        if (g_name == "child-loop-sigint") out += " ops " + std::to_string(ops);
        (void)sys::write_all(1, out);
        sys::exit(0);
    }
    if (g_name == "child-loop-queued") {
        signal(SIGINT, [](int) {});
        int fd = loop_channel(a2);
        must(sys::write_all(fd, "q"), "direct write");
        (void)sys::write_all(1, "o");
        char c;
        must(sys::read(0, &c, 1), "wait for the go");
        uint64_t ops = sys::direct_stats().ops;
        auto r = sys::read(fd, &c, 1);
        std::string out = r ? std::string("read ok") : "errno " + std::to_string(r.error().errnum);
        (void)sys::write_all(1, out + " direct " + std::to_string(sys::direct_stats().ops - ops));
        sys::exit(0);
    }
    if (g_name == "child-read" || g_name == "child-read-sigint") {
        if (g_name == "child-read-sigint") signal(SIGINT, [](int) {});
        auto fd = sys::open(a2, O_RDONLY_);
        if (!fd) { (void)sys::write_all(1, "open failed: errno " + std::to_string(fd.error().errnum)); sys::exit(1); }
        (void)sys::write_all(1, "o");  // opened: the parent may now interrupt the read
        char c;
        auto r = sys::read(*fd, &c, 1);
        (void)sys::write_all(1, r ? std::string("read ok") : "errno " + std::to_string(r.error().errnum));
        sys::exit(0);
    }
    static const std::map<std::string, std::function<void()>> tests = {
        {"pipe", t_pipe}, {"files", t_files}, {"zero", t_zero}, {"event", t_event}, {"ids", t_ids},
        {"namespace", t_namespace}, {"fmap", t_fmap}, {"dma", t_dma}, {"platform", t_platform}, {"irq", t_irq}, {"threads", t_threads}, {"thread-signal", t_thread_signal}, {"crash", t_crash}, {"cancel", t_cancel},
        {"garbage", t_garbage}, {"wait", t_wait}, {"sendfd", t_sendfd},
        {"faults", t_faults}, {"vtime", t_vtime},
        {"direct", t_direct}, {"direct-signal", t_direct_signal}, {"direct-crash", t_direct_crash},
        {"direct-off", t_direct_off}, {"direct-copy", t_direct_copy}, {"direct-withdraw", t_direct_withdraw},
        {"direct-batch", t_direct_batch}, {"direct-shared-core", t_direct_shared_core},
        {"direct-threads", t_direct_threads},
        {"rootfs", t_rootfs}, {"rootfs-perm", t_rootfs_perm}, {"persist-write", t_persist_write},
        {"persist-check", t_persist_check}, {"persist-absent", t_persist_absent},
        {"mount-image", t_mount_image}, {"rootfs-full", t_rootfs_full}, {"exec-image", t_exec_image},
    };
    g_arg = a2;
    auto it = tests.find(g_name);
    if (it == tests.end()) {
        (void)sys::write_all(2, "simtest: unknown test " + g_name + "\n");
        return 2;
    }
    it->second();
    (void)sys::write_all(1, "ok " + g_name + "\n");
    sys::exit(0);
}
