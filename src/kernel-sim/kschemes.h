// The schemes the kernel-sim serves itself, and the daemon-backed UserScheme.
#pragma once

#include "kernel-sim/scheme.h"

#include <memory>
#include <string>
#include <utility>

namespace redox::kernel {

class Kernel;
class UserScheme;

void register_kernel_schemes(Kernel& k);
UserScheme* as_user_scheme(Scheme* s);
// The irq scheme's vectors as text: name, interrupt count, binder pids.
std::string irq_table(Kernel& k);
// /scheme/sys/iomem: the physical address space, DMA ranges and device registers.
std::string iomem_table(Kernel& k);

} // namespace redox::kernel
