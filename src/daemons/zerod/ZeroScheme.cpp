#include "daemons/zerod/ZeroScheme.h"

#include <cstring>

namespace redox::daemon {

Result<OpenResult> ZeroScheme::open(std::string_view, uint64_t, uint16_t, const CallerCtx&) {
    return OpenResult{m_next++, 0};
}

Result<size_t> ZeroScheme::read(uint64_t, std::span<uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    if (!m_zero) return 0;
    std::memset(buf.data(), 0, buf.size());
    return buf.size();
}

Result<size_t> ZeroScheme::write(uint64_t, std::span<const uint8_t> buf, uint64_t, uint64_t, const CallerCtx&) {
    return buf.size();
}

Result<void> ZeroScheme::fstat(uint64_t, Stat& st) {
    st.st_mode = MODE_CHR | 0666;
    st.st_blksize = 4096;
    st.st_nlink = 1;
    return {};
}

Result<size_t> ZeroScheme::fpath(uint64_t, std::span<uint8_t> buf) {
    return put_path(buf, m_zero ? "/scheme/zero/" : "/scheme/null/");
}

} // namespace redox::daemon
