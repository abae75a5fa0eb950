#include "schemes/error.h"

namespace redox {

std::string Error::message() const {
    std::string s = context;
    if (errnum != 0) {
        if (!s.empty()) s += ": ";
        s += std::strerror(errnum);
    }
    return s;
}

} // namespace redox
