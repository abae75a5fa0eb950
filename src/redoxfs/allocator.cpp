#include "redoxfs/allocator.h"

#include <algorithm>
#include <bit>
#include <map>

namespace redox::redoxfs {

std::optional<uint64_t> Allocator::allocate(uint32_t level) {
    std::optional<std::pair<uint32_t, uint64_t>> best;
    for (uint32_t l = level; l < m_levels.size(); ++l) {
        if (m_levels[l].empty()) continue;
        uint64_t idx = *m_levels[l].begin();
        if (!best || idx < best->second) best = {l, idx};
    }
    if (!best) return std::nullopt;
    auto [l, idx] = *best;
    m_levels[l].erase(idx);
    while (l > level) {
        --l;
        m_levels[l].insert(idx + (1ULL << l));
    }
    return idx;
}

bool Allocator::allocate_exact(uint64_t index, uint64_t count) {
    for (uint64_t b = index; b < index + count;) {
        // Find the free run containing b, split it down until b's block is level 0 ... but
        // take whole aligned pieces when they fit, to keep replay fast.
        bool found = false;
        for (uint32_t l = 0; l < m_levels.size() && !found; ++l) {
            uint64_t start = b & ~((1ULL << l) - 1);
            if (!m_levels[l].count(start)) continue;
            found = true;
            m_levels[l].erase(start);
            // Split [start, start + 2^l) keeping everything but the part we take.
            uint32_t cur = l;
            uint64_t cs = start;
            while (true) {
                uint64_t size = 1ULL << cur;
                uint64_t end = index + count;
                if (cs == b && cs + size <= end) {
                    b = cs + size;   // take this whole piece
                    break;
                }
                --cur;
                uint64_t half = 1ULL << cur;
                if (b < cs + half) {
                    m_levels[cur].insert(cs + half);
                } else {
                    m_levels[cur].insert(cs);
                    cs += half;
                }
            }
        }
        if (!found) return false;
    }
    return true;
}

void Allocator::deallocate(uint64_t index, uint32_t level) {
    while (true) {
        if (level >= m_levels.size()) m_levels.resize(level + 1);
        uint64_t size = 1ULL << level;
        uint64_t buddy = index ^ size;
        auto it = m_levels[level].find(buddy);
        if (it == m_levels[level].end() || (index % size) != 0) {
            m_levels[level].insert(index);
            return;
        }
        m_levels[level].erase(it);
        index = std::min(index, buddy);
        ++level;
    }
}

void Allocator::deallocate_run(uint64_t index, uint64_t count) {
    while (count > 0) {
        uint32_t l = index == 0 ? 63 : uint32_t(std::countr_zero(index));
        while (l > 0 && (1ULL << l) > count) --l;
        if (l > 40) l = 40;
        deallocate(index, l);
        index += 1ULL << l;
        count -= 1ULL << l;
    }
}

bool Allocator::is_free(uint64_t index) const {
    for (uint32_t l = 0; l < m_levels.size(); ++l) {
        uint64_t start = index & ~((1ULL << l) - 1);
        if (m_levels[l].count(start)) return true;
    }
    return false;
}

uint64_t Allocator::free_blocks() const {
    uint64_t n = 0;
    for (uint32_t l = 0; l < m_levels.size(); ++l) n += uint64_t(m_levels[l].size()) << l;
    return n;
}

std::vector<std::pair<uint64_t, uint64_t>> Allocator::free_runs() const {
    std::map<uint64_t, uint64_t> pieces;
    for (uint32_t l = 0; l < m_levels.size(); ++l)
        for (uint64_t i : m_levels[l]) pieces[i] = 1ULL << l;
    std::vector<std::pair<uint64_t, uint64_t>> runs;
    for (auto [i, n] : pieces) {
        if (!runs.empty() && runs.back().first + runs.back().second == i) runs.back().second += n;
        else runs.push_back({i, n});
    }
    return runs;
}

} // namespace redox::redoxfs
