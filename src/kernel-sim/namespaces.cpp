#include "kernel-sim/namespaces.h"

namespace redox::kernel {

Namespaces::Namespaces() {
    m_spaces[0];
    m_spaces[1];
}

std::shared_ptr<Scheme> Namespaces::lookup(uint64_t ns, const std::string& name) const {
    auto it = m_spaces.find(ns);
    if (it == m_spaces.end()) return nullptr;
    auto s = it->second.find(name);
    if (s == it->second.end() || !s->second->alive()) return nullptr;
    return s->second;
}

Result<void> Namespaces::insert(uint64_t ns, const std::string& name, std::shared_ptr<Scheme> s) {
    auto it = m_spaces.find(ns);
    if (it == m_spaces.end() || ns == 0) return err(EPERM_, "namespace");
    if (name.empty() || name.find('/') != std::string::npos || name.find(':') != std::string::npos)
        return err(EINVAL_, "scheme name '" + name + "'");
    auto existing = it->second.find(name);
    if (existing != it->second.end() && existing->second->alive()) return err(EEXIST_, "scheme " + name);
    it->second[name] = std::move(s);
    return {};
}

void Namespaces::remove_scheme(const Scheme* s) {
    for (auto& [id, space] : m_spaces) {
        for (auto it = space.begin(); it != space.end();) {
            if (it->second.get() == s) it = space.erase(it);
            else ++it;
        }
    }
}

Result<uint64_t> Namespaces::make(uint64_t from, const std::vector<std::string>& names) {
    auto it = m_spaces.find(from);
    if (it == m_spaces.end()) return err(EINVAL_, "namespace");
    std::map<std::string, std::shared_ptr<Scheme>> space;
    for (auto& d : m_defaults) space[d->name()] = d;
    for (auto& n : names) {
        auto s = it->second.find(n);
        if (s == it->second.end()) return err(ENODEV_, "scheme " + n);
        space[n] = s->second;
    }
    uint64_t id = m_next++;
    m_spaces[id] = std::move(space);
    return id;
}

std::vector<std::string> Namespaces::list(uint64_t ns) const {
    std::vector<std::string> out;
    auto it = m_spaces.find(ns);
    if (it == m_spaces.end()) return out;
    for (auto& [name, s] : it->second)
        if (s->alive()) out.push_back(name);
    return out;
}

void Namespaces::add_kernel_scheme(std::shared_ptr<Scheme> s, bool every_namespace, bool null_namespace) {
    m_spaces[1][s->name()] = s;
    if (null_namespace) m_spaces[0][s->name()] = s;
    if (every_namespace) m_defaults.push_back(s);
}

} // namespace redox::kernel
