#include "orbital/core/flags.h"

namespace redox::orbital {

uint32_t parse_flags(std::string_view letters, std::string* unknown) {
    uint32_t flags = 0;
    for (char c : letters) {
        auto pos = kFlagLetters.find(c);
        if (pos == std::string_view::npos) {
            if (unknown) unknown->push_back(c);
            continue;
        }
        flags |= 1u << pos;
    }
    return flags;
}

std::string flags_to_letters(uint32_t flags) {
    std::string out;
    for (size_t i = 0; i < kFlagLetters.size(); ++i)
        if (flags & (1u << i)) out.push_back(kFlagLetters[i]);
    return out;
}

} // namespace redox::orbital
