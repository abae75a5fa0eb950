// Values of Ion variables: strings, arrays, and maps (hmap/bmap; both are
// kept sorted here, which is a valid order for an unordered hmap).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ion {

struct Value {
    enum Kind { Str, Array, HMap, BMap };
    Kind kind = Str;
    std::string str;
    std::vector<std::string> arr;
    std::map<std::string, Value> map;

    static Value string(std::string s) {
        Value v;
        v.str = std::move(s);
        return v;
    }
    static Value array(std::vector<std::string> a) {
        Value v;
        v.kind = Array;
        v.arr = std::move(a);
        return v;
    }
    bool is_map() const { return kind == HMap || kind == BMap; }
    // A map expands to `k1 v1 k2 v2 ...`.
    std::vector<std::string> items() const {
        if (kind == Str) return {str};
        if (kind == Array) return arr;
        std::vector<std::string> out;
        for (auto& [k, v] : map) {
            out.push_back(k);
            for (auto& s : v.items()) out.push_back(s);
        }
        return out;
    }
    std::string joined() const {
        if (kind == Str) return str;
        std::string out;
        bool first = true;
        for (auto& s : items()) {
            if (!first) out += ' ';
            out += s;
            first = false;
        }
        return out;
    }
};

}  // namespace ion
