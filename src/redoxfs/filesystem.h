// A mounted RedoxFS (on-disk VERSION 8). Operations work on node ids (the inode
// number) with the caller's uid/gid checked like the Redox `file` scheme does, so a
// scheme daemon or FUSE can sit directly on this class.
//
// Changes accumulate in one copy-on-write transaction: every changed block goes to a
// newly allocated address and nothing reachable from the last committed header is
// overwritten. commit() (fsync) writes the allocation log, the cached blocks, flushes,
// then writes the next header into the 256-slot ring and flushes again.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "redoxfs/allocator.h"
#include "redoxfs/crypto.h"
#include "redoxfs/disk.h"
#include "redoxfs/format.h"
#include "schemes/error.h"

namespace redox::redoxfs {

using Buf = std::vector<uint8_t>;

struct Caller {
    uint32_t uid = 0;
    uint32_t gid = 0;
};

struct Timespec {
    uint64_t sec = 0;
    uint32_t nsec = 0;
};
Timespec now();

struct Stat {
    uint32_t ino = 0;
    uint16_t mode = 0;
    uint32_t uid = 0, gid = 0, nlink = 0;
    uint64_t size = 0, blocks = 0;   // blocks in 4 KiB units, the node block included
    Timespec ctime, mtime, atime;
};

struct StatVfs {
    uint64_t bsize = kBlockSize;
    uint64_t blocks = 0;
    uint64_t bfree = 0;
};

struct DirEntryInfo {
    uint32_t ino;
    std::string name;
    uint64_t next_cookie;   // pass back to getdents to continue after this entry
};

struct OpenOptions {
    std::optional<std::string> password;
    bool writable = true;
    bool cleanup = true;    // squash the allocation log and drop released nodes at mount
    // fsck: open even when the allocation log or snapshot list is damaged (the problem
    // is kept in open_problem() for the report).
    bool tolerate_damage = false;
};

struct CreateOptions {
    std::optional<std::string> password;
    Timespec ctime = now();
    uint64_t reserved_blocks = 0;
};

struct SnapshotInfo {
    std::string name;
    uint64_t generation = 0;
    uint64_t time = 0;
    BlockPtr tree;
};

class FileSystem {
public:
    static Result<std::unique_ptr<FileSystem>> open(std::unique_ptr<Disk> disk, const OpenOptions& opts = {});
    static Result<std::unique_ptr<FileSystem>> create(std::unique_ptr<Disk> disk, const CreateOptions& opts = {});
    ~FileSystem();

    // Lookups. `resolve` walks a '/'-separated path from the root, following symlinks
    // (at most 64) except in the last component when follow_last is false.
    Result<uint32_t> lookup(uint32_t dir, std::string_view name, const Caller& c = {});
    Result<uint32_t> resolve(std::string_view path, const Caller& c = {}, bool follow_last = true);
    Result<std::pair<uint32_t, std::string>> resolve_parent(std::string_view path, const Caller& c = {});
    Result<Stat> stat(uint32_t ino);
    Result<std::vector<DirEntryInfo>> getdents(uint32_t dir, uint64_t cookie = 0, size_t max = SIZE_MAX);
    Result<std::string> readlink(uint32_t ino);
    StatVfs statvfs() const;

    // Creation: the type comes from mode & kModeType (file, dir, symlink, socket).
    Result<uint32_t> mknod(uint32_t dir, std::string_view name, uint16_t mode, const Caller& c = {},
                           std::optional<Timespec> ctime = {});
    Result<uint32_t> symlink(uint32_t dir, std::string_view name, std::string_view target,
                             const Caller& c = {});
    Result<void> link(uint32_t dir, std::string_view name, uint32_t ino, const Caller& c = {});
    Result<void> unlink(uint32_t dir, std::string_view name, bool is_dir, const Caller& c = {});
    Result<void> rename(uint32_t odir, std::string_view oname, uint32_t ndir, std::string_view nname,
                        const Caller& c = {});

    Result<size_t> read(uint32_t ino, uint64_t off, std::span<uint8_t> buf);
    Result<size_t> write(uint32_t ino, uint64_t off, std::span<const uint8_t> buf);
    Result<void> truncate(uint32_t ino, uint64_t size);
    Result<void> chmod(uint32_t ino, uint16_t perm, const Caller& c = {});
    Result<void> chown(uint32_t ino, std::optional<uint32_t> uid, std::optional<uint32_t> gid,
                       const Caller& c = {});
    Result<void> utimens(uint32_t ino, std::optional<Timespec> atime, std::optional<Timespec> mtime);
    Result<bool> permitted(uint32_t ino, uint16_t want_rwx, const Caller& c);

    // Open-handle tracking: a node whose last link goes away while open is destroyed on
    // the last close (or by the next mount's cleanup, through the release list).
    void on_open(uint32_t ino);
    Result<void> on_close(uint32_t ino);

    // fsync: make everything so far durable as one new header generation.
    Result<void> commit(bool squash = false);
    uint64_t generation() const { return m_header.generation; }
    const Header& header() const { return m_header; }
    bool encrypted() const { return bool(m_cipher); }
    uint64_t used_blocks() const;    // highest used block + 1 (for trimming archives)
    void set_progress(std::function<void(uint64_t)> fn) { m_progress = std::move(fn); }

    // Snapshots (redox-sim extension): named copies of the node tree root, kept alive
    // by never freeing the blocks they reach.
    Result<std::vector<SnapshotInfo>> snapshots();
    Result<void> snapshot_create(std::string_view name);
    Result<void> snapshot_delete(std::string_view name);
    Result<void> snapshot_rollback(std::string_view name);
    // Switches this (then read-only) instance to show a snapshot's tree.
    Result<void> view_snapshot(std::string_view name);
    bool writable() const { return m_writable; }

    // Low-level access for fsck and tests.
    Result<Buf> read_block(const BlockPtr& ptr, bool verify = true);
    // The same without a copy: the caches' block (valid until the next block
    // operation) or, for one they do not keep, `scratch` filled.
    Result<const Buf*> block_ref(const BlockPtr& ptr, bool verify, Buf& scratch);
    Result<Node> read_node(uint32_t id);
    Result<std::vector<std::pair<uint32_t, std::string>>> dir_entries(const Node& dir);
    // Every block reachable from `tree` (index -> level); fails on the first bad block.
    Result<void> walk_tree(const BlockPtr& tree, const std::function<void(uint64_t, uint32_t)>& fn);
    uint64_t fs_blocks() const { return m_header.size / kBlockSize; }
    const Allocator& allocator() const { return m_alloc; }
    Result<std::vector<AllocEntry>> alloc_log();
    Disk& disk() { return *m_disk; }
    uint64_t reserved_blocks() const { return m_reserved; }
    const std::vector<std::string>& open_problems() const { return m_open_problems; }

private:
    FileSystem() = default;

    // Blocks.
    Result<uint64_t> alloc_block(uint32_t level, Node* ctx);
    void free_block(const BlockPtr& ptr, Node* ctx);
    // Stores `data` (4096 << level bytes) replacing `old` (reusing its address when it was
    // allocated in this transaction with the same size); returns the new pointer.
    Result<BlockPtr> put_block(const BlockPtr& old, Buf data, uint32_t decomp, Node* ctx, bool direct = false);
    // Stores a raw record straight to the disk (at a new address, never over `old`),
    // skipping the write cache: whole-record writes of large files copy their bytes
    // once. Safe because the block is fresh (nothing committed points at it) and,
    // within an operation, freed fresh blocks are only reused once it succeeded.
    Result<BlockPtr> put_direct(const BlockPtr& old, std::span<const uint8_t> data, Node* ctx);
    Result<void> disk_write(uint64_t index, const Buf& data);
    Result<void> flush_write_cache();
    template <class T> Result<T> read_as(const BlockPtr& p);
    template <class T> Result<T> read_or_empty(const BlockPtr& p);
    template <class T> Result<BlockPtr> put_as(const BlockPtr& old, const T& v, Node* ctx);

    // Node tree.
    Result<uint32_t> tree_insert(const BlockPtr& node_ptr);
    Result<void> tree_remove(uint32_t id);
    Result<void> write_node(uint32_t id, const Node& n);
    Result<BlockPtr> node_ptr(uint32_t id);
    // A node's metadata alone, read in place (stat, fsize).
    Result<NodeMeta> read_meta(uint32_t id);
    Result<void> destroy_node(uint32_t id);

    // Directories (H-tree).
    Result<std::optional<uint32_t>> dir_find(const Node& dir, std::string_view name);
    Result<void> dir_insert(Node& dir, std::string_view name, uint32_t id);
    Result<void> dir_remove(Node& dir, std::string_view name);
    Result<void> check_name(const Node& dir, std::string_view name);

    // File data.
    Result<BlockPtr> record_ptr(const Node& n, uint64_t rec);
    Result<void> set_record_ptr(Node& n, uint64_t rec, const BlockPtr& p);
    Result<void> free_record(Node& n, uint64_t rec);
    Result<Buf> read_record(const BlockPtr& p, uint32_t want_level);
    // The stored form of a record of level rl when LZ4 saves a level, else nothing.
    std::optional<Buf> compress_record(std::span<const uint8_t> r, uint32_t rl);
    Result<size_t> read_data(const Node& n, uint64_t off, std::span<uint8_t> buf);
    Result<void> write_data(Node& n, uint64_t off, std::span<const uint8_t> buf);
    Result<void> write_records(Node& n, uint64_t off, std::span<const uint8_t> buf);
    Result<void> truncate_data(Node& n, uint64_t size);
    Result<void> free_all_data(Node& n);

    // Allocation log and snapshots.
    Result<void> replay_alloc_log();
    Result<void> sync_alloc_log(bool squash);
    Result<void> load_snapshot_protection();
    Result<void> write_snapshots(const std::vector<SnapshotInfo>& list);
    Result<void> release_pending();

    Result<void> check_writable() const;

    // Each public mutating call is all-or-nothing: on error the transaction state is
    // rolled back to where the call began (nothing reached the disk's header).
    struct Saved {
        Header header;
        bool changed;
        Allocator alloc;
        size_t deferred;
    };
    Result<Saved> op_begin();
    void op_end(Saved& s, bool ok);
    template <class T> Result<T> guarded(const std::function<Result<T>()>& f);
    Result<void> write_release_list();
    struct Undo {
        int kind;   // 0 fresh added, 1 fresh removed, 2 cache slot replaced
        uint64_t idx;
        uint32_t level;
        std::optional<Buf> buf;
    };
    std::vector<Undo> m_undo;
    bool m_journal = false;

    std::unique_ptr<Disk> m_disk;
    std::unique_ptr<Cipher> m_cipher;
    uint64_t m_reserved = 0;          // blocks before the file system
    Header m_header{};                // working header (this transaction)
    bool m_header_changed = false;
    bool m_writable = true;
    Allocator m_alloc;
    std::unordered_map<uint64_t, uint32_t> m_fresh;     // allocated this tx: index -> level
    std::vector<std::pair<uint64_t, uint32_t>> m_deferred;   // freed this tx
    std::vector<std::pair<uint64_t, uint32_t>> m_op_freed;   // fresh, freed by the running op
    Buf m_scratch;                                      // encryption of direct writes
    std::vector<char> m_comp;                           // LZ4 output of one record
    std::unordered_map<uint64_t, Buf> m_write_cache;    // plaintext, fresh blocks only
    size_t m_write_cache_bytes = 0;
    // Plaintext of committed level-0 blocks with the checksum it was read under (0 and
    // unchecked: read without verification), so a hit costs a comparison, not a hash.
    struct CachedBlock {
        Buf data;
        uint64_t hash = 0;
        bool checked = false;
    };
    std::unordered_map<uint64_t, CachedBlock> m_read_cache;
    std::unordered_set<uint64_t> m_protected;           // blocks reachable from snapshots
    std::unordered_map<uint32_t, uint32_t> m_open;      // node id -> open handles
    std::vector<uint32_t> m_release;                    // unlinked while open
    std::function<void(uint64_t)> m_progress;
    std::vector<std::string> m_open_problems;
};

} // namespace redox::redoxfs
