// Kernel schemes drivers get their hardware resources from: memory (anonymous
// and DMA memory, virtual-to-physical translation) and irq (interrupt vectors).
#include "kernel-sim/kschemes.h"
#include "kernel-sim/ks_util.h"
#include "kernel-sim/namespaces.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/vfio.h>
#include <map>
#include <set>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

namespace redox::kernel {

namespace {

constexpr uint64_t kPage = 4096;
// Where the sim's "physical" DMA memory starts: above 4 GiB, inside the
// 39-bit address width of a typical IOMMU, so the same numbers serve as
// VFIO IOVAs.
constexpr uint64_t kPhysBase = 0x1'0000'0000ull;
// Where device registers (BARs) are placed: the PCI hole below 4 GiB, up to
// the IOAPIC and the MSI window, as firmware places them on a PC.
constexpr uint64_t kMmioBase = 0xC000'0000ull, kMmioEnd = 0xFEC0'0000ull;

struct MemPath {
    std::string name;       // "", "zeroed", "translation", "physical"
    std::string type;       // wb (default), wc, uc, dev
    bool contiguous = false;
};

Result<MemPath> parse_memory_path(std::string_view path) {
    MemPath m;
    if (auto q = path.find('?'); q != std::string_view::npos) {
        if (path.substr(q + 1) != "phys_contiguous") return err(EINVAL_);
        m.contiguous = true;
        path = path.substr(0, q);
    }
    m.type = "wb";
    if (auto at = path.find('@'); at != std::string_view::npos) {
        m.type = std::string(path.substr(at + 1));
        path = path.substr(0, at);
        if (m.type != "wb" && m.type != "wc" && m.type != "uc" && m.type != "dev") return err(EINVAL_);
    }
    m.name = std::string(path);
    if (m.name != "" && m.name != "zeroed" && m.name != "translation" && m.name != "physical" && m.name != "device")
        return err(ENOENT_);
    if (m.contiguous && (m.name == "translation" || m.name == "device")) return err(EINVAL_);
    return m;
}

} // namespace

// memory: "" or "zeroed" is anonymous memory to fmap (real shared pages of a
// memfd). `zeroed?phys_contiguous` (root) is DMA memory: its first fmap fixes
// its size and gives it a free range of the sim's physical address space
// (back to the pool when the handle closes), which
// drivers hand to devices (a VFIO IOVA, a model's bus address). `translation`
// answers a call whose 8-byte payload is an address in the caller's space
// with the physical address behind it (payload rewritten), found by reading
// the caller's Linux mappings. `physical` (root) maps physical memory by
// address: the fmap offset is the physical address of a DMA range or of
// device registers. fstatvfs reports the host's RAM figures.
//
// `device` (root) is the sim's platform, where pcid gives the kernel-sim the
// host hardware it owns, with calls on the handle (both last as long as it):
// - meta {1, FD}: FD is a VFIO container of the caller. Every DMA range, now
//   and later, is mapped into it at its physical address (the IOVA), so bus
//   addresses are physical addresses, as on a machine without an IOMMU.
// - meta {2, FD}, payload {file offset, size} (u64 each): device registers,
//   the caller's FD mapped at that offset (a VFIO device's BAR region), get a
//   range of the physical address space below 4 GiB, aligned to its size;
//   the payload comes back as {physical address, size}. Drivers then map them
//   through `physical`, as they would a BAR on Redox.
// `/scheme/sys/iomem` lists the ranges.
class MemoryScheme final : public KernelScheme, public Mappable {
public:
    MemoryScheme() : KernelScheme("memory") {}
    ~MemoryScheme() override {
        for (auto& [id, o] : m_objects) release(o);
        for (auto& m : m_iommus) ::close(m.fd);
        for (auto& m : m_mmio) ::close(m.fd);
    }

    std::string iomem_table() const {
        std::map<uint64_t, std::string> lines;
        for (auto& [id, o] : m_objects)
            if (o.contiguous && o.phys)
                lines[o.phys] = fmt::format("{:012x}-{:012x} dma pid {}{}\n", o.phys, o.phys + o.size - 1, o.owner,
                                            m_iommus.empty() ? "" : " iommu");
        for (auto& m : m_mmio)
            lines[m.phys] = fmt::format("{:012x}-{:012x} mmio pid {}\n", m.phys, m.phys + m.size - 1, m.owner);
        std::string out;
        for (auto& [phys, line] : lines) out += line;
        return out;
    }
    Result<MapFd> mmap_fd(Kernel& k, uint64_t number, uint64_t offset, uint64_t size) override {
        auto h = m_handles.find(number);
        if (h == m_handles.end()) return err(EBADF_);
        if (h->second == Kind::Translation || h->second == Kind::Device) return err(ENODEV_);
        if (h->second == Kind::Physical) return map_physical(offset, size);
        auto it = m_objects.find(number);
        if (it == m_objects.end()) return err(EBADF_);
        Object& o = it->second;
        uint64_t need = offset + size;
        if (o.contiguous) {
            if (o.phys == 0) {
                uint64_t len = (need + kPage - 1) & ~(kPage - 1);
                if (ftruncate(o.fd, off_t(len)) != 0) return err(ENOMEM_);
                o.size = len;
                o.phys = take_phys(len + kPage);  // an unmapped page between ranges
                for (size_t i = 0; i < m_iommus.size(); ++i) {
                    if (auto r = iommu_map(k, m_iommus[i], o); !r) {
                        while (i--) iommu_unmap(k, m_iommus[i], o);
                        unmap_kernel_view(o);
                        o.phys = 0;
                        return std::unexpected(r.error());
                    }
                }
            } else if (need > o.size) {
                return err(EINVAL_);  // contiguous memory keeps the size of its first map
            }
        } else {
            struct stat st;
            if (fstat(o.fd, &st) == 0 && uint64_t(st.st_size) < need && ftruncate(o.fd, off_t(need)) != 0)
                return err(ENOMEM_);
            o.size = std::max(o.size, need);
        }
        int fd = dup(o.fd);
        if (fd < 0) return err(EMFILE_);
        return MapFd{fd, offset};
    }

protected:
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t&) override {
        if (r.op == Opcode::Open) {
            MemPath m = TRY(parse_memory_path(r.path));
            bool plain = (m.name.empty() || m.name == "zeroed") && !m.contiguous && m.type == "wb";
            if (!plain && m.name != "translation" && r.uid != 0) return err(EACCES_);
            uint64_t id = m_next++;
            if (m.name == "translation") { m_handles[id] = Kind::Translation; return id; }
            if (m.name == "physical") { m_handles[id] = Kind::Physical; return id; }
            if (m.name == "device") { m_handles[id] = Kind::Device; return id; }
            int fd = memfd_create(m.contiguous ? "redox-dma" : "redox-memory", MFD_CLOEXEC);
            if (fd < 0) return err(ENOMEM_);
            struct stat st{};
            (void)fstat(fd, &st);
            Object o;
            o.fd = fd;
            o.contiguous = m.contiguous;
            o.inode = uint64_t(st.st_ino);
            o.owner = r.pid;
            m_objects[id] = o;
            m_handles[id] = Kind::Memory;
            return id;
        }
        auto h = m_handles.find(r.number);
        if (h == m_handles.end()) return err(EBADF_);
        switch (r.op) {
        case Opcode::Call:
            if (h->second == Kind::Device) return device_call(k, r);
            if (h->second != Kind::Translation) return err(EINVAL_);
            return translate(k, r);
        case Opcode::Fstat: return put_stat(k, r, make_stat(MODE_FILE | 0600));
        case Opcode::Fstatvfs: {
            StatVfs v{};
            v.f_bsize = 4096;
            long pages = sysconf(_SC_PHYS_PAGES), avail = sysconf(_SC_AVPHYS_PAGES);
            v.f_blocks = uint64_t(pages);
            v.f_bfree = v.f_bavail = uint64_t(avail);
            if (r.len < sizeof v || !k.copy_to(r.pid, r.buf, &v, sizeof v)) return err(EFAULT_);
            return 0;
        }
        case Opcode::Fpath: {
            const char* what = h->second == Kind::Translation ? "translation"
                             : h->second == Kind::Physical    ? "physical"
                             : h->second == Kind::Device      ? "device"
                                                              : "";
            return put_fpath(k, r, std::string("/scheme/memory/") + what);
        }
        case Opcode::Fevent: case Opcode::Fsync: case Opcode::Fcntl: return 0;
        default: return err(EBADF_);
        }
    }
    void on_close(Kernel& k, uint64_t number) override {
        m_handles.erase(number);
        auto it = m_objects.find(number);
        // The pages live on in the mappings (the memfd's own reference), but
        // devices lose sight of them and the physical range is free again.
        if (it != m_objects.end()) {
            for (auto& m : m_iommus) iommu_unmap(k, m, it->second);
            if (it->second.contiguous && it->second.phys) give_phys(it->second.phys, it->second.size + kPage);
            release(it->second);
            m_objects.erase(it);
        }
        // What a device handle registered goes with it.
        for (auto m = m_iommus.begin(); m != m_iommus.end();) {
            if (m->handle != number) { ++m; continue; }
            for (auto& [id, o] : m_objects) iommu_unmap(k, *m, o);
            ::close(m->fd);
            m = m_iommus.erase(m);
        }
        if (m_iommus.empty())
            for (auto& [id, o] : m_objects) unmap_kernel_view(o);
        std::erase_if(m_mmio, [number](const Mmio& m) {
            if (m.handle == number) ::close(m.fd);
            return m.handle == number;
        });
    }

private:
    enum class Kind { Memory, Translation, Physical, Device };
    struct Object {
        int fd = -1;
        bool contiguous = false;
        uint64_t phys = 0;   // 0 until the first fmap of DMA memory
        uint64_t size = 0;
        uint64_t inode = 0;  // the memfd's, to recognise it in a process's mappings
        uint32_t owner = 0;  // who opened it (for iomem)
        void* view = nullptr;  // the kernel-sim's own mapping, while an IOMMU maps it
    };
    // A VFIO container (the kernel-sim's copy of pcid's fd).
    struct Iommu {
        uint64_t handle;
        int fd;
    };
    // Device registers placed in the physical address space.
    struct Mmio {
        uint64_t handle;
        uint32_t owner;
        int fd;
        uint64_t file_offset, phys, size;
    };

    // The physical address space for DMA: the lowest free range that fits
    // (first fit), else above everything handed out so far.
    uint64_t take_phys(uint64_t len) {
        for (auto it = m_free_phys.begin(); it != m_free_phys.end(); ++it) {
            auto [at, free_len] = *it;
            if (free_len < len) continue;
            m_free_phys.erase(it);
            if (free_len > len) m_free_phys[at + len] = free_len - len;
            return at;
        }
        uint64_t at = m_next_phys;
        m_next_phys += len;
        return at;
    }
    void give_phys(uint64_t at, uint64_t len) {
        auto next = m_free_phys.lower_bound(at);
        if (next != m_free_phys.end() && at + len == next->first) {
            len += next->second;
            next = m_free_phys.erase(next);
        }
        if (next != m_free_phys.begin()) {
            auto prev = std::prev(next);
            if (prev->first + prev->second == at) {
                prev->second += len;
                at = prev->first;
                len = prev->second;
                m_free_phys.erase(prev);
            }
        }
        if (at + len == m_next_phys) m_next_phys = at;  // the top shrinks back
        else m_free_phys[at] = len;
    }

    static void unmap_kernel_view(Object& o) {
        if (o.view) munmap(o.view, o.size);
        o.view = nullptr;
    }
    static void release(Object& o) {
        unmap_kernel_view(o);
        if (o.fd >= 0) ::close(o.fd);
        o.fd = -1;
    }

    // VFIO type1 pins the pages of the calling process's mapping: the
    // kernel-sim maps the range itself for as long as an IOMMU holds it.
    Result<void> iommu_map(Kernel& k, const Iommu& m, Object& o) {
        if (!o.contiguous || o.phys == 0) return {};
        if (!o.view) {
            void* v = mmap(nullptr, o.size, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd, 0);
            if (v == MAP_FAILED) return err(ENOMEM_);
            o.view = v;
        }
        vfio_iommu_type1_dma_map map{};
        map.argsz = sizeof map;
        map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
        map.vaddr = reinterpret_cast<uintptr_t>(o.view);
        map.iova = o.phys;
        map.size = o.size;
        if (ioctl(m.fd, VFIO_IOMMU_MAP_DMA, &map) != 0) {
            int e = errno;
            std::string why = std::strerror(e);
            rlimit rl{};
            if (e == ENOMEM && getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
                why += fmt::format(" (DMA memory is pinned: the locked-memory limit is {} KiB; raise it with "
                                   "`ulimit -l` or run as root)", rl.rlim_cur / 1024);
            k.log(1, fmt::format("memory: mapping DMA range {:#x}+{:#x} into a VFIO container: {}", o.phys, o.size, why));
            return err(e == ENOMEM ? ENOMEM_ : EIO_);
        }
        return {};
    }
    static void iommu_unmap(Kernel&, const Iommu& m, const Object& o) {
        if (!o.contiguous || o.phys == 0) return;
        vfio_iommu_type1_dma_unmap unmap{};
        unmap.argsz = sizeof unmap;
        unmap.iova = o.phys;
        unmap.size = o.size;
        (void)ioctl(m.fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
    }

    Result<uint64_t> device_call(Kernel& k, KRequest& r) {
        uint64_t what = r.args[0];
        Process* p = k.process(r.pid);
        if (!p || p->pidfd < 0) return err(ESRCH_);
        if (what != 1 && what != 2) return err(EINVAL_);
        uint64_t range[2] = {};
        if (what == 2 && (r.len != sizeof range || !k.copy_from(r.pid, r.buf, range, sizeof range)))
            return err(EINVAL_);
        int fd = int(syscall(SYS_pidfd_getfd, p->pidfd, int(r.args[1]), 0));
        if (fd < 0) return err(EBADF_);
        if (what == 1) {
            if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) { ::close(fd); return err(EINVAL_); }
            Iommu m{r.number, fd};
            for (auto& [id, o] : m_objects) {
                if (auto done = iommu_map(k, m, o); !done) {
                    for (auto& [id2, o2] : m_objects) iommu_unmap(k, m, o2);
                    ::close(fd);
                    return std::unexpected(done.error());
                }
            }
            m_iommus.push_back(m);
            return 0;
        }
        auto [file_offset, size] = std::pair{range[0], range[1]};
        if (size == 0 || size % kPage || file_offset % kPage) { ::close(fd); return err(EINVAL_); }
        // Naturally aligned, as BARs are; the lowest free place.
        uint64_t align = kPage;
        while (align < size) align <<= 1;
        uint64_t phys = kMmioBase;
        for (bool moved = true; moved;) {
            moved = false;
            for (auto& m : m_mmio)
                if (phys < m.phys + m.size && m.phys < phys + size) {
                    phys = (m.phys + m.size + align - 1) & ~(align - 1);
                    moved = true;
                }
        }
        if (phys + size > kMmioEnd) { ::close(fd); return err(ENOSPC_); }
        m_mmio.push_back(Mmio{r.number, r.pid, fd, file_offset, phys, size});
        uint64_t answer[2] = {phys, size};
        if (!k.copy_to(r.pid, r.buf, answer, sizeof answer)) return err(EFAULT_);
        return sizeof answer;
    }

    // `physical`: the range [phys, phys+size) must lie in one DMA object or
    // one device's registers.
    Result<MapFd> map_physical(uint64_t phys, uint64_t size) {
        for (auto& [id, o] : m_objects) {
            if (!o.contiguous || o.phys == 0 || phys < o.phys || phys - o.phys + size > o.size) continue;
            int fd = dup(o.fd);
            if (fd < 0) return err(EMFILE_);
            return MapFd{fd, phys - o.phys};
        }
        for (auto& m : m_mmio) {
            if (phys < m.phys || phys - m.phys + size > m.size) continue;
            int fd = dup(m.fd);
            if (fd < 0) return err(EMFILE_);
            return MapFd{fd, m.file_offset + (phys - m.phys)};
        }
        return err(EFAULT_);
    }

    // The caller's mapping that holds `virt`: which memfd inode, at what file offset.
    static Result<std::pair<uint64_t, uint64_t>> host_mapping(int linux_pid, uint64_t virt) {
        std::ifstream maps(fmt::format("/proc/{}/maps", linux_pid));
        if (!maps) return err(ESRCH_);
        std::string line;
        while (std::getline(maps, line)) {
            unsigned long long start = 0, end = 0, off = 0, inode = 0;
            char perms[8] = {};
            unsigned dev_major = 0, dev_minor = 0;
            if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %x:%x %llu", &start, &end, perms, &off, &dev_major,
                            &dev_minor, &inode) != 7)
                continue;
            if (virt < start || virt >= end) continue;
            return std::pair{uint64_t(inode), uint64_t(off) + (virt - start)};
        }
        return err(EFAULT_);
    }

    Result<uint64_t> translate(Kernel& k, KRequest& r) {
        uint64_t virt = 0;
        if (r.len != sizeof virt || !k.copy_from(r.pid, r.buf, &virt, sizeof virt)) return err(EINVAL_);
        Process* p = k.process(r.pid);
        if (!p) return err(ESRCH_);
        auto [inode, file_offset] = TRY(host_mapping(p->linux_pid, virt));
        for (auto& [id, o] : m_objects) {
            if (o.inode != inode || !o.contiguous || o.phys == 0) continue;
            if (file_offset >= o.size) return err(EFAULT_);
            uint64_t phys = o.phys + file_offset;
            if (!k.copy_to(r.pid, r.buf, &phys, sizeof phys)) return err(EFAULT_);
            return sizeof phys;
        }
        return err(EFAULT_);  // not DMA memory: it has no physical address in the sim
    }

    uint64_t m_next = 1;
    uint64_t m_next_phys = kPhysBase;
    std::map<uint64_t, uint64_t> m_free_phys;  // start -> length, below m_next_phys
    std::map<uint64_t, Kind> m_handles;
    std::map<uint64_t, Object> m_objects;  // Kind::Memory handles' objects, by handle id
    std::vector<Iommu> m_iommus;
    std::vector<Mmio> m_mmio;
};

// irq: interrupt vectors (root only). `""` lists `bsp` and `cpu-00`; `bsp`
// reads the boot CPU's id (8 bytes). `cpu-00` lists the free vectors; opening
// `cpu-00/N` with O_CREAT allocates vector N (EEXIST if taken), without it
// reopens an allocated one. `N` below 16 is a legacy (INTx) line, shared by
// whoever binds it.
//
// A vector counts interrupts; every handle acknowledges for itself (drivers
// sharing a legacy line each look at their device). Reading a handle returns
// the count (8 bytes) while an interrupt is unacknowledged on that handle and
// 0 bytes otherwise; writing that count back acknowledges it (and unmasks the
// sources bound through that handle: a level-triggered line). The handle is
// EVENT_READ-ready while an interrupt is unacknowledged on it.
//
// fmap of a vector handle (read-only, one page) shows its count as a u64 the
// kernel-sim updates before it rings the binder, so a driver's loop can see
// that an interrupt came without a call (a call's own completion would wake
// it again).
//
// On the host an interrupt is a Linux eventfd (VFIO's, or a device model's).
// A driver binds its eventfd to the vector with a call on the handle:
// meta {1, FD} for the trigger, {2, FD} for an unmask eventfd the kernel-sim
// writes on acknowledge. The kernel-sim takes the fds from the driver
// (pidfd_getfd), polls them, and when one fires counts it, feeds the event
// queues and rings the wake word of the binders and of whoever opened the
// vector, as a request for them would.
class IrqScheme final : public KernelScheme, public Mappable {
public:
    IrqScheme() : KernelScheme("irq") {}
    Result<MapFd> mmap_fd(Kernel&, uint64_t number, uint64_t offset, uint64_t size) override {
        auto h = m_handles.find(number);
        if (h == m_handles.end()) return err(EBADF_);
        if (!is_vector(h->second.key)) return err(ENODEV_);
        if (offset + size > kPage) return err(EINVAL_);
        Vector& v = m_vectors[h->second.key];
        TRY(v.page.create());
        v.page.publish(v.count);
        int fd = dup(v.page.fd);
        if (fd < 0) return err(EMFILE_);
        return MapFd{fd, offset};
    }
    ~IrqScheme() override {
        for (auto& [key, v] : m_vectors) drop_sources(nullptr, v, [](const Source&) { return true; });
    }
    bool root_only() const override { return true; }

    static constexpr unsigned kFirstVector = 16, kLastVector = 223;

    std::string table() const {
        std::string out;
        for (auto& [key, v] : m_vectors) {
            std::string pids;
            for (auto& s : v.sources) pids += fmt::format("{}{}", pids.empty() ? "" : ",", s.owner);
            out += fmt::format("{:<10} {:>10} {}\n", key, v.count, pids.empty() ? "-" : pids);
        }
        return out;
    }

protected:
    Result<uint64_t> handle(Kernel& k, KRequest& r, uint8_t&) override {
        if (r.op == Opcode::Open) return open(r);
        auto h = m_handles.find(r.number);
        if (h == m_handles.end()) return err(EBADF_);
        const std::string key = h->second.key;
        Handle& hs = h->second;
        switch (r.op) {
        case Opcode::Getdents: {
            if (key.empty()) return put_dirents(k, r, std::vector<std::string>{"bsp", "cpu-00"}, dir_kind);
            if (key == "cpu-00") return put_dirents(k, r, free_vectors(), [](const std::string&) { return uint8_t(DT_CHR_); });
            return err(ENOTDIR_);
        }
        case Opcode::Read: {
            if (key.empty() || key == "cpu-00") return err(EISDIR_);
            if (key == "bsp") {
                uint64_t cpu = 0;
                if (r.len < sizeof cpu || !k.copy_to(r.pid, r.buf, &cpu, sizeof cpu)) return err(EINVAL_);
                return sizeof cpu;
            }
            Vector& v = m_vectors[key];
            for (auto& s : v.sources)
                if (uint64_t n = take(s.trigger)) fired(k, key, v, n);
            if (v.count == hs.acked) return 0;
            if (r.len < sizeof v.count) return err(EINVAL_);
            if (!k.copy_to(r.pid, r.buf, &v.count, sizeof v.count)) return err(EFAULT_);
            return sizeof v.count;
        }
        case Opcode::Write: {
            if (!is_vector(key)) return err(EBADF_);
            uint64_t value = 0;
            if (r.len != sizeof value || !k.copy_from(r.pid, r.buf, &value, sizeof value)) return err(EINVAL_);
            Vector& v = m_vectors[key];
            if (value == v.count && hs.acked != v.count) {
                hs.acked = v.count;
                const uint64_t one = 1;
                for (auto& s : v.sources) {
                    if (s.handle != r.number) continue;
                    if (s.unmask >= 0) (void)!::write(s.unmask, &one, sizeof one);
                    arm(k, key, s);
                }
            }
            return sizeof value;
        }
        case Opcode::Call: return bind(k, r, key, hs);
        case Opcode::Fevent: {
            if (!is_vector(key)) return 0;
            return m_vectors[key].count != hs.acked ? uint32_t(EVENT_READ) : 0u;
        }
        case Opcode::Fstat:
            return put_stat(k, r, make_stat(key.empty() || key == "cpu-00" ? MODE_DIR | 0500 : MODE_CHR | 0600));
        case Opcode::Fpath: return put_fpath(k, r, "/scheme/irq/" + key);
        case Opcode::Fcntl: case Opcode::Fsync: return 0;
        default: return err(EBADF_);
        }
    }

    void on_close(Kernel& k, uint64_t number) override {
        auto h = m_handles.find(number);
        if (h == m_handles.end()) return;
        std::string key = h->second.key;
        m_handles.erase(h);
        if (!is_vector(key)) return;
        auto it = m_vectors.find(key);
        if (it == m_vectors.end()) return;
        // The sources bound through this handle go with it.
        drop_sources(&k, it->second, [number](const Source& s) { return s.handle == number; });
        for (auto& [id, other] : m_handles)
            if (other.key == key) return;
        // The last handle of a vector: a cpu vector is free again.
        drop_sources(&k, it->second, [](const Source&) { return true; });
        m_vectors.erase(it);
    }

    void process_exited(Kernel& k, uint32_t pid) override {
        KernelScheme::process_exited(k, pid);
        for (auto& [key, v] : m_vectors) drop_sources(&k, v, [pid](const Source& s) { return s.owner == pid; });
    }

private:
    struct Source {
        uint32_t owner;
        uint64_t handle;   // bound through this handle, which acknowledges for it
        int trigger = -1;  // the kernel-sim's copy of the driver's eventfd
        int unmask = -1;
        uint64_t id = 0;
        uint64_t poll = 0;  // the kernel-sim's poll on `trigger`, 0 while none
    };
    struct Handle {
        std::string key;
        uint32_t opener = 0;
        uint64_t acked = 0;  // the count this handle acknowledged last
    };
    // The page fmap shows: sealed against writable maps other than ours.
    struct CountPage {
        int fd = -1;
        uint64_t* count = nullptr;
        CountPage() = default;
        CountPage(const CountPage&) = delete;
        CountPage& operator=(const CountPage&) = delete;
        ~CountPage() {
            if (count) munmap(count, kPage);
            if (fd >= 0) ::close(fd);
        }
        Result<void> create() {
            if (fd >= 0) return {};
            int f = memfd_create("redox-irq", MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (f < 0) return err(ENOMEM_);
            void* p = MAP_FAILED;
            if (ftruncate(f, off_t(kPage)) == 0) p = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
            if (p == MAP_FAILED ||
                fcntl(f, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) != 0) {
                if (p != MAP_FAILED) munmap(p, kPage);
                ::close(f);
                return err(ENOMEM_);
            }
            fd = f;
            count = static_cast<uint64_t*>(p);
            return {};
        }
        void publish(uint64_t v) {
            if (count) __atomic_store_n(count, v, __ATOMIC_SEQ_CST);
        }
    };
    struct Vector {
        uint64_t count = 0;
        std::vector<Source> sources;
        CountPage page;
    };

    static uint8_t dir_kind(const std::string& n) { return n == "bsp" ? uint8_t(DT_CHR_) : uint8_t(DT_DIR_); }
    static bool is_vector(const std::string& key) { return !key.empty() && key != "bsp" && key != "cpu-00"; }

    std::vector<std::string> free_vectors() const {
        std::vector<std::string> out;
        for (unsigned n = kFirstVector; n <= kLastVector; ++n)
            if (!m_vectors.count("cpu-00/" + std::to_string(n))) out.push_back(std::to_string(n));
        return out;
    }

    Result<uint64_t> open(KRequest& r) {
        if (r.uid != 0) return err(EACCES_);
        std::string path = r.path;
        while (!path.empty() && path.back() == '/') path.pop_back();
        bool create = r.args[0] & O_CREAT_;
        std::string key;
        if (path.empty() || path == "bsp" || path == "cpu-00") {
            key = path;
        } else if (path.starts_with("cpu-00/")) {
            std::string n = path.substr(7);
            unsigned v = 0;
            if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != std::string::npos) return err(ENOENT_);
            v = unsigned(std::stoul(n));
            if (v < kFirstVector || v > kLastVector) return err(ENOENT_);
            key = "cpu-00/" + std::to_string(v);
            bool taken = m_vectors.count(key) != 0;
            if (create && taken) return err(EEXIST_);
            if (!create && !taken) return err(ENOENT_);
            m_vectors[key];
        } else if (path.find_first_not_of("0123456789") == std::string::npos && path.size() <= 2 &&
                   std::stoul(path) < 16) {
            key = std::to_string(std::stoul(path));
            m_vectors[key];  // legacy lines always exist, shared
        } else {
            return err(ENOENT_);
        }
        uint64_t id = m_next++;
        // A new handle starts with nothing to acknowledge.
        m_handles[id] = Handle{key, r.pid, is_vector(key) ? m_vectors[key].count : 0};
        return id;
    }

    Result<uint64_t> bind(Kernel& k, KRequest& r, const std::string& key, const Handle& through) {
        if (!is_vector(key)) return err(EINVAL_);
        uint64_t what = r.args[0], fd_number = r.args[1];
        if (what != 1 && what != 2) return err(EINVAL_);
        Process* p = k.process(r.pid);
        if (!p || p->pidfd < 0) return err(ESRCH_);
        int fd = int(syscall(SYS_pidfd_getfd, p->pidfd, int(fd_number), 0));
        if (fd < 0) return err(EBADF_);
        Vector& v = m_vectors[key];
        if (what == 2) {
            // The unmask eventfd joins the latest source bound through this handle.
            for (auto it = v.sources.rbegin(); it != v.sources.rend(); ++it)
                if (it->handle == r.number) {
                    if (it->unmask >= 0) ::close(it->unmask);
                    it->unmask = fd;
                    return 0;
                }
            ::close(fd);
            return err(EINVAL_);
        }
        // The kernel-sim reads it without blocking (the file is shared with the
        // driver, which only hands it to the device).
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        v.sources.push_back(Source{r.pid, r.number, fd, -1, m_next_source++, 0});
        if (v.count == through.acked) arm(k, key, v.sources.back());
        return 0;
    }

    // Interrupts arrived on a vector: count them. Each handle that goes from
    // quiet to pending rings its opener and its binders and tells the event
    // queues; a pending handle only sees the count grow until it acknowledges.
    void fired(Kernel& k, const std::string& key, Vector& v, uint64_t n) {
        uint64_t before = v.count;
        v.count += n;
        v.page.publish(v.count);
        for (auto& [id, h] : m_handles) {
            if (h.key != key || h.acked != before) continue;
            if (Process* opener = k.process(h.opener)) k.wake_later(*opener);
            for (auto& s : v.sources)
                if (s.handle == id)
                    if (Process* owner = k.process(s.owner)) k.wake_later(*owner);
            k.trigger(this, id, EVENT_READ);
        }
    }

    // A source's handle has nothing unacknowledged (or is gone).
    bool quiet(const Vector& v, const Source& s) const {
        auto h = m_handles.find(s.handle);
        return h == m_handles.end() || h->second.acked == v.count;
    }

    static uint64_t take(int eventfd) {
        uint64_t n = 0;
        return ::read(eventfd, &n, sizeof n) == ssize_t(sizeof n) ? n : 0;
    }

    // The kernel-sim polls a source's eventfd only while its handle is quiet:
    // a pending vector is drained when read and the source polled again when
    // its handle acknowledges, so a device that interrupts on every command
    // costs nothing in between.
    void arm(Kernel& k, const std::string& key, Source& src) {
        if (src.poll) return;
        std::weak_ptr<Scheme> self = weak_from_this();
        uint64_t source_id = src.id;
        src.poll = k.poll_host_fd(src.trigger, [this, self, &k, key, source_id] {
            if (self.expired()) return;
            auto vit = m_vectors.find(key);
            if (vit == m_vectors.end()) return;
            Vector& v = vit->second;
            for (auto& s : v.sources) {
                if (s.id != source_id) continue;
                s.poll = 0;
                if (uint64_t n = take(s.trigger)) fired(k, key, v, n);
                if (quiet(v, s)) arm(k, key, s);
                return;
            }
        });
    }

    // Drops the sources `which` picks; k is null only when the kernel-sim
    // itself goes away.
    template <typename Pick>
    void drop_sources(Kernel* k, Vector& v, Pick which) {
        for (auto it = v.sources.begin(); it != v.sources.end();) {
            if (!which(*it)) { ++it; continue; }
            if (it->poll && k) k->cancel_host_poll(it->poll);
            if (it->trigger >= 0) ::close(it->trigger);
            if (it->unmask >= 0) ::close(it->unmask);
            it = v.sources.erase(it);
        }
    }

    uint64_t m_next = 1;
    uint64_t m_next_source = 1;
    std::map<uint64_t, Handle> m_handles;
    std::map<std::string, Vector> m_vectors;
};

void register_device_schemes(Kernel& k) {
    auto memory = std::make_shared<MemoryScheme>();
    auto irq = std::make_shared<IrqScheme>();
    k.namespaces().add_kernel_scheme(memory, true, true);
    k.namespaces().add_kernel_scheme(irq, false, false);
    k.add_scheme(memory);
    k.add_scheme(irq);
}

std::string iomem_table(Kernel& k) {
    for (auto& s : k.schemes())
        if (auto* memory = dynamic_cast<MemoryScheme*>(s.get())) return memory->iomem_table();
    return "";
}

std::string irq_table(Kernel& k) {
    for (auto& s : k.schemes())
        if (auto* irq = dynamic_cast<IrqScheme*>(s.get())) return irq->table();
    return "";
}

} // namespace redox::kernel
