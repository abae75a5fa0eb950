// libFuzzer target: the lexer and parser must never crash, hang or trip a
// sanitizer, whatever the input.
#include "ion/parser.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ion::Block block;
    ion::SyntaxError error;
    bool ok = ion::parse_script(std::string_view(reinterpret_cast<const char*>(data), size), block, error);
    if (!ok && (error.line < 1 || error.col < 1)) __builtin_trap();  // errors must point somewhere
    return 0;
}
