// userutils: login, su, sudo and passwd over /etc/passwd, /etc/group and /etc/shadow
// (Redox formats, `;`-separated; shadow hashes are argon2 encoded strings).
// One binary; argv[0] picks the command.
//
// Raising privileges goes through the `sudo` scheme, served by `sudo --daemon` as
// root (Redox's design): a client opens /scheme/sudo/PATH and writes a password;
// the daemon checks it for the caller and then changes the caller's ids.
//   ""          the caller's own password, caller in group `sudo` -> uid 0
//   "su/NAME"   NAME's password                                    -> NAME's ids
//   "passwd"    "OLD\nNEW": the caller's password changes
#include "schemes/libredox.h"
#include "schemes/server.h"

#include <argon2.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace redox::sys {
// libredox: root sets another process's ids (SetIds with a target pid).
Result<void> setids_of(int pid, uint32_t ruid, uint32_t euid, uint32_t rgid, uint32_t egid);
}

namespace sys = redox::sys;

namespace {

void say(int fd, std::string_view s) { (void)sys::write_all(fd, s); }
int fail(std::string_view prog, std::string_view msg) {
    say(2, std::string(prog) + ": " + std::string(msg) + "\n");
    return 1;
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> parts;
    size_t pos = 0;
    for (;;) {
        size_t e = s.find(sep, pos);
        parts.emplace_back(s.substr(pos, e == std::string_view::npos ? std::string_view::npos : e - pos));
        if (e == std::string_view::npos) return parts;
        pos = e + 1;
    }
}

redox::Result<std::string> read_file(const std::string& path) {
    int fd = TRY(sys::open(path, redox::O_RDONLY_));
    auto text = sys::read_all(fd);
    (void)sys::close(fd);
    return text;
}

struct Passwd {
    std::string name;
    uint32_t uid = 0, gid = 0;
    std::string home, shell;
};

std::optional<Passwd> find_user(std::string_view name) {
    auto text = read_file("/etc/passwd");
    if (!text) return std::nullopt;
    for (auto& line : split(*text, '\n')) {
        auto f = split(line, ';');
        if (f.size() < 6 || f[0] != name) continue;
        return Passwd{f[0], uint32_t(std::strtoul(f[1].c_str(), nullptr, 10)),
                      uint32_t(std::strtoul(f[2].c_str(), nullptr, 10)), f[4], f[5]};
    }
    return std::nullopt;
}

std::optional<Passwd> find_uid(uint32_t uid) {
    auto text = read_file("/etc/passwd");
    if (!text) return std::nullopt;
    for (auto& line : split(*text, '\n')) {
        auto f = split(line, ';');
        if (f.size() >= 6 && std::strtoul(f[1].c_str(), nullptr, 10) == uid) return find_user(f[0]);
    }
    return std::nullopt;
}

// The user's shadow hash; an error when /etc/shadow cannot be read or has no entry.
redox::Result<std::string> shadow_hash(std::string_view name) {
    auto text = TRY(read_file("/etc/shadow"));
    for (auto& line : split(text, '\n')) {
        auto f = split(line, ';');
        if (f.size() >= 2 && f[0] == name) return f[1];
    }
    return redox::err(redox::ENOENT_, "no /etc/shadow entry for " + std::string(name));
}

// Redox's rules: an empty hash accepts only an empty password, "!" nothing.
bool password_ok(const std::string& hash, const std::string& password) {
    if (hash.empty()) return password.empty();
    if (hash == "!") return false;
    return argon2i_verify(hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

// One line of standard input without its '\n'; nullopt at end of input.
std::optional<std::string> read_line() {
    std::string line;
    char c;
    for (;;) {
        auto n = sys::read(0, &c, 1);
        if (!n || *n == 0) return line.empty() ? std::nullopt : std::optional(line);
        if (c == '\n') return line;
        if (c != '\r') line += c;
    }
}

std::optional<std::string> prompt(std::string_view text) {
    say(1, text);
    return read_line();
}

// A prompt whose answer is not echoed when stdin is a pty (its "termios"
// control handle: the Linux struct termios layout, c_lflag at byte 12).
std::optional<std::string> prompt_secret(std::string_view text) {
    constexpr uint32_t kEcho = 0x8;
    std::optional<int> termios_fd;
    uint8_t saved[60];
    if (auto h = sys::dup(0, "termios")) {
        if (auto n = sys::read(*h, saved, sizeof saved); n && *n == sizeof saved) {
            uint8_t quiet[60];
            std::memcpy(quiet, saved, sizeof quiet);
            uint32_t lflag;
            std::memcpy(&lflag, quiet + 12, 4);
            lflag &= ~kEcho;
            std::memcpy(quiet + 12, &lflag, 4);
            if (sys::write(*h, quiet, sizeof quiet)) termios_fd = *h;
        }
        if (!termios_fd) (void)sys::close(*h);
    }
    auto answer = prompt(text);
    if (termios_fd) {
        (void)sys::write(*termios_fd, saved, sizeof saved);
        (void)sys::close(*termios_fd);
        say(1, "\n");  // the Enter that was not echoed
    }
    return answer;
}

std::string hash_new(const std::string& password) {
    if (password.empty()) return {};
    uint64_t salt_num = 0;
    if (auto fd = sys::open("/scheme/rand", redox::O_RDONLY_)) {
        (void)sys::read(*fd, &salt_num, sizeof salt_num);
        (void)sys::close(*fd);
    }
    char salt[17];
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < 16; ++i) salt[i] = hex[(salt_num >> (60 - 4 * i)) & 0xf];
    salt[16] = 0;
    constexpr uint32_t t_cost = 10, m_cost = 4096, lanes = 1, hash_len = 32;
    std::string encoded(argon2_encodedlen(t_cost, m_cost, lanes, 16, hash_len, Argon2_i), '\0');
    if (argon2i_hash_encoded(t_cost, m_cost, lanes, password.data(), password.size(), salt, 16, hash_len,
                             encoded.data(), encoded.size()) != ARGON2_OK)
        return "!";
    encoded.resize(encoded.find('\0'));
    return encoded;
}

// While the command runs, Ctrl-C on the console (SIGINT to the console's process
// group, which includes this process) is for the command, not for us.
void wait_quietly() {
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGQUIT, SIG_IGN);
    std::signal(SIGTSTP, SIG_IGN);
}

std::vector<std::string> env_for(const Passwd& u) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view v = *e;
        if (v.starts_with("HOME=") || v.starts_with("USER=") || v.starts_with("SHELL=") || v.starts_with("UID=") ||
            v.starts_with("PWD="))
            continue;
        env.emplace_back(v);
    }
    env.push_back("HOME=" + u.home);
    env.push_back("USER=" + u.name);
    env.push_back("UID=" + std::to_string(u.uid));
    env.push_back("SHELL=" + u.shell);
    env.push_back("PWD=" + u.home);
    return env;
}

// Become `u` and run argv (the user's shell when empty); returns its exit status.
int run_as(std::string_view prog, const Passwd& u, std::vector<std::string> argv, bool cd_home,
           bool* started = nullptr) {
    if (auto r = sys::setids(u.uid, u.uid, u.gid, u.gid); !r) return fail(prog, "setids: " + r.error().message());
    sys::SpawnSpec spec;
    if (argv.empty()) argv = {u.shell};
    spec.path = argv[0];
    spec.argv = argv;
    spec.env = env_for(u);
    spec.inherit_env = false;
    if (cd_home) {
        if (sys::stat(u.home)) spec.cwd = u.home;
        else say(2, std::string(prog) + ": no home directory " + u.home + ", using /\n"), spec.cwd = "/";
    }
    auto pid = sys::spawn(spec);
    if (!pid) return fail(prog, spec.path + ": " + pid.error().message());
    if (started) *started = true;
    wait_quietly();
    for (;;) {
        auto r = sys::waitpid(*pid, 0);
        if (r) return sys::exited(r->second) ? sys::exit_code(r->second) : 128 + sys::term_signal(r->second);
        if (r.error().errnum != redox::EINTR_) return 1;
    }
}


bool in_group(std::string_view group, std::string_view user) {
    auto text = read_file("/etc/group");
    if (!text) return false;
    for (auto& line : split(*text, '\n')) {
        auto f = split(line, ';');
        if (f.size() < 4 || f[0] != group) continue;
        for (auto& m : split(f[3], ','))
            if (m == user) return true;
    }
    return false;
}

redox::Result<void> write_shadow(const std::string& name, const std::string& password) {
    auto text = TRY(read_file("/etc/shadow"));
    std::string out;
    bool found = false;
    for (auto& line : split(text, '\n')) {
        if (line.empty()) continue;
        if (split(line, ';')[0] == name) {
            line = name + ";" + hash_new(password);
            found = true;
        }
        out += line + "\n";
    }
    if (!found) out += name + ";" + hash_new(password) + "\n";
    int fd = TRY(sys::open("/etc/shadow", redox::O_WRONLY_ | redox::O_TRUNC_));
    auto w = sys::write_all(fd, out);
    (void)sys::close(fd);
    return w;
}

class SudoScheme : public redox::SchemeServer {
public:
    redox::Result<redox::OpenResult> open(std::string_view path, uint64_t, uint16_t, const redox::CallerCtx&) override {
        std::string p(path);
        while (p.starts_with('/')) p.erase(0, 1);
        if (!(p.empty() || p == "passwd" || (p.starts_with("su/") && p.size() > 3))) return redox::err(redox::ENOENT_);
        m_paths[m_next] = p;
        return redox::OpenResult{m_next++, 0};
    }
    redox::Result<size_t> write(uint64_t id, std::span<const uint8_t> buf, uint64_t, uint64_t,
                                const redox::CallerCtx& ctx) override {
        auto it = m_paths.find(id);
        if (it == m_paths.end()) return redox::err(redox::EBADF_);
        const std::string& path = it->second;
        std::string data(buf.begin(), buf.end());
        auto caller = find_uid(ctx.uid);
        if (path.starts_with("su/")) {
            auto target = find_user(path.substr(3));
            if (!target) return redox::err(redox::ENOENT_);
            auto hash = shadow_hash(target->name);
            if (!hash || !password_ok(*hash, data)) return redox::err(redox::EACCES_);
            TRY(sys::setids_of(int(ctx.pid), target->uid, target->uid, target->gid, target->gid));
            return buf.size();
        }
        if (!caller) return redox::err(redox::EACCES_);
        auto hash = shadow_hash(caller->name);
        if (path == "passwd") {
            auto nl = data.find('\n');
            if (nl == std::string::npos) return redox::err(redox::EINVAL_);
            if (!hash || !password_ok(*hash, data.substr(0, nl))) return redox::err(redox::EACCES_);
            TRY(write_shadow(caller->name, data.substr(nl + 1)));
            return buf.size();
        }
        if (!in_group("sudo", caller->name)) return redox::err(redox::EPERM_);
        if (!hash || !password_ok(*hash, data)) return redox::err(redox::EACCES_);
        TRY(sys::setids_of(int(ctx.pid), 0, 0, 0, 0));
        return buf.size();
    }
    void on_close(uint64_t id) override { m_paths.erase(id); }

private:
    std::map<uint64_t, std::string> m_paths;
    uint64_t m_next = 1;
};

int sudo_daemon() {
    auto me = sys::ids();
    if (!me || me->euid != 0) return fail("sudo", "--daemon must run as root");
    (void)sys::set_name("sudo");
    SudoScheme scheme;
    auto r = scheme.serve("sudo", [] {
        if (const char* fd = std::getenv("INIT_NOTIFY")) {
            char byte = 0;
            (void)sys::write(std::atoi(fd), &byte, 1);
            (void)sys::close(std::atoi(fd));
        }
    });
    if (!r) return fail("sudo", "cannot serve the sudo scheme: " + r.error().message());
    return 0;
}

// Ask the daemon: write `data` to /scheme/sudo/PATH. An error line when it refuses.
bool ask_daemon(std::string_view prog, const std::string& path, const std::string& data) {
    auto fd = sys::open("/scheme/sudo/" + path, redox::O_WRONLY_);
    if (!fd) {
        fail(prog, "the sudo daemon is not running (start it as root with 'sudo --daemon'): " + fd.error().message());
        return false;
    }
    auto w = sys::write(*fd, data.data(), data.size());
    (void)sys::close(*fd);
    if (w) return true;
    if (w.error().errnum == redox::EPERM_) fail(prog, "you are not in the sudo group");
    else if (w.error().errnum == redox::EACCES_) fail(prog, "Authentication failure");
    else fail(prog, w.error().message());
    return false;
}

int cmd_sudo(const std::vector<std::string>& args) {
    if (args.size() == 1 && args[0] == "--daemon") return sudo_daemon();
    if (args.empty() || args[0].starts_with("-")) return fail("sudo", "usage: sudo COMMAND [ARG]... | sudo --daemon");
    auto me = sys::ids();
    if (!me) return fail("sudo", "ids: " + me.error().message());
    if (me->euid != 0) {
        auto self = find_uid(me->ruid);
        auto password = prompt_secret("[sudo] password for " + (self ? self->name : std::to_string(me->ruid)) + ": ");
        if (!password) return fail("sudo", "no password given");
        if (!ask_daemon("sudo", "", *password)) return 1;
    }
    sys::SpawnSpec spec;
    spec.path = args[0];
    spec.argv = args;
    auto pid = sys::spawn(spec);
    if (!pid) return fail("sudo", args[0] + ": " + pid.error().message());
    wait_quietly();
    for (;;) {
        auto r = sys::waitpid(*pid, 0);
        if (r) return sys::exited(r->second) ? sys::exit_code(r->second) : 128 + sys::term_signal(r->second);
        if (r.error().errnum != redox::EINTR_) return 1;
    }
}

// The schemes a login session of `user` may open, from /etc/login_schemes.toml
// (`[user_schemes.NAME]` with `schemes = [...]`; "*" = all). nullopt: no limit (no
// file, no section for the user, or "*").
std::optional<std::vector<std::string>> login_schemes(std::string_view user) {
    auto text = read_file("/etc/login_schemes.toml");
    if (!text) return std::nullopt;
    std::string header = "[user_schemes." + std::string(user) + "]";
    size_t at = text->find(header);
    if (at == std::string::npos) return std::nullopt;
    size_t next = text->find("\n[", at + header.size());
    std::string section = text->substr(at + header.size(), next == std::string::npos ? std::string::npos : next - at - header.size());
    size_t open = section.find('['), close = section.find(']', open);
    if (section.find("schemes") == std::string::npos || open == std::string::npos || close == std::string::npos)
        return std::nullopt;
    std::vector<std::string> names;
    std::string list = section.substr(open + 1, close - open - 1);
    for (size_t q = list.find('"'); q != std::string::npos; q = list.find('"', q)) {
        size_t e = list.find('"', q + 1);
        if (e == std::string::npos) break;
        std::string name = list.substr(q + 1, e - q - 1);
        if (name == "*") return std::nullopt;
        names.push_back(name);
        q = e + 1;
    }
    return names;
}

// Move this process (and so the session it spawns) into a namespace of the user's
// login schemes; schemes this system does not have are left out.
bool apply_login_schemes(const Passwd& u) {
    auto wanted = login_schemes(u.name);
    if (!wanted) return true;
    auto present = sys::read_dir("/scheme");
    if (!present) return fail("login", "cannot list /scheme: " + present.error().message()), false;
    std::vector<std::string> names;
    for (auto& w : *wanted)
        for (auto& d : *present)
            if (d.name == w) names.push_back(w);
    auto ns = sys::mkns(names);
    if (!ns) return fail("login", "cannot make the login namespace: " + ns.error().message()), false;
    if (auto r = sys::setrens(*ns, *ns); !r) return fail("login", "cannot enter the login namespace: " + r.error().message()), false;
    return true;
}

// Exit status: 0 when a session ran and ended (whatever the shell's status),
// 2 when the input ended at a prompt before anyone logged in, 1 on errors.
// getty --respawn runs login again after 0 and stops after 2.
int cmd_login(const std::vector<std::string>& args) {
    if (!args.empty()) return fail("login", "usage: login (reads the user name and password on standard input)");
    for (;;) {
        auto name = prompt("redox login: ");
        if (!name) return say(1, "\n"), 2;
        if (name->empty()) continue;
        auto password = prompt_secret("password: ");
        if (!password) return say(1, "\n"), 2;
        auto user = find_user(*name);
        auto hash = user ? shadow_hash(*name) : redox::Result<std::string>(redox::err(redox::ENOENT_, ""));
        if (!user || !hash || !password_ok(*hash, *password)) {
            say(1, "\nLogin incorrect\n");
            continue;
        }
        if (!apply_login_schemes(*user)) return 1;
        bool started = false;
        (void)run_as("login", *user, {}, true, &started);
        return started ? 0 : 1;
    }
}

int cmd_su(const std::vector<std::string>& args) {
    std::string name = "root";
    std::vector<std::string> command;
    size_t i = 0;
    if (i < args.size() && args[i] != "-c") name = args[i++];
    if (i < args.size()) {
        if (args[i] != "-c" || i + 2 != args.size()) return fail("su", "usage: su [USER] [-c COMMAND]");
        command = {"", "-c", args[i + 1]};
    }
    auto user = find_user(name);
    if (!user) return fail("su", "no such user: " + name);
    auto me = sys::ids();
    if (!me) return fail("su", "ids: " + me.error().message());
    if (!command.empty()) command[0] = user->shell;
    if (me->euid != 0) {
        // The daemon checks the password and gives this process the user's ids.
        auto password = prompt_secret("password: ");
        if (!password) return fail("su", "no password given");
        if (!ask_daemon("su", "su/" + name, *password)) return 1;
    }
    return run_as("su", *user, command, false);
}

int cmd_passwd(const std::vector<std::string>& args) {
    if (args.size() > 1) return fail("passwd", "usage: passwd [USER]");
    auto me = sys::ids();
    if (!me) return fail("passwd", "ids: " + me.error().message());
    auto self = find_uid(me->ruid);
    std::string name = args.empty() ? (self ? self->name : "") : args[0];
    if (name.empty()) return fail("passwd", "who are you? uid " + std::to_string(me->ruid) + " is not in /etc/passwd");
    if (!find_user(name)) return fail("passwd", "no such user: " + name);
    if (me->euid != 0 && (!self || self->name != name)) return fail("passwd", "only root may change another user's password");
    std::optional<std::string> old;
    if (me->euid != 0 && !(old = prompt_secret("current password: "))) return fail("passwd", "no password given");
    auto pw1 = prompt_secret("new password: ");
    auto pw2 = prompt_secret("retype new password: ");
    if (!pw1 || !pw2) return fail("passwd", "no password given");
    if (*pw1 != *pw2) return fail("passwd", "the passwords do not match; password unchanged");
    if (pw1->find('\n') != std::string::npos) return fail("passwd", "a password cannot contain a newline");
    if (me->euid != 0) {
        if (!ask_daemon("passwd", "passwd", *old + "\n" + *pw1)) return 1;
        say(1, "passwd: password updated for " + name + "\n");
        return 0;
    }
    if (auto w = write_shadow(name, *pw1); !w) return fail("passwd", "cannot write /etc/shadow: " + w.error().message());
    say(1, "passwd: password updated for " + name + "\n");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string name = argv[0];
    if (auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
    std::vector<std::string> args(argv + 1, argv + argc);
    int rc;
    if (name == "login") rc = cmd_login(args);
    else if (name == "su") rc = cmd_su(args);
    else if (name == "sudo") rc = cmd_sudo(args);
    else if (name == "passwd") rc = cmd_passwd(args);
    else rc = fail("userutils", "unknown command '" + name + "' (expected login, su, sudo or passwd)");
    sys::exit(rc);
}
