// Builtin registration helpers shared by the builtins_*.cpp files.
#pragma once

#include "ion/interp.h"

#include <span>
#include <string>

namespace ion {

using Args = std::span<const std::string>;

void add_builtin(Interp& in, const char* name, InternalBuiltin fn, const char* help);
void register_core_builtins(Interp& in);
void register_test_builtins(Interp& in);
void register_dir_builtins(Interp& in);
void register_job_builtins(Interp& in);

// True when args has -h/--help; then writes the builtin's help to io.out.
bool help_requested(Interp& in, Args args, Io& io);

}  // namespace ion
