// The in-memory file tree behind ramfs: inodes, directories, symlinks, hard
// links, Unix permissions. Paths are relative to the scheme root, '/'-separated.
#pragma once

#include "schemes/error.h"
#include "schemes/protocol.h"
#include "schemes/server.h"

#include <map>
#include <memory>
#include <string>

namespace redox::daemon {

struct Inode {
    uint64_t ino = 0;
    uint16_t mode = 0;         // type | permission bits
    uint32_t uid = 0, gid = 0;
    uint32_t nlink = 0;
    std::string data;          // file content or symlink target
    std::map<std::string, uint64_t> children;
    uint64_t parent = 0;       // directories only
    TimeSpec mtime{}, atime{}, ctime{};
    uint64_t version = 0;      // bumped whenever the content changes
    bool is_dir() const { return (mode & MODE_TYPE) == MODE_DIR; }
    bool is_link() const { return (mode & MODE_TYPE) == MODE_SYMLINK; }
};

enum Access : int { MAY_READ = 4, MAY_WRITE = 2, MAY_EXEC = 1 };

class RamFs {
public:
    explicit RamFs(uint64_t capacity_bytes);

    Inode* get(uint64_t ino);
    Inode& root() { return *get(1); }
    bool may(const Inode& n, const CallerCtx& c, int want) const;

    struct Lookup {
        Inode* node = nullptr;     // null if the last component does not exist
        Inode* parent = nullptr;
        std::string name;          // last component
        std::string path;          // canonical path of the result
    };
    // Resolve a path, following symlinks inside the tree (not the last
    // component when nofollow). A symlink leaving the tree gives EXDEV_.
    Result<Lookup> lookup(std::string_view path, const CallerCtx& c, bool nofollow);

    Result<Inode*> create(Inode& parent, const std::string& name, uint16_t mode, const CallerCtx& c);
    Result<void> unlink(Inode& parent, const std::string& name, bool dir, const CallerCtx& c);
    Result<void> link(Inode& parent, const std::string& name, Inode& target);
    Result<void> rename(Inode& from_parent, const std::string& from, Inode& to_parent, const std::string& to, const CallerCtx& c);
    Result<void> resize(Inode& n, uint64_t size);
    Result<void> write(Inode& n, uint64_t offset, std::span<const uint8_t> data);
    std::string path_of(const Inode& n) const;

    uint64_t capacity() const { return m_capacity; }
    uint64_t used() const { return m_used; }
    // Inodes with no links and no open handles are dropped by the scheme.
    void release(uint64_t ino);

private:
    std::map<uint64_t, std::unique_ptr<Inode>> m_nodes;
    uint64_t m_next = 2;
    uint64_t m_capacity;
    uint64_t m_used = 0;
};

TimeSpec now_timespec();

} // namespace redox::daemon
