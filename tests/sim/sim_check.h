// The checks the programs in tests/sim share: the first failure prints one
// line "FAIL NAME: why" on stdout and exits 1.
#pragma once

#include "schemes/libredox.h"

#include <string>
#include <utility>

namespace simcheck {

using redox::Result;

inline std::string g_name;  // the running check's name, for FAIL lines

[[noreturn]] inline void fail(const std::string& why) {
    (void)redox::sys::write_all(1, "FAIL " + g_name + ": " + why + "\n");
    redox::sys::exit(1);
}
template <typename T>
T must(Result<T> r, const std::string& what) {
    if (!r) fail(what + ": " + r.error().message());
    return std::move(*r);
}
inline void must(Result<void> r, const std::string& what) {
    if (!r) fail(what + ": " + r.error().message());
}
inline void expect(bool cond, const std::string& what) {
    if (!cond) fail(what);
}
inline int expect_err(auto r, int errnum, const std::string& what) {
    if (r) fail(what + ": succeeded, expected errno " + std::to_string(errnum));
    if (r.error().errnum != errnum)
        fail(what + ": errno " + std::to_string(r.error().errnum) + ", expected " + std::to_string(errnum));
    return 0;
}

} // namespace simcheck
