// Shared helpers for the drivers-vfio tests: a temp dir and disk images in it, and
// a device wrapper that counts writes to one register (doorbells).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "pci/pci_device.h"

namespace test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "redox-drivers-XXXXXX").string();
        m_path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

// A zero-filled file of `bytes` bytes.
inline std::string make_image(const TempDir& dir, const std::string& name, size_t bytes) {
    auto p = (dir.path() / name).string();
    int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        [[maybe_unused]] int r = ::ftruncate(fd, static_cast<off_t>(bytes));
        ::close(fd);
    }
    return p;
}

inline std::vector<std::byte> random_bytes(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::byte> v(n);
    for (auto& b : v)
        b = static_cast<std::byte>(rng());
    return v;
}

inline std::vector<std::byte> file_bytes(const std::string& path, size_t offset, size_t n) {
    std::vector<std::byte> v(n);
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd >= 0) {
        [[maybe_unused]] auto r = ::pread(fd, v.data(), n, static_cast<off_t>(offset));
        ::close(fd);
    }
    return v;
}

// A device (a model) seen through register windows that count the writes to
// one offset of any BAR, e.g. a doorbell, so a test can tell how many times a
// driver rang it.
class CountingDevice final : public redox::pci::PciDevice, public redox::pci::MmioHandler {
public:
    CountingDevice(redox::pci::PciDevice& inner, uint64_t counted_offset) : m_inner(inner), m_offset(counted_offset) {}
    size_t writes = 0;

    std::string name() const override { return m_inner.name(); }
    redox::Result<uint32_t> config_read(uint16_t o, unsigned s) override { return m_inner.config_read(o, s); }
    redox::Result<void> config_write(uint16_t o, unsigned s, uint32_t v) override { return m_inner.config_write(o, s, v); }
    redox::Result<redox::pci::RegisterWindow> map_bar(unsigned bar) override {
        if (bar >= 6) return m_inner.map_bar(bar);
        auto w = m_inner.map_bar(bar);
        if (!w) return w;
        m_windows[bar] = *w;
        return redox::pci::RegisterWindow(this, bar, w->size());
    }
    redox::Result<redox::pci::DmaBuffer> alloc_dma(size_t size) override { return m_inner.alloc_dma(size); }
    unsigned irq_count(redox::pci::IrqMode mode) const override { return m_inner.irq_count(mode); }
    redox::Result<std::vector<redox::pci::IrqEvent>> enable_irqs(redox::pci::IrqMode mode, unsigned n) override {
        return m_inner.enable_irqs(mode, n);
    }
    redox::Result<void> unmask_intx() override { return m_inner.unmask_intx(); }

    uint64_t mmio_read(unsigned bar, uint64_t offset, unsigned size) override {
        return size == 8 ? m_windows[bar].read<uint64_t>(offset) : m_windows[bar].read<uint32_t>(offset);
    }
    void mmio_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override {
        if (offset == m_offset) ++writes;
        if (size == 8) m_windows[bar].write<uint64_t>(offset, value);
        else m_windows[bar].write<uint32_t>(offset, uint32_t(value));
    }

private:
    redox::pci::PciDevice& m_inner;
    uint64_t m_offset;
    redox::pci::RegisterWindow m_windows[6];
};

} // namespace test
