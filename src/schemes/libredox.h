// libredox: the client API of a sim process. Every call becomes one Sqe on the
// process's ring to the kernel-sim and returns when its Cqe arrives. Paths are
// Redox paths (`/scheme/NAME/rest`, legacy `NAME:rest`, or a file path that
// belongs to the `file` scheme); relative paths resolve against the cwd this
// library keeps, as relibc does.
#pragma once

#include "schemes/error.h"
#include "schemes/protocol.h"
#include "schemes/shared.h"

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace redox::sys {

// True when this process was started by a kernel-sim.
bool in_sim();

Result<int> open(std::string_view path, uint64_t flags, uint16_t mode = 0644);
Result<int> openat(int dirfd, std::string_view path, uint64_t flags, uint16_t mode = 0644);
Result<void> close(int fd);
Result<size_t> read(int fd, void* buf, size_t len);
Result<size_t> write(int fd, const void* buf, size_t len);
Result<size_t> pread(int fd, void* buf, size_t len, uint64_t offset);
Result<size_t> pwrite(int fd, const void* buf, size_t len, uint64_t offset);
Result<void> write_all(int fd, std::string_view data);
Result<std::string> read_all(int fd);
Result<uint64_t> lseek(int fd, int64_t offset, int whence);
Result<int> dup(int fd, std::string_view buf = {});
Result<int> dup2(int fd, int newfd, std::string_view buf = {});
Result<std::string> fpath(int fd);
Result<Stat> fstat(int fd);
Result<StatVfs> fstatvfs(int fd);
Result<void> frename(int fd, std::string_view path);
Result<void> flink(int fd, std::string_view path);
Result<void> fsync(int fd);
Result<void> ftruncate(int fd, uint64_t len);
Result<void> futimens(int fd, const TimeSpec times[2]);
Result<void> fchmod(int fd, uint16_t mode);
Result<void> fchown(int fd, uint32_t uid, uint32_t gid);
Result<uint64_t> fcntl(int fd, uint64_t cmd, uint64_t arg);
Result<uint32_t> fevent(int fd, uint32_t flags);
Result<size_t> getdents(int fd, void* buf, size_t len, uint64_t opaque);
Result<void> unlink(std::string_view path, uint64_t flags = 0);  // AT_REMOVEDIR_ = rmdir
Result<size_t> call(int fd, void* payload, size_t len, uint64_t flags, std::span<const uint64_t> meta);
Result<void> sendfd(int socket, int fd);
Result<int> recvfd(int socket);

// Asynchronous submission of many calls at once, as io_uring users batch:
// every Sqe goes on the ring without waiting for earlier ones, completions are
// matched by tag. done[i] receives the Cqe of calls[i] (check is_error(result)).
void call_batch(std::span<Sqe> calls, std::span<Cqe> done);

struct Dirent {
    std::string name;
    uint64_t inode;
    uint8_t kind;
};
Result<std::vector<Dirent>> read_dir(std::string_view path);
Result<Stat> stat(std::string_view path);  // open with O_STAT, fstat, close

// Shared memory: a mapping of `size` bytes at `offset` of fd (or anonymous
// memory when fd < 0). MAP_SHARED mappings are real shared pages.
class MappedRegion {
public:
    MappedRegion() = default;
    MappedRegion(void* addr, size_t len) : m_addr(addr), m_len(len) {}
    MappedRegion(MappedRegion&& o) noexcept : m_addr(std::exchange(o.m_addr, nullptr)), m_len(o.m_len) {}
    MappedRegion& operator=(MappedRegion&& o) noexcept;
    ~MappedRegion();
    void* data() const { return m_addr; }
    size_t size() const { return m_len; }
private:
    void* m_addr = nullptr;
    size_t m_len = 0;
};
Result<MappedRegion> fmap(int fd, uint64_t offset, size_t size, uint64_t map_flags);

// Namespaces.
Result<void> setrens(uint64_t rns, uint64_t ens);
Result<uint64_t> mkns(std::span<const std::string> schemes);
Result<uint64_t> getns();

// Processes.
struct SpawnSpec {
    std::string path;                        // resolved through PATH when it has no '/'
    std::vector<std::string> argv;
    std::vector<std::string> env;            // empty: inherit this process's environment
    bool inherit_env = true;
    std::string cwd;                         // empty: this process's cwd
    std::vector<std::pair<int, int>> fds;    // (child fd, parent fd); empty: 0,1,2 inherited
    int64_t pgid = -1;                       // -1 inherit, 0 new group
};
Result<int> spawn(const SpawnSpec& spec);
Result<std::pair<int, int>> waitpid(int pid, int options);  // -> (pid, raw status)
using redox::WNOHANG_;
using redox::WUNTRACED_;
using redox::WCONTINUED_;
Result<void> kill(int pid, int sig);
[[noreturn]] void exit(int status);
Result<ProcIds> ids();
Result<void> setids(uint32_t ruid, uint32_t euid, uint32_t rgid, uint32_t egid);
Result<void> setpgid(int pid, int pgid);
Result<int> getpgid(int pid);  // 0: this process; others from /scheme/proc/PID/status
Result<void> set_name(std::string_view name);
Result<void> sleep_ns(uint64_t ns);
Result<std::pair<int, int>> pipe();  // (read end, write end)

// Register a scheme: returns the socket fd and the mapped shared region.
struct SchemeSocket {
    int fd;
    SchemeShared* shared;
};
Result<SchemeSocket> register_scheme(std::string_view name);

// The wait word this process sleeps on (scheme servers wait on it for requests).
WaitWord& wake_word();
// Ring the kernel's doorbell if it sleeps.
void notify_kernel();
// Sleep until the kernel bumps the wake word past `seen` (exits if the kernel is gone).
void wait_wake(uint32_t seen);

// The cwd this library resolves relative paths against.
const std::string& cwd();
Result<void> chdir(std::string_view path);
std::string canonicalize(std::string_view path);

// Exit status helpers (Linux encoding: status << 8 | signal).
inline bool exited(int st) { return (st & 0x7f) == 0; }
inline int exit_code(int st) { return (st >> 8) & 0xff; }
inline int term_signal(int st) { return st & 0x7f; }

} // namespace redox::sys
