#include "daemons/init/Init.h"

#include "schemes/libredox.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace redox::init {

static void say(std::string_view line) {
    std::string l = "init: " + std::string(line) + "\n";
    (void)sys::write_all(2, l);
}

std::vector<std::string> Init::expand(const std::vector<std::string>& args) const {
    std::vector<std::string> out;
    for (auto& a : args)
        out.push_back(installer::expand_vars(a, [](std::string_view name) {
            return std::getenv(std::string(name).c_str());
        }));
    return out;
}

void Init::settle() {
    for (auto& p : m_pending) {
        char byte;
        auto n = sys::read(p.fd, &byte, 1);
        (void)sys::close(p.fd);
        if (!n || *n == 0) say(p.what + " exited without notifying readiness");
    }
    m_pending.clear();
}

Result<int> Init::spawn_and_wait(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                 bool notify, bool wait, const std::string& origin, bool parallel) {
    sys::SpawnSpec spec;
    spec.path = argv[0];
    spec.argv = argv;
    spec.env = env;
    int rd = -1, wr = -1;
    if (notify) {
        auto p = TRY(sys::pipe());
        rd = p.first;
        wr = p.second;
        spec.fds = {{0, 0}, {1, 1}, {2, 2}, {3, wr}};
        spec.env.push_back("INIT_NOTIFY=3");
    }
    auto pid = sys::spawn(spec);
    if (wr >= 0) (void)sys::close(wr);
    if (!pid) {
        if (rd >= 0) (void)sys::close(rd);
        return err(pid.error().errnum, origin + ": " + argv[0] + ": " + pid.error().message());
    }
    if (notify && parallel) {
        m_pending.push_back({rd, origin + ": " + argv[0]});
        return 0;
    }
    if (notify) {
        char byte;
        auto n = sys::read(rd, &byte, 1);
        (void)sys::close(rd);
        if (!n || *n == 0) return err(EIO_, origin + ": " + argv[0] + " exited without notifying readiness");
        return 0;
    }
    if (!wait) return 0;
    for (;;) {
        auto r = sys::waitpid(*pid, 0);
        if (!r) {
            if (r.error().errnum == EINTR_) continue;
            return std::unexpected(r.error());
        }
        return r->second;
    }
}

Result<void> Init::run_one(const installer::InitCommand& cmd) {
    using K = installer::InitCommand::Kind;
    auto args = expand(cmd.args);
    switch (cmd.kind) {
    case K::Echo: {
        std::string line;
        for (size_t i = 0; i < args.size(); ++i) line += (i ? " " : "") + args[i];
        line += "\n";
        return sys::write_all(1, line);
    }
    case K::Export: {
        if (args.empty()) return err(EINVAL_, cmd.origin + ": export needs a name");
        std::string value;
        for (size_t i = 1; i < args.size(); ++i) value += (i > 1 ? " " : "") + args[i];
        setenv(args[0].c_str(), value.c_str(), 1);
        return {};
    }
    case K::Unset:
        for (auto& a : args) unsetenv(a.c_str());
        return {};
    case K::Cd:
        if (args.size() != 1) return err(EINVAL_, cmd.origin + ": cd needs one directory");
        if (auto r = sys::chdir(args[0]); !r) return err(r.error().errnum, cmd.origin + ": cd " + args[0]);
        return {};
    case K::Stdio: {
        if (args.size() != 1) return err(EINVAL_, cmd.origin + ": stdio needs one path");
        auto fd = sys::open(args[0], O_RDWR_);
        if (!fd) return err(fd.error().errnum, cmd.origin + ": stdio " + args[0]);
        for (int i = 0; i < 3; ++i) (void)sys::dup2(*fd, i);
        if (*fd > 2) (void)sys::close(*fd);
        return {};
    }
    case K::SetDefaultScheme:
        return {};
    case K::RunD:
        return run_dirs(args);
    case K::RunScript:
        if (args.size() != 1) return err(EINVAL_, cmd.origin + ": run needs one file");
        return run_file(args[0]);
    case K::Scheme: {
        // `scheme NAME CMD...`: our daemons register NAME themselves, so this
        // is `notify CMD...`.
        if (args.size() < 2) return err(EINVAL_, cmd.origin + ": scheme needs a name and a command");
        std::vector<std::string> rest(args.begin() + 1, args.end());
        TRY(spawn_and_wait(rest, {}, true, false, cmd.origin));
        return {};
    }
    case K::RequiresWeak:
        for (auto& unit : args) TRY(run_unit(unit));
        return {};
    case K::Run: case K::Notify: case K::Nowait: {
        if (args.empty()) return {};
        std::vector<std::string> env;
        for (auto& [k, v] : cmd.env) {
            if (v == "$") { if (const char* e = std::getenv(k.c_str())) env.push_back(k + "=" + e); }
            else env.push_back(k + "=" + v);
        }
        auto st = TRY(spawn_and_wait(args, env, cmd.kind == K::Notify, cmd.kind == K::Run, cmd.origin, cmd.parallel));
        if (cmd.kind == K::Run && st != 0)
            say(cmd.origin + ": " + args[0] + " exited with status " + std::to_string(sys::exited(st) ? sys::exit_code(st) : 128 + sys::term_signal(st)));
        return {};
    }
    }
    return {};
}

Result<void> Init::run_commands(const std::vector<installer::InitCommand>& cmds) {
    for (auto& c : cmds) {
        if (!(c.kind == installer::InitCommand::Kind::Notify && c.parallel)) settle();
        if (auto r = run_one(c); !r) say(r.error().message());
    }
    settle();
    return {};
}

Result<void> Init::run_file(const std::string& path) {
    int fd = TRY(sys::open(path, O_RDONLY_));
    auto text = sys::read_all(fd);
    (void)sys::close(fd);
    if (!text) return err(text.error().errnum, path);
    auto cmds = TRY(installer::parse_init_script(*text, path));
    return run_commands(cmds);
}

Result<void> Init::run_unit(const std::string& name) {
    if (m_started.count(name)) return {};
    for (auto& [unit, path] : m_units) {
        if (unit != name) continue;
        m_started.insert(name);
        return run_file(path);
    }
    return {};  // a weak requirement on a unit that does not exist is fine
}

Result<void> Init::run_dirs(const std::vector<std::string>& dirs) {
    std::map<std::string, std::string> units;
    for (auto& d : dirs) {
        auto entries = sys::read_dir(d);
        if (!entries) continue;  // a missing dir is skipped
        for (auto& e : *entries)
            if (e.kind != DT_DIR_) units[e.name] = d + "/" + e.name;
    }
    m_units.assign(units.begin(), units.end());
    for (auto& [name, path] : m_units) {
        if (m_started.count(name)) continue;
        m_started.insert(name);
        if (auto r = run_file(path); !r) say(r.error().message());
    }
    return {};
}

static bool exists(const std::string& path) { return bool(sys::stat(path)); }

static bool has_scheme(std::string_view name) {
    auto list = sys::read_dir("/scheme");
    return list && std::any_of(list->begin(), list->end(), [&](const auto& e) { return e.name == name; });
}

// Split a command line on spaces, honouring single and double quotes.
static std::vector<std::string> split_words(std::string_view line) {
    std::vector<std::string> out;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (char c : line) {
        if (quote) {
            if (c == quote) quote = 0;
            else cur += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word) { out.push_back(cur); cur.clear(); in_word = false; }
        } else {
            cur += c;
            in_word = true;
        }
    }
    if (in_word) out.push_back(cur);
    return out;
}

int Init::run_exec_lines(const std::vector<std::string>& lines) {
    auto console = sys::open("/scheme/debug", O_RDWR_);
    if (!console) {
        say("cannot open the console: " + console.error().message());
        return 1;
    }
    int status = 0;
    bool have_ion = exists("/usr/bin/ion");
    for (auto& line : lines) {
        std::vector<std::string> argv = have_ion ? std::vector<std::string>{"ion", "-c", line} : split_words(line);
        if (argv.empty()) continue;
        sys::SpawnSpec spec;
        spec.path = argv[0];
        spec.argv = argv;
        spec.fds = {{0, *console}, {1, *console}, {2, *console}};
        auto pid = sys::spawn(spec);
        if (!pid) {
            std::string msg = argv[0] + ": " + (pid.error().errnum == ENOENT_ ? "command not found" : pid.error().message()) + "\n";
            (void)sys::write_all(*console, msg);
            status = 127;
            break;
        }
        int st = 0;
        for (;;) {
            auto r = sys::waitpid(*pid, 0);
            if (r) { st = r->second; break; }
            if (r.error().errnum != EINTR_) break;
        }
        status = sys::exited(st) ? sys::exit_code(st) : 128 + sys::term_signal(st);
        if (status != 0) break;
    }
    (void)sys::close(*console);
    return status;
}

int Init::run_console() {
    auto console = sys::open("/scheme/debug", O_RDWR_);
    if (!console) {
        say("cannot open the console: " + console.error().message());
        return 1;
    }
    bool login = exists("/usr/bin/login");
    std::string shell = login ? "/usr/bin/login" : "/usr/bin/ion";
    if (!exists(shell)) {
        say("no shell installed (/usr/bin/ion); nothing to run on the console");
        return 1;
    }
    std::vector<std::string> argv = {shell};
    // On a host terminal (the boot put it in raw mode) the console is a pty:
    // getty runs login (again after each logout) or the shell on it. Elsewhere
    // (input piped in) the shell reads the console line by line.
    const char* kind = std::getenv("REDOX_SIM_CONSOLE");
    if (kind && std::string_view(kind) == "terminal" && exists("/usr/bin/getty") && has_scheme("pty")) {
        argv = login ? std::vector<std::string>{"/usr/bin/getty", "--respawn", shell}
                     : std::vector<std::string>{"/usr/bin/getty", shell};
    }
    sys::SpawnSpec spec;
    spec.path = argv[0];
    spec.argv = argv;
    spec.fds = {{0, *console}, {1, *console}, {2, *console}};
    spec.pgid = 0;
    auto pid = sys::spawn(spec);
    if (!pid) {
        say(argv[0] + ": " + pid.error().message());
        return 1;
    }
    for (;;) {
        auto r = sys::waitpid(*pid, 0);
        if (r) return sys::exited(r->second) ? sys::exit_code(r->second) : 128 + sys::term_signal(r->second);
        if (r.error().errnum != EINTR_) return 1;
    }
}

void Init::reap_all() {
    while (auto r = sys::waitpid(-1, sys::WNOHANG_)) {
        if (r->first <= 0) break;
    }
}

} // namespace redox::init
