// Errors are values: a Redox errno plus an optional context string.
#pragma once

#include <cstdint>
#include <cstring>
#include <expected>
#include <string>
#include <utility>

namespace redox {

struct Error {
    int errnum = 0;          // Redox errno (Linux-compatible numbers, see protocol.h)
    std::string context;     // what failed: a path, an id, a reason

    Error() = default;
    explicit Error(int e, std::string ctx = {}) : errnum(e), context(std::move(ctx)) {}

    // "context: strerror" or just strerror.
    std::string message() const;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> err(int e, std::string ctx = {}) {
    return std::unexpected<Error>(Error(e, std::move(ctx)));
}

namespace detail {
template <typename T>
T unwrap(std::expected<T, Error>& r) { return std::move(*r); }
inline void unwrap(std::expected<void, Error>&) {}
} // namespace detail

// Propagate an error from an expression of type Result<T>; yields the value.
#define TRY(expr)                                                \
    ({                                                           \
        auto&& _try_result = (expr);                             \
        if (!_try_result) [[unlikely]]                           \
            return std::unexpected(std::move(_try_result.error())); \
        ::redox::detail::unwrap(_try_result);                    \
    })

} // namespace redox
