// shm: named shared memory (ipcd).
//
// Paths: `NAME`. open NAME needs O_CREAT the first time (ENOENT otherwise);
// O_CREAT|O_EXCL on an existing name gives EEXIST. ftruncate sets the size;
// fmap maps the object's pages (real shared pages: every mapping of a name,
// in any process, sees the same bytes; a mapping past the end grows the
// object). read/write are positioned copies of the same bytes. unlink removes
// the name; open handles and mappings keep the memory until they are gone.
// fstat: a regular 0666 file of the object's size. fpath: `/scheme/shm/NAME`.
// Anyone may open. Cost: no copy for mappings; the memory is a memfd of ipcd.
#pragma once

#include "schemes/server.h"

#include <map>
#include <memory>
#include <string>

namespace redox::ipcd {

class ShmScheme final : public SchemeServer {
public:
    Result<OpenResult> open(std::string_view path, uint64_t flags, uint16_t mode, const CallerCtx& ctx) override;
    Result<size_t> read(uint64_t id, std::span<uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t offset, uint64_t fd_flags, const CallerCtx& ctx) override;
    Result<uint64_t> fsize(uint64_t id) override;
    Result<void> ftruncate(uint64_t id, uint64_t len, const CallerCtx& ctx) override;
    Result<void> fstat(uint64_t id, Stat& st) override;
    Result<size_t> fpath(uint64_t id, std::span<uint8_t> buf) override;
    Result<void> unlink(std::string_view path, uint64_t flags, const CallerCtx& ctx) override;
    Result<int> mmap_prep(uint64_t id, uint64_t offset, uint64_t size, uint64_t flags, const CallerCtx& ctx) override;
    Result<uint32_t> fevent(uint64_t id, uint32_t flags) override;
    void on_close(uint64_t id) override;

private:
    // One shared memory object: a Linux memfd, closed with the last reference.
    class Object {
    public:
        static Result<std::shared_ptr<Object>> create(const std::string& name);
        ~Object();
        Object(const Object&) = delete;
        Object& operator=(const Object&) = delete;
        int fd() const { return m_fd; }
        uint64_t size() const;
        Result<void> resize(uint64_t len);
        const std::string& name() const { return m_name; }
    private:
        Object(int fd, std::string name) : m_fd(fd), m_name(std::move(name)) {}
        int m_fd;
        std::string m_name;
    };

    Result<std::shared_ptr<Object>> object(uint64_t id);

    uint64_t m_next = 1;
    std::map<std::string, std::shared_ptr<Object>> m_names;
    std::map<uint64_t, std::shared_ptr<Object>> m_handles;
};

} // namespace redox::ipcd
