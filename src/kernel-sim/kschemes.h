// The schemes the kernel-sim serves itself, and the daemon-backed UserScheme.
#pragma once

#include "kernel-sim/scheme.h"

#include <memory>

namespace redox::kernel {

class Kernel;
class UserScheme;

void register_kernel_schemes(Kernel& k);
UserScheme* as_user_scheme(Scheme* s);

} // namespace redox::kernel
