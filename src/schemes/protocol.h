// The Redox scheme protocol, v2 packet format (redox_syscall schemev2.rs, era E1):
// 64-byte Sqe requests and 16-byte Cqe completions, opcode numbers, flags and
// errno values as real Redox uses them. The same two structs also carry a sim
// process's calls to the kernel-sim (see KernelOp for the calls that have no
// scheme opcode).
#pragma once

#include <cstddef>
#include <cstdint>

namespace redox {

enum class Opcode : uint8_t {
    Open = 0,        // path-based open through the caller's namespace (SYS_OPEN, E1)
    Rmdir = 1,
    Unlink = 2,
    Close = 3,
    Dup = 4,
    Read = 5,
    Write = 6,
    Fsize = 7,
    Fchmod = 8,
    Fchown = 9,
    Fcntl = 10,
    Fevent = 11,
    Sendfd = 12,
    Fpath = 13,
    Frename = 14,
    Fstat = 15,
    Fstatvfs = 16,
    Fsync = 17,
    Ftruncate = 18,
    Futimens = 19,
    MmapPrep = 20,
    RequestMmap = 21,
    Mremap = 22,
    Munmap = 23,
    Msync = 24,
    Cancel = 25,
    Getdents = 26,
    CloseMsg = 27,
    Call = 28,
    OpenAt = 29,
    Flink = 30,
    Recvfd = 31,
    UnlinkAt = 32,
    StdFsCall = 33,
    Detach = 34,
};
inline constexpr int kOpcodeCount = 35;

// Calls a sim process makes to the kernel-sim that are not scheme operations.
// They live above the scheme opcodes in the same byte.
enum class KernelOp : uint8_t {
    Lseek = 100,       // fd, offset, whence
    Exit = 101,        // status
    Waitpid = 102,     // pid (-1 any child), status out ptr, options (WNOHANG=1 WUNTRACED=2 WCONTINUED=8)
    Kill = 103,        // pid (negative: process group), signal
    Spawn = 104,       // SpawnRequest ptr, size
    GetIds = 105,      // ProcIds out ptr
    SetIds = 106,      // ruid, euid, rgid, egid (u32::MAX keeps)
    Setrens = 107,     // rns, ens
    Mkns = 108,        // names ptr (NUL-separated), len
    RegisterScheme = 109, // name ptr, len, linux memfd of the SchemeShared region, flags
    Fmap = 110,        // fd (u64::MAX anonymous), offset, size, MapFlags -> memfd via side channel
    SchemeFd = 111,    // scheme-socket helpers: args[0]=socket fd, args[1]=verb, see SchemeFdVerb
    Setpgid = 112,     // pid, pgid
    Getns = 113,       // -> namespace id
    SetName = 114,     // name ptr, len: the process name shown by ps
    Sleep = 115,       // nanoseconds (virtual or real clock)
    Dup2 = 116,        // fd, newfd, buf ptr, len
    Pipe = 117,        // -> read fd | write fd << 32
};

enum SqeFlags : uint8_t {
    SQE_ONEWAY = 1,
    SQE_MULTIPLE_IDS = 2,
};

enum class CqeOpcode : uint8_t {
    RespondRegular = 0,
    RespondWithFd = 1,
    SendFevent = 2,
    ObtainFd = 3,
    RespondWithMultipleFds = 4,
    RespondAndNotifyOnDetach = 5,
};

enum NewFdFlags : uint8_t {
    NEWFD_POSITIONED = 1,
};

struct Sqe {
    uint8_t opcode;
    uint8_t sqe_flags;
    uint16_t rsvd;
    uint32_t tag;
    uint64_t args[6];
    uint64_t caller;
};
static_assert(sizeof(Sqe) == 64);
static_assert(offsetof(Sqe, opcode) == 0);
static_assert(offsetof(Sqe, sqe_flags) == 1);
static_assert(offsetof(Sqe, tag) == 4);
static_assert(offsetof(Sqe, args) == 8);
static_assert(offsetof(Sqe, caller) == 56);

struct Cqe {
    uint8_t flags;        // low 3 bits: CqeOpcode
    uint8_t extra_raw[3]; // extra0: NewFdFlags on open/dup replies
    uint32_t tag;
    uint64_t result;      // Error::mux: a negative errno on failure

    CqeOpcode op() const { return CqeOpcode(flags & 7); }
};
static_assert(sizeof(Cqe) == 16);
static_assert(offsetof(Cqe, flags) == 0);
static_assert(offsetof(Cqe, extra_raw) == 1);
static_assert(offsetof(Cqe, tag) == 4);
static_assert(offsetof(Cqe, result) == 8);

// Error::mux / demux: a value v is an error iff -v is in 1..133.
inline uint64_t mux_error(int errnum) { return uint64_t(-int64_t(errnum)); }
// waitpid options, as on Redox and Linux.
inline constexpr int WNOHANG_ = 1;
inline constexpr int WUNTRACED_ = 2;   // also report children that stopped: status (sig << 8) | 0x7f
inline constexpr int WCONTINUED_ = 8;  // also report children continued by SIGCONT: status 0xffff

inline bool is_error(uint64_t v) {
    int64_t s = int64_t(v);
    return s < 0 && s > -133;
}
inline int demux_error(uint64_t v) { return int(-int64_t(v)); }

// Redox open flags (syscall flag.rs). They are not Linux's.
enum OpenFlags : uint64_t {
    O_RDONLY_ = 0x0001'0000,
    O_WRONLY_ = 0x0002'0000,
    O_RDWR_ = 0x0003'0000,
    O_ACCMODE_ = 0x0003'0000,
    O_NONBLOCK_ = 0x0004'0000,
    O_APPEND_ = 0x0008'0000,
    O_SHLOCK_ = 0x0010'0000,
    O_EXLOCK_ = 0x0020'0000,
    O_ASYNC_ = 0x0040'0000,
    O_FSYNC_ = 0x0080'0000,
    O_CLOEXEC_ = 0x0100'0000,
    O_CREAT_ = 0x0200'0000,
    O_TRUNC_ = 0x0400'0000,
    O_EXCL_ = 0x0800'0000,
    O_DIRECTORY_ = 0x1000'0000,
    O_STAT_ = 0x2000'0000,
    O_SYMLINK_ = 0x4000'0000,
    O_NOFOLLOW_ = 0x8000'0000,
};

enum MapFlags : uint64_t {
    MAP_SHARED_ = 1,
    MAP_PRIVATE_ = 2,
    MAP_FIXED_ = 4,
    PROT_EXEC_ = 0x1'0000,
    PROT_WRITE_ = 0x2'0000,
    PROT_READ_ = 0x4'0000,
};

enum EventFlags : uint32_t {
    EVENT_NONE = 0,
    EVENT_READ = 1,
    EVENT_WRITE = 2,
};

enum FcntlCmd : uint64_t { F_DUPFD_ = 0, F_GETFD_ = 1, F_SETFD_ = 2, F_GETFL_ = 3, F_SETFL_ = 4 };

enum AtFlags : uint64_t { AT_REMOVEDIR_ = 0x200 };

// Redox MODE_* equal the POSIX S_IF* values.
enum ModeBits : uint32_t {
    MODE_TYPE = 0xF000,
    MODE_DIR = 0x4000,
    MODE_FILE = 0x8000,
    MODE_SYMLINK = 0xA000,
    MODE_FIFO = 0x1000,
    MODE_CHR = 0x2000,
    MODE_SOCK = 0xC000,
    MODE_PERM = 0x0FFF,
};

// errno values (Linux-compatible numbers except where noted).
enum Errno : int {
    EPERM_ = 1, ENOENT_ = 2, ESRCH_ = 3, EINTR_ = 4, EIO_ = 5, ENXIO_ = 6, E2BIG_ = 7,
    ENOEXEC_ = 8, EBADF_ = 9, ECHILD_ = 10, EAGAIN_ = 11, ENOMEM_ = 12, EACCES_ = 13,
    EFAULT_ = 14, EBUSY_ = 16, EEXIST_ = 17, EXDEV_ = 18, ENODEV_ = 19, ENOTDIR_ = 20,
    EISDIR_ = 21, EINVAL_ = 22, ENFILE_ = 23, EMFILE_ = 24, ENOTTY_ = 25, EFBIG_ = 27,
    ENOSPC_ = 28, ESPIPE_ = 29, EROFS_ = 30, EMLINK_ = 31, EPIPE_ = 32, ERANGE_ = 34,
    ENAMETOOLONG_ = 36, ENOSYS_ = 38, ENOTEMPTY_ = 39, ELOOP_ = 40,
    EWOULDBLOCK_ = 41,  // Redox: distinct from EAGAIN (Linux aliases them)
    EOPNOTSUPP_ = 95, ECONNREFUSED_ = 111, ETIMEDOUT_ = 110, ECANCELED_ = 125,
};

// fstat's 104-byte Stat (syscall data.rs). The time fields drop the st_
// prefix because glibc defines st_mtime and friends as macros.
struct Stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint16_t st_mode;
    uint32_t st_nlink;
    uint32_t st_uid;
    uint32_t st_gid;
    uint64_t st_size;
    uint64_t st_blksize;
    uint64_t st_blocks;
    uint64_t mtime;
    uint32_t mtime_nsec;
    uint64_t atime;
    uint32_t atime_nsec;
    uint64_t ctime;
    uint32_t ctime_nsec;
};
static_assert(sizeof(Stat) == 104);

// fstatvfs (syscall data.rs StatVfs).
struct StatVfs {
    uint32_t f_bsize;
    uint64_t f_blocks;
    uint64_t f_bfree;
    uint64_t f_bavail;
};
static_assert(sizeof(StatVfs) == 32);

// getdents record header; the name and a NUL follow, padded to 8 bytes.
#pragma pack(push, 1)
struct DirentHeader {
    uint64_t inode;
    uint64_t next_opaque_id;
    uint16_t record_len;
    uint8_t kind;
};
#pragma pack(pop)
static_assert(sizeof(DirentHeader) == 19);

enum DirentKind : uint8_t {
    DT_UNKNOWN_ = 0, DT_CHR_ = 2, DT_DIR_ = 4, DT_BLK_ = 6, DT_REG_ = 8, DT_LNK_ = 10, DT_SOCK_ = 12,
};

// The `event` scheme's record: write one to subscribe fd `id`, read ready ones.
struct Event {
    uint64_t id;
    uint64_t flags;
    uint64_t data;
};
static_assert(sizeof(Event) == 24);
inline constexpr uint64_t EVENT_TIMEOUT_ID = ~uint64_t(0) - 2;

// TimeSpec of the `time` scheme: 16 bytes.
struct TimeSpec {
    int64_t tv_sec;
    int32_t tv_nsec;
    int32_t pad;
};
static_assert(sizeof(TimeSpec) == 16);
inline constexpr int CLOCK_REALTIME_ = 1;
inline constexpr int CLOCK_MONOTONIC_ = 4;

} // namespace redox
