// Kernel-held namespaces (era E1): each maps scheme names to schemes.
// Namespace 0 is the null namespace (memory and pipe only), 1 is root.
#pragma once

#include "kernel-sim/scheme.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace redox::kernel {

class Namespaces {
public:
    Namespaces();
    std::shared_ptr<Scheme> lookup(uint64_t ns, const std::string& name) const;
    Result<void> insert(uint64_t ns, const std::string& name, std::shared_ptr<Scheme> s);
    void remove_scheme(const Scheme* s);
    // A new namespace with the named schemes of `from` (ENODEV if one is missing)
    // plus the defaults every namespace has.
    Result<uint64_t> make(uint64_t from, const std::vector<std::string>& names);
    std::vector<std::string> list(uint64_t ns) const;
    // Kernel schemes go into root, and the always-present ones into every namespace.
    void add_kernel_scheme(std::shared_ptr<Scheme> s, bool every_namespace, bool null_namespace);
    bool exists(uint64_t ns) const { return m_spaces.count(ns) != 0; }

private:
    std::map<uint64_t, std::map<std::string, std::shared_ptr<Scheme>>> m_spaces;
    std::vector<std::shared_ptr<Scheme>> m_defaults;
    uint64_t m_next = 2;
};

} // namespace redox::kernel
