// stdio for sim programs: a FILE* whose bytes go to the sim fd 1 or 2 through
// libredox (the Linux stdout of a sim process is not its console).
#pragma once

#include <cstdio>

namespace redox::orbital {

// Line-buffered; nullptr if the stream cannot be created.
std::FILE* sim_stream(int sim_fd);

} // namespace redox::orbital
