#include "ion/shell.h"

#include "ion/interp.h"

#include <cerrno>

namespace ion {

Shell::Shell(Os& os, ShellOptions opts) : m_interp(std::make_unique<Interp>(*this, os, opts)) {}
Shell::~Shell() = default;

void Shell::register_builtin(std::string name, BuiltinFn fn, std::string help) {
    BuiltinEntry e;
    e.external = std::move(fn);
    e.help = std::move(help);
    m_interp->builtins[std::move(name)] = std::move(e);
}

int Shell::run_string(std::string_view src, std::string_view name) { return m_interp->run_source(src, name); }

int Shell::run_file(const std::string& path, const std::vector<std::string>& args) {
    Interp& in = *m_interp;
    auto fd = in.os.open(path, kRead);
    if (!fd) {
        in.report("could not execute '" + path + "': " + fd.error().message());
        return in.status = 1;
    }
    OsFd guard(in.os, *fd);
    auto text = in.os.read_all(*fd);
    if (!text) {
        in.report("could not execute '" + path + "': " + text.error().message());
        return in.status = 1;
    }
    std::vector<std::string> a{path};
    a.insert(a.end(), args.begin(), args.end());
    in.args = std::move(a);
    in.global.vars["args"] = Value::array(in.args);
    in.script_name = path;
    return in.run_source(*text, path);
}

void Shell::set_args(std::vector<std::string> args) {
    m_interp->args = args;
    m_interp->global.vars["args"] = Value::array(std::move(args));
}

void Shell::set_command_line(std::vector<std::string> argv) { m_interp->argv_all = std::move(argv); }

void Shell::set_var(const std::string& name, const std::string& value) {
    m_interp->global.vars[name] = Value::string(value);
}

std::string Shell::var(const std::string& name) const {
    Value* v = m_interp->find_var(name);
    return v ? v->joined() : std::string();
}

void Shell::set_env(const std::string& name, const std::string& value) { m_interp->os.setenv(name, value); }
void Shell::interrupt() { m_interp->interrupted = 1; }
int Shell::last_status() const { return m_interp->exit_called ? m_interp->exit_code : m_interp->status; }
bool Shell::exit_requested() const { return m_interp->exit_called; }
ShellOptions& Shell::options() { return m_interp->opts; }
Os& Shell::os() { return m_interp->os; }

}  // namespace ion

