// Scenario control inside the kernel-sim: fault injection and the scheme-call
// trace. Sim programs reach them through `sys:fault` and `sys:trace` (the
// Ion `sim` builtins write there); `redox-sim boot --trace FILE` starts one.
#pragma once

#include "kernel-sim/scheme.h"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace redox::kernel {

// One rule: make matching scheme calls fail with `errnum` without reaching
// the scheme. Written as "SCHEME OPCODE ERRNO [--count N] [--after N]
// [--path GLOB]"; SCHEME and OPCODE may be `*`.
struct FaultRule {
    std::string scheme;
    int opcode = -1;           // -1: any
    int errnum = 0;
    uint64_t count = 0;        // fail at most this many calls (0: no limit)
    uint64_t after = 0;        // let this many matching calls through first
    std::string path_glob;     // matched against the path of opens and unlinks
    uint64_t matched = 0;
    uint64_t injected = 0;
};

class Faults {
public:
    // A rule line, or "clear" to drop every rule.
    Result<void> add(std::string_view line);
    // The errno to fail this request with, or 0 to let it through.
    int check(const std::string& scheme, const KRequest& r);
    std::string describe() const;
    bool empty() const { return m_rules.empty(); }

private:
    std::vector<FaultRule> m_rules;
};

// The trace: one text line per scheme call, tab-separated:
//   start_ns dur_ns pid scheme opcode number len offset result path
// (result is the raw Cqe result; paths escape tab, newline and backslash).
// `redox-sim trace FILE` prints it like strace.
class Tracer {
public:
    ~Tracer();
    Result<void> open(const std::string& host_path);
    bool available() const { return m_file != nullptr; }
    bool enabled() const { return m_file && m_enabled; }
    void set_enabled(bool on) { m_enabled = on; }
    void record(uint64_t start_ns, uint64_t dur_ns, uint32_t pid, const std::string& scheme, const KRequest& r,
                uint64_t result);
    void flush();

private:
    std::FILE* m_file = nullptr;
    bool m_enabled = false;
};

// fnmatch-style: `*`, `?` and literal characters.
bool glob_match(std::string_view pattern, std::string_view text);

} // namespace redox::kernel
