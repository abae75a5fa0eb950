// Names of opcodes and errno values, for traces, fault rules and messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace redox {

// "read", "openat", ... for scheme opcodes; "lseek", "waitpid", ... for
// kernel calls; "op<N>" for anything else.
std::string opcode_name(unsigned op);
// The inverse of opcode_name (also accepts a number).
std::optional<unsigned> opcode_from_name(std::string_view name);

// "ENOENT", ...; "E<N>" for a number without a name.
std::string errno_name(int errnum);
// "ENOENT" or "enoent" or "2".
std::optional<int> errno_from_name(std::string_view name);

} // namespace redox
