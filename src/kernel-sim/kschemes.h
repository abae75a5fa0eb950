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
// An fmap of memory's `physical` handle `number`: the memfd and file offset
// of DMA memory at physical address `phys`; ENODEV_ for any other file.
Result<std::pair<int, uint64_t>> memory_physical_fd(Kernel& k, Scheme* s, uint64_t number, uint64_t phys,
                                                    uint64_t size);

} // namespace redox::kernel
