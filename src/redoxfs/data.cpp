// File contents: inline data (INLINE_DATA flag, up to 3967 bytes in the node) or
// records of 2^record_level blocks reached through level0..level4 pointer tables.
// Records larger than one block are stored LZ4-compressed when that saves a level.
#include <algorithm>
#include <cerrno>
#include <lz4.h>

#include "redoxfs/filesystem.h"

namespace redox::redoxfs {

namespace {

// Where record `rec` lives: the top-level slot in node.ptrs plus up to four indexes
// into 256-entry BlockLists below it.
struct RecPath {
    size_t top = 0;
    int depth = 0;
    size_t idx[4] = {};
};

Result<RecPath> rec_path(uint64_t rec) {
    RecPath p;
    if (rec < 128) {
        p.top = kL0 + rec;
        return p;
    }
    rec -= 128;
    uint64_t span = 256;
    const size_t tops[4] = {kL1, kL2, kL3, kL4};
    const uint64_t counts[4] = {64, 32, 16, 8};
    for (int d = 1; d <= 4; ++d) {
        if (rec < counts[d - 1] * span) {
            p.top = tops[d - 1] + size_t(rec / span);
            p.depth = d;
            uint64_t r = rec % span;
            for (int k = d - 1; k >= 0; --k) {
                p.idx[k] = size_t(r & 0xFF);
                r >>= 8;
            }
            return p;
        }
        rec -= counts[d - 1] * span;
        span *= 256;
    }
    return err(EFBIG, "file offset beyond the largest RedoxFS file");
}

} // namespace

Result<BlockPtr> FileSystem::record_ptr(const Node& n, uint64_t rec) {
    RecPath p = TRY(rec_path(rec));
    BlockPtr cur = n.ptrs[p.top];
    for (int k = 0; k < p.depth; ++k) {
        if (cur.is_null()) return BlockPtr{};
        BlockList l = TRY(read_as<BlockList>(cur));
        cur = l.ptrs[p.idx[k]];
    }
    return cur;
}

Result<void> FileSystem::set_record_ptr(Node& n, uint64_t rec, const BlockPtr& ptr) {
    RecPath p = TRY(rec_path(rec));
    if (p.depth == 0) {
        n.ptrs[p.top] = ptr;
        return {};
    }
    BlockList lists[4];
    BlockPtr at[4];
    at[0] = n.ptrs[p.top];
    for (int k = 0; k < p.depth; ++k) {
        lists[k] = TRY(read_or_empty<BlockList>(at[k]));
        if (k + 1 < p.depth) at[k + 1] = lists[k].ptrs[p.idx[k]];
    }
    BlockPtr child = ptr;
    for (int k = p.depth - 1; k >= 0; --k) {
        lists[k].ptrs[p.idx[k]] = child;
        child = TRY(put_as(at[k], lists[k], &n));
    }
    n.ptrs[p.top] = child;
    return {};
}

Result<void> FileSystem::free_record(Node& n, uint64_t rec) {
    RecPath p = TRY(rec_path(rec));
    if (p.depth == 0) {
        free_block(n.ptrs[p.top], &n);
        n.ptrs[p.top] = BlockPtr{};
        return {};
    }
    BlockList lists[4];
    BlockPtr at[4];
    at[0] = n.ptrs[p.top];
    for (int k = 0; k < p.depth; ++k) {
        if (at[k].is_null()) return {};
        lists[k] = TRY(read_as<BlockList>(at[k]));
        if (k + 1 < p.depth) at[k + 1] = lists[k].ptrs[p.idx[k]];
    }
    free_block(lists[p.depth - 1].ptrs[p.idx[p.depth - 1]], &n);
    BlockPtr child{};
    for (int k = p.depth - 1; k >= 0; --k) {
        lists[k].ptrs[p.idx[k]] = child;
        if (lists[k].empty()) {
            free_block(at[k], &n);
            child = BlockPtr{};
        } else {
            child = TRY(put_as(at[k], lists[k], &n));
        }
    }
    n.ptrs[p.top] = child;
    return {};
}

std::optional<Buf> FileSystem::compress_record(std::span<const uint8_t> r, uint32_t rl) {
    if (rl == 0) return std::nullopt;
    // Only a result at least one level smaller (and <= 64 KiB) is kept, so cap the
    // output there: LZ4 then gives up early on incompressible data.
    size_t cap = std::min<size_t>(65536, level_bytes(rl - 1)) - 2;
    int c = LZ4_compress_default(reinterpret_cast<const char*>(r.data()), m_comp.data(), int(r.size()), int(cap));
    size_t total = size_t(c) + 2;
    if (c <= 0 || total > 65536 || level_for_bytes(total) >= rl) return std::nullopt;
    Buf stored(level_bytes(level_for_bytes(total)));
    stored[0] = uint8_t(c);
    stored[1] = uint8_t(c >> 8);
    std::memcpy(stored.data() + 2, m_comp.data(), size_t(c));
    std::memset(stored.data() + 2 + c, 0, stored.size() - 2 - size_t(c));
    return stored;
}

Result<Buf> FileSystem::read_record(const BlockPtr& p, uint32_t want_level) {
    if (p.is_null()) return Buf(level_bytes(std::max(want_level, p.level())), 0);
    Buf raw = TRY(read_block(p));
    if (uint32_t dl = p.decomp_level()) {
        size_t comp = size_t(raw[0]) | size_t(raw[1]) << 8;
        if (comp + 2 > raw.size())
            return err(EIO, "block " + std::to_string(p.index()) + ": compressed length exceeds the record");
        Buf out(level_bytes(dl), 0);
        int got = LZ4_decompress_safe(reinterpret_cast<const char*>(raw.data() + 2), reinterpret_cast<char*>(out.data()),
                                      int(comp), int(out.size()));
        if (got < 0) return err(EIO, "block " + std::to_string(p.index()) + ": corrupt LZ4 record");
        raw = std::move(out);
    }
    if (raw.size() < level_bytes(want_level)) raw.resize(level_bytes(want_level), 0);
    return raw;
}

Result<size_t> FileSystem::read_data(const Node& n, uint64_t off, std::span<uint8_t> buf) {
    uint64_t size = n.m.size;
    if (off >= size) return size_t(0);
    size_t want = size_t(std::min<uint64_t>(buf.size(), size - off));
    if (n.is_inline()) {
        for (size_t i = 0; i < want; ++i) buf[i] = off + i < kInlineMax ? n.inline_data[off + i] : 0;
        return want;
    }
    uint64_t rb = level_bytes(n.m.record_level);
    size_t done = 0;
    while (done < want) {
        uint64_t j = (off + done) % rb;
        size_t len = size_t(std::min<uint64_t>(want - done, rb - j));
        BlockPtr p = TRY(record_ptr(n, (off + done) / rb));
        if (p.is_null()) {
            std::memset(buf.data() + done, 0, len);
        } else {
            Buf r = TRY(read_record(p, level_for_bytes(j + len)));
            std::memcpy(buf.data() + done, r.data() + j, len);
        }
        done += len;
    }
    return done;
}

Result<void> FileSystem::write_records(Node& n, uint64_t off, std::span<const uint8_t> buf) {
    uint64_t rb = level_bytes(n.m.record_level);
    uint64_t records = (n.m.size + rb - 1) / rb;
    size_t done = 0;
    // Only a result of at most 64 KiB is ever kept, so that is all the output room LZ4 gets.
    m_comp.resize(65536);
    while (done < buf.size()) {
        uint64_t pos = off + done;
        uint64_t rec = pos / rb;
        uint64_t j = pos % rb;
        size_t len = size_t(std::min<uint64_t>(buf.size() - done, rb - j));
        uint32_t level = level_for_bytes(j + len);
        BlockPtr old = rec < records ? TRY(record_ptr(n, rec)) : BlockPtr{};
        if (j == 0 && len == rb) {
            // A whole record: compressed into m_comp when that saves a level, else written
            // straight from the caller's buffer.
            std::span<const uint8_t> whole(buf.data() + done, len);
            uint32_t rl = level_for_bytes(len);
            BlockPtr np;
            if (auto c = compress_record(whole, rl)) np = TRY(put_block(old, std::move(*c), rl, &n));
            else np = TRY(put_direct(old, whole, &n));
            TRY(set_record_ptr(n, rec, np));
            done += len;
            continue;
        }
        Buf r = TRY(read_record(old, level));
        if (std::memcmp(r.data() + j, buf.data() + done, len) == 0) {
            done += len;
            continue;
        }
        std::memcpy(r.data() + j, buf.data() + done, len);
        uint32_t rl = level_for_bytes(r.size());
        Buf stored;
        uint32_t decomp = 0;
        if (auto c = compress_record(r, rl)) {
            stored = std::move(*c);
            decomp = rl;
        } else {
            stored = std::move(r);
        }
        BlockPtr np = TRY(put_block(old, std::move(stored), decomp, &n));
        TRY(set_record_ptr(n, rec, np));
        done += len;
    }
    n.m.size = std::max<uint64_t>(uint64_t(n.m.size), off + buf.size());
    return {};
}

Result<void> FileSystem::write_data(Node& n, uint64_t off, std::span<const uint8_t> buf) {
    if (buf.empty()) return {};
    if (off + buf.size() < off) return err(EFBIG, "write offset overflows");
    if (n.is_inline()) {
        uint64_t end = off + buf.size();
        if (end < kInlineMax) {
            std::memcpy(n.inline_data + off, buf.data(), buf.size());
            n.m.size = std::max<uint64_t>(uint64_t(n.m.size), end);
            return {};
        }
        // Too big to stay inline: move the content out into records first.
        Buf old(n.inline_data, n.inline_data + std::min<uint64_t>(uint64_t(n.m.size), kInlineMax));
        uint64_t size = n.m.size;
        n.m.flags &= ~kNodeInlineData;
        std::memset(n.ptrs, 0, sizeof n.ptrs);
        n.m.size = 0;
        if (!old.empty()) TRY(write_records(n, 0, old));
        n.m.size = size;
    }
    return write_records(n, off, buf);
}

Result<void> FileSystem::truncate_data(Node& n, uint64_t size) {
    uint64_t old = n.m.size;
    if (size == old) return {};
    if (n.is_inline()) {
        if (size < kInlineMax) {
            if (size > old) std::memset(n.inline_data + old, 0, size - old);
            else std::memset(n.inline_data + size, 0, kInlineMax - size);
            n.m.size = size;
            return {};
        }
        Buf zeros(size_t(size - old), 0);
        return write_data(n, old, zeros);
    }
    uint64_t rb = level_bytes(n.m.record_level);
    if (size > old) {
        // Only the tail of the last partial record needs real zeros; whole records
        // beyond it stay sparse (null pointers read as zeros).
        if (old % rb != 0) {
            uint64_t end = std::min<uint64_t>(size, (old / rb + 1) * rb);
            Buf zeros(size_t(end - old), 0);
            TRY(write_records(n, old, zeros));
        }
        n.m.size = size;
        return {};
    }
    uint64_t keep = (size + rb - 1) / rb;
    uint64_t had = (old + rb - 1) / rb;
    for (uint64_t r = had; r-- > keep;) TRY(free_record(n, r));
    if (size % rb != 0) {
        // Zero what lies past the new end in the kept record, so a later sparse
        // write never exposes old bytes.
        BlockPtr p = TRY(record_ptr(n, size / rb));
        if (!p.is_null()) {
            uint64_t end = std::min<uint64_t>(old, (size / rb + 1) * rb);
            Buf zeros(size_t(end - size), 0);
            TRY(write_records(n, size, zeros));
        }
    }
    n.m.size = size;
    return {};
}

Result<void> FileSystem::free_all_data(Node& n) {
    if (n.is_inline() || n.is_dir()) return {};
    std::function<Result<void>(const BlockPtr&, int)> drop = [&](const BlockPtr& p, int depth) -> Result<void> {
        if (p.is_null()) return {};
        if (depth > 0) {
            BlockList l = TRY(read_as<BlockList>(p));
            for (auto& c : l.ptrs) TRY(drop(c, depth - 1));
        }
        free_block(p, &n);
        return {};
    };
    const size_t tops[5] = {kL0, kL1, kL2, kL3, kL4};
    const size_t counts[5] = {128, 64, 32, 16, 8};
    for (int d = 0; d < 5; ++d)
        for (size_t i = 0; i < counts[d]; ++i) {
            TRY(drop(n.ptrs[tops[d] + i], d));
            n.ptrs[tops[d] + i] = BlockPtr{};
        }
    return {};
}

} // namespace redox::redoxfs
