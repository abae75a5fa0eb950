#include "schemes/names.h"

#include "schemes/protocol.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace redox {

namespace {

constexpr std::pair<unsigned, const char*> kOps[] = {
    {0, "open"}, {1, "rmdir"}, {2, "unlink"}, {3, "close"}, {4, "dup"}, {5, "read"}, {6, "write"},
    {7, "fsize"}, {8, "fchmod"}, {9, "fchown"}, {10, "fcntl"}, {11, "fevent"}, {12, "sendfd"},
    {13, "fpath"}, {14, "frename"}, {15, "fstat"}, {16, "fstatvfs"}, {17, "fsync"}, {18, "ftruncate"},
    {19, "futimens"}, {20, "mmap_prep"}, {21, "request_mmap"}, {22, "mremap"}, {23, "munmap"},
    {24, "msync"}, {25, "cancel"}, {26, "getdents"}, {27, "close_msg"}, {28, "call"}, {29, "openat"},
    {30, "flink"}, {31, "recvfd"}, {32, "unlinkat"}, {33, "std_fs_call"}, {34, "detach"},
    {100, "lseek"}, {101, "exit"}, {102, "waitpid"}, {103, "kill"}, {104, "spawn"}, {105, "getids"},
    {106, "setids"}, {107, "setrens"}, {108, "mkns"}, {109, "register_scheme"}, {110, "fmap"},
    {111, "scheme_fd"}, {112, "setpgid"}, {113, "getns"}, {114, "set_name"}, {115, "sleep"},
    {116, "dup2"}, {117, "pipe"},
};

constexpr std::pair<int, const char*> kErrnos[] = {
    {EPERM_, "EPERM"}, {ENOENT_, "ENOENT"}, {ESRCH_, "ESRCH"}, {EINTR_, "EINTR"}, {EIO_, "EIO"},
    {ENXIO_, "ENXIO"}, {E2BIG_, "E2BIG"}, {ENOEXEC_, "ENOEXEC"}, {EBADF_, "EBADF"}, {ECHILD_, "ECHILD"},
    {EAGAIN_, "EAGAIN"}, {ENOMEM_, "ENOMEM"}, {EACCES_, "EACCES"}, {EFAULT_, "EFAULT"}, {EBUSY_, "EBUSY"},
    {EEXIST_, "EEXIST"}, {EXDEV_, "EXDEV"}, {ENODEV_, "ENODEV"}, {ENOTDIR_, "ENOTDIR"}, {EISDIR_, "EISDIR"},
    {EINVAL_, "EINVAL"}, {ENFILE_, "ENFILE"}, {EMFILE_, "EMFILE"}, {ENOTTY_, "ENOTTY"}, {EFBIG_, "EFBIG"},
    {ENOSPC_, "ENOSPC"}, {ESPIPE_, "ESPIPE"}, {EROFS_, "EROFS"}, {EMLINK_, "EMLINK"}, {EPIPE_, "EPIPE"},
    {ERANGE_, "ERANGE"}, {ENAMETOOLONG_, "ENAMETOOLONG"}, {ENOSYS_, "ENOSYS"}, {ENOTEMPTY_, "ENOTEMPTY"},
    {ELOOP_, "ELOOP"}, {EWOULDBLOCK_, "EWOULDBLOCK"}, {EOPNOTSUPP_, "EOPNOTSUPP"},
    {ECONNREFUSED_, "ECONNREFUSED"}, {ETIMEDOUT_, "ETIMEDOUT"}, {ECANCELED_, "ECANCELED"},
};

std::optional<unsigned> parse_number(std::string_view s) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

bool same_ci(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

} // namespace

std::string opcode_name(unsigned op) {
    for (auto& [n, name] : kOps)
        if (n == op) return name;
    return "op" + std::to_string(op);
}

std::optional<unsigned> opcode_from_name(std::string_view name) {
    if (auto n = parse_number(name)) return n;
    for (auto& [n, s] : kOps)
        if (same_ci(s, name)) return n;
    return std::nullopt;
}

std::string errno_name(int errnum) {
    for (auto& [n, name] : kErrnos)
        if (n == errnum) return name;
    return "E" + std::to_string(errnum);
}

std::optional<int> errno_from_name(std::string_view name) {
    if (auto n = parse_number(name)) return *n > 0 && *n < 4096 ? std::optional<int>(int(*n)) : std::nullopt;
    for (auto& [n, s] : kErrnos)
        if (same_ci(s, name)) return n;
    return std::nullopt;
}

} // namespace redox
