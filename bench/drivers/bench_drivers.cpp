// Driver-core throughput against the device models, each next to a host baseline
// measured in the same run:
//   nvme  4 KiB random reads at queue depth 1 and 32 vs pread() on the backing file;
//   e1000 1514-byte frames in batches of 64, out and back in, vs a socketpair
//         carrying the same frames.
// The models are in-process and synchronous, so these figures are the per-I/O cost
// of the driver path (rings, doorbells, completions, copies), not of any device.
//
//   disk  the same reads from inside a booted sim (diskbench): a sim process reads
//         /scheme/disk.pci-00-02.0/0, so each read crosses the kernel-sim, nvmed's
//         disk scheme, its core and the model, with DMA memory and interrupts from
//         the memory and irq schemes; vs the same pread baseline.
//
// Over real VFIO (tests/vfio/qemu_vfio.sh runs these in its guest, on QEMU's NVMe):
//   bench-drivers --nvme-vfio 0000:00:03.0   nvmed's core at QD1 and QD32 through vfio-pci
//   bench-drivers --pread-direct /dev/nvme0n1 the baseline: O_DIRECT pread through the
//                                             kernel's nvme driver on the same device
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "e1000/e1000.h"
#include "model/e1000_model.h"
#include "model/nvme_model.h"
#include "nvme/nvme.h"
#include "vfio/vfio_device.h"

using namespace redox;
using Clock = std::chrono::steady_clock;

namespace {
constexpr double RunSeconds = 0.7;
constexpr size_t DiskBytes = 64 << 20;
constexpr uint64_t Blocks4k = DiskBytes / 4096;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench-drivers: %s\n", what.c_str());
    std::exit(1);
}

template <typename T>
T must(Result<T> r, const char* what) {
    if (!r)
        die(std::string(what) + ": " + r.error().message());
    return std::move(*r);
}
void must(Result<void> r, const char* what) {
    if (!r)
        die(std::string(what) + ": " + r.error().message());
}

// Runs body(batch) until RunSeconds pass; body returns operations done.
template <typename F>
double rate(F&& body) {
    for (int i = 0; i < 3; ++i)
        body(); // warm up caches and rings
    uint64_t ops = 0;
    auto start = Clock::now();
    double elapsed = 0;
    while (elapsed < RunSeconds) {
        ops += body();
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    return static_cast<double>(ops) / elapsed;
}

std::string make_disk() {
    char tmpl[] = "/tmp/bench-drivers-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0)
        die("mkstemp");
    std::vector<char> buf(1 << 20);
    std::mt19937 rng(1);
    for (auto& c : buf)
        c = static_cast<char>(rng());
    for (size_t off = 0; off < DiskBytes; off += buf.size())
        if (::pwrite(fd, buf.data(), buf.size(), static_cast<off_t>(off)) != static_cast<ssize_t>(buf.size()))
            die("writing the disk image");
    ::close(fd);
    return tmpl;
}

// 4 KiB random reads at queue depth `depth` over the first `blocks4k` 4 KiB blocks.
double nvme_iops(nvme::Nvme& ctrl, pci::DmaBuffer& bufs, uint64_t blocks4k, unsigned depth) {
    std::mt19937_64 rng(7);
    uint32_t per4k = 4096 / ctrl.namespaces().at(0).block_size;
    auto lba = [&] { return (rng() % blocks4k) * per4k; };
    return rate([&] {
        uint64_t done = 0, issued = 0;
        const uint64_t batch = 512;
        for (unsigned t = 0; t < depth; ++t, ++issued)
            must(ctrl.submit_io(nvme::io::Read, 1, lba(), per4k, bufs.bus_addr(t * 4096), t), "submit");
        ctrl.kick();
        while (done < batch) {
            size_t n = ctrl.poll_io([&](uint64_t tag, Result<void> r) {
                if (!r)
                    die("read failed: " + r.error().message());
                ++done;
                if (issued < batch) {
                    must(ctrl.submit_io(nvme::io::Read, 1, lba(), per4k, bufs.bus_addr(tag * 4096), tag), "submit");
                    ++issued;
                }
            });
            if (n)
                ctrl.kick();
            else if (!must(ctrl.wait_io(1000), "wait"))
                die("nvme completion timed out");
        }
        return batch;
    });
}

// The sim's output lines "disk_qdN IOPS" from `diskbench DISK N` runs.
void bench_disk_scheme(const std::string& image, double base) {
    std::string cmd = std::string(REDOX_SIM_PATH) + " boot --config minimal --log-level quiet --timeout 60 --device nvme=" +
                      image + " --exec 'diskbench /scheme/disk.pci-00-02.0/0 1'" +
                      " --exec 'diskbench /scheme/disk.pci-00-02.0/0 32' 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        die("popen redox-sim");
    std::string out;
    char line[512];
    while (std::fgets(line, sizeof line, p))
        out += line;
    int st = ::pclose(p);
    double qd[2] = {0, 0};
    std::string paths;  // "disk_qdN_direct_ops ...": how many reads took the direct channel
    for (size_t at = 0; at < out.size();) {
        size_t end = out.find('\n', at);
        std::string l = out.substr(at, end == std::string::npos ? std::string::npos : end - at);
        unsigned depth = 0;
        double iops = 0;
        if (l.find("_direct_ops") != std::string::npos)
            paths += "  " + l + "\n";
        else if (std::sscanf(l.c_str(), "disk_qd%u %lf", &depth, &iops) == 2)
            qd[depth == 1 ? 0 : 1] = iops;
        at = end == std::string::npos ? out.size() : end + 1;
    }
    if (st != 0 || qd[0] == 0 || qd[1] == 0)
        die("the sim's disk benchmark failed: " + out);
    std::printf("disk scheme in the sim  QD1            %10.0f IOPS  ratio %.2f\n", qd[0], qd[0] / base);
    std::printf("disk scheme in the sim  QD32 (batched) %10.0f IOPS  ratio %.2f\n", qd[1], qd[1] / base);
    std::printf("%s", paths.c_str());
}

// 4 KiB random preads (QD1) over the first `blocks4k` blocks of fd.
double pread_iops(int fd, uint64_t blocks4k) {
    std::mt19937_64 rng(7);
    void* host = nullptr;
    if (::posix_memalign(&host, 4096, 4096) != 0)
        die("posix_memalign");
    double r = rate([&] {
        for (int i = 0; i < 256; ++i)
            if (::pread(fd, host, 4096, static_cast<off_t>((rng() % blocks4k) * 4096)) != 4096)
                die(std::string("pread: ") + std::strerror(errno));
        return 256;
    });
    std::free(host);
    return r;
}

void bench_nvme() {
    std::string path = make_disk();
    auto model = must(pci::NvmeModel::create(path), "nvme model");
    auto ctrl = must(nvme::Nvme::create(*model, {.timeout_ms = 2000, .io_queue_entries = 64}), "nvme driver");
    auto bufs = must(model->alloc_dma(32 * 4096), "DMA buffers");

    int fd = ::open(path.c_str(), O_RDONLY);
    double base = pread_iops(fd, Blocks4k);
    ::close(fd);
    double qd1 = nvme_iops(*ctrl, bufs, Blocks4k, 1);
    double qd32 = nvme_iops(*ctrl, bufs, Blocks4k, 32);
    std::printf("nvme 4KiB random read   pread baseline %10.0f IOPS\n", base);
    std::printf("nvme 4KiB random read   QD1            %10.0f IOPS  ratio %.2f\n", qd1, qd1 / base);
    std::printf("nvme 4KiB random read   QD32           %10.0f IOPS  ratio %.2f\n", qd32, qd32 / base);
    bench_disk_scheme(path, base);
    ::unlink(path.c_str());
}

void bench_nvme_vfio(const std::string& addr) {
    auto a = pci::PciAddress::parse(addr);
    if (!a)
        die("--nvme-vfio " + addr + ": not a PCI address");
    auto dev = must(vfio::VfioDevice::open(*a), "vfio");
    auto ctrl = must(nvme::Nvme::create(*dev, {.timeout_ms = 2000, .io_queue_entries = 64}), "nvme driver");
    if (ctrl->namespaces().empty())
        die("nvme " + addr + ": no namespace");
    const auto& ns = ctrl->namespaces()[0];
    uint64_t blocks4k = ns.blocks * ns.block_size / 4096;
    if (blocks4k == 0 || ns.block_size > 4096)
        die("nvme " + addr + ": namespace 1 too small or blocks over 4 KiB");
    auto bufs = must(dev->alloc_dma(32 * 4096), "DMA buffers");
    double qd1 = nvme_iops(*ctrl, bufs, blocks4k, 1);
    double qd32 = nvme_iops(*ctrl, bufs, blocks4k, 32);
    std::printf("nvme-vfio 4KiB random read QD1  %10.0f IOPS\n", qd1);
    std::printf("nvme-vfio 4KiB random read QD32 %10.0f IOPS\n", qd32);
}

void bench_pread_direct(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT);
    if (fd < 0)
        die(path + ": " + std::strerror(errno));
    off_t size = ::lseek(fd, 0, SEEK_END);
    if (size < 4096)
        die(path + ": smaller than 4 KiB");
    double base = pread_iops(fd, static_cast<uint64_t>(size) / 4096);
    ::close(fd);
    std::printf("pread O_DIRECT 4KiB random read QD1 %10.0f IOPS\n", base);
}
void bench_e1000() {
    constexpr size_t Batch = 64, FrameLen = 1514;
    std::vector<std::vector<uint8_t>> frames(Batch, std::vector<uint8_t>(FrameLen));
    for (size_t i = 0; i < Batch; ++i)
        for (size_t j = 0; j < FrameLen; ++j)
            frames[i][j] = static_cast<uint8_t>(i + j);
    std::vector<std::span<const uint8_t>> views(frames.begin(), frames.end());

    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
        die("socketpair");
    int size = 4 << 20;
    ::setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    ::setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    std::vector<uint8_t> buf(2048);
    // Both directions, as the NIC path below: Batch frames out, Batch frames in.
    double base = rate([&] {
        for (int dir = 0; dir < 2; ++dir) {
            for (auto& f : frames)
                if (::write(sv[dir], f.data(), f.size()) != static_cast<ssize_t>(f.size()))
                    die("socketpair write");
            for (size_t i = 0; i < Batch; ++i)
                if (::read(sv[1 - dir], buf.data(), buf.size()) != static_cast<ssize_t>(FrameLen))
                    die("socketpair read");
        }
        return 2 * Batch;
    });
    ::close(sv[0]);
    ::close(sv[1]);

    auto model = pci::E1000Model::create();
    auto nic = must(e1000::E1000::create(*model), "e1000 driver");
    double nic_rate = rate([&] {
        must(nic->send_batch(views), "send");
        size_t out = 0;
        while (auto f = model->host_receive()) {
            model->host_send(*f); // the host side echoes every frame back
            ++out;
        }
        if (out != Batch)
            die("e1000: frames lost on transmit");
        size_t in = 0;
        while (in < Batch) {
            size_t n = must(nic->receive_batch([&](std::span<const uint8_t> f) {
                if (f.size() != FrameLen)
                    die("e1000: bad frame length");
            }), "receive");
            if (n == 0)
                die("e1000: frames lost on receive");
            in += n;
        }
        must(nic->handle_irq(), "irq");
        return 2 * Batch;
    });
    std::printf("e1000 1514B frames x%zu socketpair     %10.0f frames/s\n", Batch, base);
    std::printf("e1000 1514B frames x%zu driver+model   %10.0f frames/s  ratio %.2f\n", Batch, nic_rate,
                nic_rate / base);
}
} // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "--nvme-vfio" && argc == 3) {
        bench_nvme_vfio(argv[2]);
    } else if (mode == "--pread-direct" && argc == 3) {
        bench_pread_direct(argv[2]);
    } else if (argc == 1) {
        bench_nvme();
        bench_e1000();
    } else {
        die("usage: bench-drivers [--nvme-vfio ADDR | --pread-direct DEVICE]");
    }
    return 0;
}
