// Shared helpers for the drivers-vfio tests: a temp dir and disk images in it.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

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

} // namespace test
