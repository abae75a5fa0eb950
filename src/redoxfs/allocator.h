// The in-memory buddy allocator RedoxFS rebuilds from the on-disk allocation log.
// levels[l] holds the indexes of free, 2^l-aligned runs of 2^l blocks.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace redox::redoxfs {

class Allocator {
public:
    // Lowest free index among the levels >= `level` (ties: lower level); splits the rest.
    std::optional<uint64_t> allocate(uint32_t level);
    // Removes exactly [index, index + count) from the free sets; false if any was not free.
    bool allocate_exact(uint64_t index, uint64_t count);
    void deallocate(uint64_t index, uint32_t level);
    // Frees an arbitrary run as aligned power-of-two pieces.
    void deallocate_run(uint64_t index, uint64_t count);
    bool is_free(uint64_t index) const;
    uint64_t free_blocks() const;
    // Free space as maximal runs (index, count), ascending.
    std::vector<std::pair<uint64_t, uint64_t>> free_runs() const;

private:
    std::vector<std::set<uint64_t>> m_levels;
};

} // namespace redox::redoxfs
