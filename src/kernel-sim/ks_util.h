// Small helpers shared by the kernel schemes.
#pragma once

#include "kernel-sim/kernel.h"
#include "kernel-sim/process.h"
#include "kernel-sim/scheme.h"

#include <cstring>
#include <string>
#include <string_view>

namespace redox::kernel {

// Copy `text` from `offset` into the caller's buffer; returns the count.
inline Result<uint64_t> read_text(Kernel& k, KRequest& r, std::string_view text, uint64_t offset) {
    if (offset >= text.size()) return 0;
    uint64_t n = std::min<uint64_t>(r.len, text.size() - offset);
    if (!k.copy_to(r.pid, r.buf, text.data() + offset, n)) return err(EFAULT_);
    return n;
}

inline Result<uint64_t> put_fpath(Kernel& k, KRequest& r, std::string_view path) {
    uint64_t n = std::min<uint64_t>(r.len, path.size());
    if (!k.copy_to(r.pid, r.buf, path.data(), n)) return err(EFAULT_);
    return n;
}

inline Result<uint64_t> put_stat(Kernel& k, KRequest& r, const Stat& st) {
    if (r.len < sizeof st || !k.copy_to(r.pid, r.buf, &st, sizeof st)) return err(EFAULT_);
    return 0;
}

// getdents over a list of names; opaque = index of the next entry.
template <typename Names, typename KindFn>
Result<uint64_t> put_dirents(Kernel& k, KRequest& r, const Names& names, KindFn kind) {
    std::string out;
    uint64_t start = r.args[0];
    for (uint64_t i = start; i < names.size(); ++i) {
        const std::string& name = names[i];
        size_t len = (sizeof(DirentHeader) + name.size() + 1 + 7) & ~size_t(7);
        if (out.size() + len > r.len) break;
        DirentHeader h{i + 1, i + 1, uint16_t(len), kind(name)};
        size_t at = out.size();
        out.resize(at + len, '\0');
        std::memcpy(out.data() + at, &h, sizeof h);
        std::memcpy(out.data() + at + sizeof h, name.data(), name.size());
    }
    if (out.empty()) return 0;
    if (!k.copy_to(r.pid, r.buf, out.data(), out.size())) return err(EFAULT_);
    return out.size();
}

inline Stat make_stat(uint16_t mode, uint64_t size = 0, uint32_t uid = 0, uint32_t gid = 0) {
    Stat st{};
    st.st_mode = mode;
    st.st_size = size;
    st.st_uid = uid;
    st.st_gid = gid;
    st.st_nlink = 1;
    st.st_blksize = 4096;
    st.st_blocks = (size + 511) / 512;
    return st;
}

} // namespace redox::kernel
