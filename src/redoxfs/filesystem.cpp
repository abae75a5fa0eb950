// Opening, creating and committing a RedoxFS; the block layer (hash-verified reads,
// copy-on-write stores, the per-transaction write cache).
#include "redoxfs/filesystem.h"

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "redoxfs/seahash.h"

namespace redox::redoxfs {

Timespec now() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return {uint64_t(ts.tv_sec), uint32_t(ts.tv_nsec)};
}

static constexpr size_t kWriteCacheLimit = 64u << 20;
static constexpr size_t kReadCacheLimit = 16384;   // blocks

static uint64_t header_hash(const Header& h) { return seahash(&h, offsetof(Header, encrypted_hash)); }

static void plain_hash_field(const Header& h, uint8_t out[16]) {
    std::memset(out, 0, 16);
    std::memcpy(out, &h.hash, 8);
}

static bool header_valid(const Header& h) {
    return std::memcmp(h.signature, kSignature, 8) == 0 && h.version == kVersion &&
           h.hash == header_hash(h);
}

static bool header_encrypted(const Header& h) {
    uint8_t plain[16];
    plain_hash_field(h, plain);
    return std::memcmp(plain, h.encrypted_hash, 16) != 0;
}

static void header_seal(Header& h, const Cipher* c) {
    h.hash = header_hash(h);
    plain_hash_field(h, h.encrypted_hash);
    if (c) c->encrypt(std::span<uint8_t>(h.encrypted_hash, 16), h.generation, 16);
}

FileSystem::~FileSystem() = default;

Result<void> FileSystem::check_writable() const {
    if (!m_writable) return err(EROFS, "file system is read-only");
    return {};
}

// ---- blocks ---------------------------------------------------------------------

Result<const Buf*> FileSystem::block_ref(const BlockPtr& ptr, bool verify, Buf& scratch) {
    if (ptr.is_null() || ptr.is_marker()) return err(EIO, "null block pointer");
    uint64_t idx = ptr.index();
    uint64_t len = ptr.bytes();
    if (idx + (1ULL << ptr.level()) > fs_blocks())
        return err(EIO, "block " + std::to_string(idx) + " is outside the file system");
    if (auto it = m_write_cache.find(idx); it != m_write_cache.end()) {
        if (it->second.size() == len) return &it->second;
    }
    if (ptr.level() == 0) {
        if (auto it = m_read_cache.find(idx); it != m_read_cache.end()) {
            CachedBlock& c = it->second;
            if (verify && !c.checked) {
                c.hash = seahash(c.data);
                c.checked = true;
            }
            // A block read under another checksum (rewritten since, or a bad
            // pointer) is read again from the disk and checked there.
            if (!verify || c.hash == ptr.hash) return &c.data;
        }
    }
    scratch.resize(len);
    TRY(m_disk->read((m_reserved + idx) * kBlockSize, scratch));
    if (m_cipher) m_cipher->decrypt(scratch, idx);
    if (verify && seahash(scratch) != ptr.hash)
        return err(EIO, "block " + std::to_string(idx) + ": checksum mismatch");
    if (ptr.level() == 0 && !m_fresh.count(idx)) {
        if (m_read_cache.size() >= kReadCacheLimit) m_read_cache.clear();
        CachedBlock& c = m_read_cache[idx];
        c.data = std::move(scratch);
        c.hash = verify ? ptr.hash : 0;
        c.checked = verify;
        return &c.data;
    }
    return &scratch;
}

Result<Buf> FileSystem::read_block(const BlockPtr& ptr, bool verify) {
    Buf scratch;
    const Buf* b = TRY(block_ref(ptr, verify, scratch));
    if (b == &scratch) return scratch;
    return *b;
}

template <class T> Result<T> FileSystem::read_as(const BlockPtr& p) {
    static_assert(sizeof(T) == kBlockSize);
    Buf scratch;
    const Buf* b = TRY(block_ref(p, true, scratch));
    if (b->size() != sizeof(T)) return err(EIO, "block " + std::to_string(p.index()) + ": wrong size for its type");
    T v;
    std::memcpy(static_cast<void*>(&v), b->data(), sizeof(T));
    return v;
}

template <class T> Result<T> FileSystem::read_or_empty(const BlockPtr& p) {
    if (p.is_null()) {
        T v;
        std::memset(static_cast<void*>(&v), 0, sizeof(T));
        return v;
    }
    return read_as<T>(p);
}

template <class T> Result<BlockPtr> FileSystem::put_as(const BlockPtr& old, const T& v, Node* ctx) {
    Buf b(sizeof(T));
    std::memcpy(b.data(), static_cast<const void*>(&v), sizeof(T));
    return put_block(old, std::move(b), 0, ctx);
}

template Result<TreeList> FileSystem::read_as<TreeList>(const BlockPtr&);
template Result<Node> FileSystem::read_as<Node>(const BlockPtr&);
template Result<BlockList> FileSystem::read_as<BlockList>(const BlockPtr&);
template Result<AllocList> FileSystem::read_as<AllocList>(const BlockPtr&);
template Result<ReleaseList> FileSystem::read_as<ReleaseList>(const BlockPtr&);
template Result<TreeList> FileSystem::read_or_empty<TreeList>(const BlockPtr&);
template Result<BlockList> FileSystem::read_or_empty<BlockList>(const BlockPtr&);
template Result<BlockPtr> FileSystem::put_as<TreeList>(const BlockPtr&, const TreeList&, Node*);
template Result<BlockPtr> FileSystem::put_as<Node>(const BlockPtr&, const Node&, Node*);
template Result<BlockPtr> FileSystem::put_as<BlockList>(const BlockPtr&, const BlockList&, Node*);
template Result<BlockPtr> FileSystem::put_as<AllocList>(const BlockPtr&, const AllocList&, Node*);
template Result<BlockPtr> FileSystem::put_as<ReleaseList>(const BlockPtr&, const ReleaseList&, Node*);

Result<uint64_t> FileSystem::alloc_block(uint32_t level, Node* ctx) {
    auto idx = m_alloc.allocate(level);
    if (!idx) return err(ENOSPC, "no free space left");
    m_fresh[*idx] = level;
    if (m_journal) m_undo.push_back({0, *idx, level, {}});
    m_read_cache.erase(*idx);
    if (ctx) ctx->m.blocks += 1ULL << level;
    return *idx;
}

void FileSystem::free_block(const BlockPtr& ptr, Node* ctx) {
    if (ptr.is_null() || ptr.is_marker()) return;
    uint64_t idx = ptr.index();
    uint32_t level = ptr.level();
    if (ctx) ctx->m.blocks -= std::min<uint64_t>(uint64_t(ctx->m.blocks), 1ULL << level);
    if (auto it = m_fresh.find(idx); it != m_fresh.end()) {
        // Allocated by this transaction and never committed: reusable at once.
        m_fresh.erase(it);
        if (m_journal) m_undo.push_back({1, idx, level, {}});
        if (auto w = m_write_cache.find(idx); w != m_write_cache.end()) {
            m_write_cache_bytes -= w->second.size();
            if (m_journal) m_undo.push_back({2, idx, 0, std::move(w->second)});
            m_write_cache.erase(w);
        }
        // Inside an operation the block may still hold what the state before it
        // references (a direct write, a flushed cache block); reusing it now would
        // let a failing operation clobber it, so it goes back when the op succeeds.
        if (m_journal) m_op_freed.push_back({idx, level});
        else m_alloc.deallocate(idx, level);
        return;
    }
    if (m_protected.count(idx)) return;   // still part of a snapshot
    m_deferred.push_back({idx, level});
    m_read_cache.erase(idx);
}

Result<BlockPtr> FileSystem::put_block(const BlockPtr& old, Buf data, uint32_t decomp, Node* ctx, bool) {
    uint32_t level = level_for_bytes(data.size());
    if (level_bytes(level) != data.size()) return err(EINVAL, "block data is not a power-of-two size");
    uint64_t idx;
    auto fit = old.is_null() || old.is_marker() ? m_fresh.end() : m_fresh.find(old.index());
    if (fit != m_fresh.end() && fit->second == level) {
        idx = old.index();   // rewritten in the same transaction: no one else can see it
    } else {
        idx = TRY(alloc_block(level, ctx));
        free_block(old, ctx);
    }
    uint64_t h = seahash(data);
    if (m_journal) {
        auto w = m_write_cache.find(idx);
        m_undo.push_back({2, idx, 0, w == m_write_cache.end() ? std::optional<Buf>{} : std::optional<Buf>(w->second)});
    }
    auto& slot = m_write_cache[idx];
    m_write_cache_bytes -= slot.size();
    m_write_cache_bytes += data.size();
    slot = std::move(data);
    return BlockPtr::make(idx, level, decomp, h);
}

Result<BlockPtr> FileSystem::put_direct(const BlockPtr& old, std::span<const uint8_t> data, Node* ctx) {
    uint32_t level = level_for_bytes(data.size());
    if (level_bytes(level) != data.size()) return err(EINVAL, "block data is not a power-of-two size");
    uint64_t idx = TRY(alloc_block(level, ctx));
    free_block(old, ctx);
    if (auto w = m_write_cache.find(idx); w != m_write_cache.end()) {
        if (m_journal) m_undo.push_back({2, idx, 0, std::move(w->second)});
        m_write_cache_bytes -= w->second.size();
        m_write_cache.erase(w);
    }
    uint64_t h = seahash(data);
    uint64_t at = (m_reserved + idx) * kBlockSize;
    if (!m_cipher) {
        TRY(m_disk->write(at, data));
    } else {
        m_scratch.assign(data.begin(), data.end());
        m_cipher->encrypt(m_scratch, idx);
        TRY(m_disk->write(at, m_scratch));
    }
    return BlockPtr::make(idx, level, 0, h);
}

Result<void> FileSystem::disk_write(uint64_t index, const Buf& data) {
    if (!m_cipher) return m_disk->write((m_reserved + index) * kBlockSize, data);
    Buf enc = data;
    m_cipher->encrypt(enc, index);
    return m_disk->write((m_reserved + index) * kBlockSize, enc);
}

Result<void> FileSystem::flush_write_cache() {
    std::vector<uint64_t> order;
    order.reserve(m_write_cache.size());
    for (auto& [i, _] : m_write_cache) order.push_back(i);
    std::sort(order.begin(), order.end());
    for (uint64_t i : order) TRY(disk_write(i, m_write_cache[i]));
    m_write_cache.clear();
    m_write_cache_bytes = 0;
    return {};
}

// ---- allocation log ---------------------------------------------------------------

Result<std::vector<AllocEntry>> FileSystem::alloc_log() {
    std::vector<AllocList> lists;
    BlockPtr p = m_header.alloc;
    size_t guard = 0;
    while (!p.is_null()) {
        auto l = read_as<AllocList>(p);
        if (!l) return err(l.error().errnum, "allocation log: " + l.error().context);
        lists.push_back(*l);
        p = l->prev;
        if (++guard > (1u << 24)) return err(EIO, "allocation log: chain loops");
    }
    std::vector<AllocEntry> out;
    for (auto it = lists.rbegin(); it != lists.rend(); ++it)
        for (auto& e : it->entries)
            if (e.count != 0) out.push_back(e);
    return out;
}

Result<void> FileSystem::replay_alloc_log() {
    m_alloc = Allocator{};
    auto log = TRY(alloc_log());
    uint64_t nblocks = fs_blocks();
    for (auto& e : log) {
        uint64_t n = e.count < 0 ? uint64_t(-e.count) : uint64_t(e.count);
        if (e.index >= nblocks || n > nblocks - e.index)
            return err(EIO, "allocation log: entry " + std::to_string(e.index) + "+" + std::to_string(n) +
                                " is outside the file system");
        if (e.count > 0) {
            m_alloc.deallocate_run(e.index, n);
        } else if (!m_alloc.allocate_exact(e.index, n)) {
            return err(EIO, "allocation log: block " + std::to_string(e.index) + " allocated twice");
        }
    }
    return {};
}

Result<void> FileSystem::sync_alloc_log(bool squash) {
    std::vector<AllocEntry> base;
    BlockPtr prev{};
    if (squash) {
        BlockPtr p = m_header.alloc;
        while (!p.is_null()) {
            auto l = TRY(read_as<AllocList>(p));
            free_block(p, nullptr);
            p = l.prev;
        }
    } else {
        if (m_fresh.empty() && m_deferred.empty()) return {};
        if (!m_header.alloc.is_null()) {
            auto l = TRY(read_as<AllocList>(m_header.alloc));
            for (auto& e : l.entries)
                if (e.count != 0) base.push_back(e);
            free_block(m_header.alloc, nullptr);
            prev = l.prev;
        }
    }
    // Grow the set of new list blocks until the entries fit; the lists' own
    // allocations are entries too.
    std::vector<uint64_t> lists;
    std::vector<AllocEntry> entries;
    while (true) {
        entries = base;
        if (squash) {
            for (auto [i, n] : m_alloc.free_runs()) entries.push_back({i, int64_t(n)});
        } else {
            std::vector<std::pair<uint64_t, uint32_t>> fresh(m_fresh.begin(), m_fresh.end());
            std::sort(fresh.begin(), fresh.end());
            for (auto [i, l] : fresh) entries.push_back({i, -int64_t(1ULL << l)});
        }
        size_t total = entries.size() + m_deferred.size();
        if (total <= lists.size() * kAllocEntries && !lists.empty()) break;
        lists.push_back(TRY(alloc_block(0, nullptr)));
    }
    for (auto [i, l] : m_deferred) {
        m_alloc.deallocate(i, l);
        entries.push_back({i, int64_t(1ULL << l)});
    }
    m_deferred.clear();
    size_t k = 0;
    for (uint64_t idx : lists) {
        AllocList al;
        std::memset(&al, 0, sizeof al);
        al.prev = prev;
        for (size_t j = 0; j < kAllocEntries && k < entries.size(); ++j) al.entries[j] = entries[k++];
        Buf b(sizeof al);
        std::memcpy(b.data(), &al, sizeof al);
        uint64_t h = seahash(b);
        m_write_cache_bytes += b.size();
        m_write_cache[idx] = std::move(b);
        prev = BlockPtr::make(idx, 0, 0, h);
    }
    m_header.alloc = prev;
    m_header_changed = true;
    return {};
}

Result<void> FileSystem::commit(bool squash) {
    if (!m_writable) return {};
    bool gc = m_header.generation % kAllocGcThreshold == 0 && m_header.generation >= kAllocGcThreshold;
    if (m_fresh.empty() && m_deferred.empty() && !m_header_changed && !squash) return {};
    TRY(sync_alloc_log(squash || gc));
    TRY(flush_write_cache());
    TRY(m_disk->flush());
    m_header.generation += 1;
    header_seal(m_header, m_cipher.get());
    Buf hb(sizeof(Header));
    std::memcpy(hb.data(), &m_header, sizeof(Header));
    TRY(m_disk->write((m_reserved + m_header.generation % kHeaderRing) * kBlockSize, hb));
    TRY(m_disk->flush());
    m_fresh.clear();
    m_header_changed = false;
    return {};
}

uint64_t FileSystem::used_blocks() const {
    auto runs = m_alloc.free_runs();
    if (!runs.empty() && runs.back().first + runs.back().second == fs_blocks()) return runs.back().first;
    return fs_blocks();
}

StatVfs FileSystem::statvfs() const { return {kBlockSize, fs_blocks(), m_alloc.free_blocks()}; }

// ---- open / create ------------------------------------------------------------------

Result<std::unique_ptr<FileSystem>> FileSystem::open(std::unique_ptr<Disk> disk, const OpenOptions& opts) {
    uint64_t disk_blocks = disk->size() / kBlockSize;
    if (disk_blocks == 0) return err(EINVAL, "image is empty or smaller than one block");
    Header h;
    auto read_hdr = [&](uint64_t b, Header& out) -> Result<void> {
        return disk->read(b * kBlockSize, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&out), sizeof out));
    };
    std::optional<uint64_t> ring;
    for (uint64_t b = 0; b < std::min<uint64_t>(disk_blocks, 65536); ++b) {
        TRY(read_hdr(b, h));
        if (!header_valid(h)) continue;
        uint64_t slot = h.generation % kHeaderRing;
        if (slot > b) continue;
        ring = b - slot;
        break;
    }
    if (!ring) return err(EINVAL, "no valid RedoxFS v8 header found (not a RedoxFS image, or damaged)");
    for (uint64_t i = 0; i < kHeaderRing && *ring + i < disk_blocks; ++i) {
        Header o;
        TRY(read_hdr(*ring + i, o));
        if (header_valid(o) && o.generation > h.generation) h = o;
    }
    auto fs = std::unique_ptr<FileSystem>(new FileSystem());
    fs->m_disk = std::move(disk);
    fs->m_reserved = *ring;
    fs->m_header = h;
    fs->m_writable = opts.writable;
    bool enc = header_encrypted(h);
    if (opts.password && !enc) return err(EKEYREJECTED, "image is not encrypted but a password was given");
    if (!opts.password && enc) return err(ENOKEY, "image is encrypted; a password is needed");
    if (enc) {
        uint8_t plain[16];
        plain_hash_field(h, plain);
        static const KeySlot zero{};
        for (auto& slot : h.key_slots) {
            if (std::memcmp(&slot, &zero, sizeof slot) == 0) continue;
            auto keys = TRY(open_key_slot(slot, *opts.password));
            if (std::memcmp(keys.data(), keys.data() + 16, 16) == 0) continue;
            auto c = std::make_unique<Cipher>(keys.data(), keys.data() + 16);
            uint8_t test[16];
            std::memcpy(test, h.encrypted_hash, 16);
            c->decrypt(std::span<uint8_t>(test, 16), h.generation, 16);
            if (std::memcmp(test, plain, 16) == 0) {
                fs->m_cipher = std::move(c);
                break;
            }
        }
        if (!fs->m_cipher) return err(ENOKEY, "wrong password");
    }
    if (fs->m_reserved + fs->fs_blocks() > disk_blocks)
        return err(EIO, "image is truncated: header says " + std::to_string(h.size) + " bytes, image has " +
                            std::to_string((disk_blocks - fs->m_reserved) * kBlockSize));
    if (auto r = fs->replay_alloc_log(); !r) {
        if (!opts.tolerate_damage || opts.writable) return std::unexpected(r.error());
        fs->m_open_problems.push_back(r.error().context);
    }
    if (auto r = fs->load_snapshot_protection(); !r) {
        if (!opts.tolerate_damage || opts.writable) return std::unexpected(r.error());
        fs->m_open_problems.push_back(r.error().context);
    }
    if (opts.writable && opts.cleanup) {
        TRY(fs->release_pending());
        TRY(fs->commit(true));
    }
    return fs;
}

Result<std::unique_ptr<FileSystem>> FileSystem::create(std::unique_ptr<Disk> disk, const CreateOptions& opts) {
    uint64_t disk_blocks = disk->size() / kBlockSize;
    uint64_t reserved = opts.reserved_blocks;
    if (disk_blocks < reserved + kHeaderRing + 4)
        return err(ENOSPC, "image too small: need at least " +
                               std::to_string((reserved + kHeaderRing + 4) * kBlockSize) + " bytes");
    uint64_t fs_blocks = disk_blocks - reserved;
    auto fs = std::unique_ptr<FileSystem>(new FileSystem());
    fs->m_disk = std::move(disk);
    fs->m_reserved = reserved;
    Header& h = fs->m_header;
    std::memset(&h, 0, sizeof h);
    std::memcpy(h.signature, kSignature, 8);
    h.version = kVersion;
    random_bytes(std::span<uint8_t>(h.uuid, 16));
    h.uuid[6] = uint8_t((h.uuid[6] & 0x0F) | 0x40);   // RFC 4122 version 4
    h.uuid[8] = uint8_t((h.uuid[8] & 0x3F) | 0x80);
    h.size = fs_blocks * kBlockSize;
    if (opts.password) {
        auto keys = TRY(make_key_slot(h.key_slots[0], *opts.password));
        fs->m_cipher = std::make_unique<Cipher>(keys.data(), keys.data() + 16);
    }
    // Clear the whole ring so no stale header of an earlier file system can win.
    Buf zero(kBlockSize * 16, 0);
    for (uint64_t b = 0; b < kHeaderRing; b += 16)
        TRY(fs->m_disk->write((reserved + b) * kBlockSize, zero));
    header_seal(h, fs->m_cipher.get());
    Buf hb(sizeof(Header));
    std::memcpy(hb.data(), &h, sizeof h);
    TRY(fs->m_disk->write(reserved * kBlockSize, hb));
    // Block 256 stays out of the log, as upstream leaves it; the rest is free.
    fs->m_alloc.deallocate_run(kHeaderRing + 1, fs_blocks - kHeaderRing - 1);
    TreeList empty_tree;
    std::memset(&empty_tree, 0, sizeof empty_tree);
    h.tree = TRY(fs->put_as(BlockPtr{}, empty_tree, nullptr));
    Node root;
    std::memset(&root, 0, sizeof root);
    root.m.mode = kModeDir | 0755;
    root.m.links = 1;
    root.m.blocks = 1;
    root.m.ctime = root.m.mtime = root.m.atime = opts.ctime.sec;
    root.m.ctime_nsec = root.m.mtime_nsec = root.m.atime_nsec = opts.ctime.nsec;
    BlockPtr rp = TRY(fs->put_as(BlockPtr{}, root, nullptr));
    uint32_t id = TRY(fs->tree_insert(rp));
    if (id != kRootId) return err(EIO, "root node did not get id 1");
    fs->m_header_changed = true;
    TRY(fs->commit(true));
    return fs;
}

} // namespace redox::redoxfs
