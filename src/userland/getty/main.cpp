// getty: a terminal on the console. It opens a pty (`/scheme/pty/ptmx`),
// runs PROGRAM on the slave as the leader of a new process group that owns
// the terminal, and copies bytes between the console and the master: what is
// typed goes through the pty's line discipline (echo, erase, ^C/^Z to the
// foreground job), what programs print comes back.
//
//   getty [--respawn] PROGRAM [ARG]...
//
// The console (fds 0 and 1, the kernel's /scheme/debug) is read by a second
// getty process (`getty --feed`), because console reads block and have no
// readiness events; it writes what it reads to the master.
//
// Without --respawn getty exits with PROGRAM's status. With --respawn (for
// login) PROGRAM runs again, on a fresh pty, after each session that ended
// with status 0; status 2 (login: the input ended at its prompt) ends getty
// with 0, any other status ends it with that status. getty also ends when
// the console input ends.
#include "schemes/libredox.h"

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

namespace sys = redox::sys;

namespace {

constexpr uint64_t kPollMs = 200;

void say(std::string_view s) { (void)sys::write_all(2, "getty: " + std::string(s) + "\n"); }

// Console input to the pty master until the console ends.
int feed() {
    char buf[1024];
    for (;;) {
        auto n = sys::read(0, buf, sizeof buf);
        if (!n) {
            if (n.error().errnum == redox::EINTR_) continue;
            return 1;
        }
        if (*n == 0) return 0;
        if (!sys::write_all(1, std::string_view(buf, *n))) return 1;
    }
}

int status_of(int raw) { return sys::exited(raw) ? sys::exit_code(raw) : 128 + sys::term_signal(raw); }

// The host terminal's size, "ROWSxCOLS" from the boot, onto the pty.
void set_winsize(int master) {
    const char* size = std::getenv("REDOX_SIM_CONSOLE_SIZE");
    if (!size) return;
    char* x = nullptr;
    unsigned long rows = std::strtoul(size, &x, 10);
    if (!x || *x != 'x') return;
    unsigned long cols = std::strtoul(x + 1, nullptr, 10);
    if (rows == 0 || cols == 0 || rows > 0xffff || cols > 0xffff) return;
    auto h = sys::dup(master, "winsize");
    if (!h) return;
    uint16_t ws[4] = {uint16_t(rows), uint16_t(cols), 0, 0};
    (void)sys::write(*h, ws, sizeof ws);
    (void)sys::close(*h);
}

// Waits until the master has output or kPollMs passed.
void await_master(int master) {
    auto q = sys::open("/scheme/event", redox::O_RDWR_);
    if (!q) {
        (void)sys::sleep_ns(kPollMs * 1'000'000);
        return;
    }
    redox::Event subs[2] = {{uint64_t(master), redox::EVENT_READ, 0}, {redox::EVENT_TIMEOUT_ID, 0, kPollMs}};
    if (sys::write(*q, subs, sizeof subs)) {
        redox::Event ev[2];
        (void)sys::read(*q, ev, sizeof ev);
    } else {
        (void)sys::sleep_ns(kPollMs * 1'000'000);
    }
    (void)sys::close(*q);
}

enum class End { Program, Console, Error };

// One session: PROGRAM on a new pty until it exits (or the console ends).
End session(const std::string& self, const std::vector<std::string>& argv, int& status) {
    auto master = sys::open("/scheme/pty/ptmx", redox::O_RDWR_);
    if (!master) {
        say("cannot open /scheme/pty/ptmx: " + master.error().message());
        return End::Error;
    }
    (void)sys::fcntl(*master, redox::F_SETFL_, redox::O_NONBLOCK_);
    set_winsize(*master);
    std::string slave_path;
    if (auto n = sys::dup(*master, "ptsname")) {
        char buf[64];
        if (auto r = sys::read(*n, buf, sizeof buf)) slave_path.assign(buf, *r);
        (void)sys::close(*n);
    }
    auto slave = sys::open(slave_path, redox::O_RDWR_);
    if (!slave) {
        say("cannot open the pty slave " + slave_path + ": " + slave.error().message());
        (void)sys::close(*master);
        return End::Error;
    }

    sys::SpawnSpec feeder;
    feeder.path = self;
    feeder.argv = {"getty", "--feed"};
    feeder.fds = {{0, 0}, {1, *master}, {2, 2}};
    auto feed_pid = sys::spawn(feeder);

    sys::SpawnSpec spec;
    spec.path = argv[0];
    spec.argv = argv;
    spec.fds = {{0, *slave}, {1, *slave}, {2, *slave}};
    spec.pgid = 0;
    auto pid = sys::spawn(spec);
    (void)sys::close(*slave);
    if (!feed_pid || !pid) {
        say((!feed_pid ? std::string("cannot start the console reader: ") + feed_pid.error().message()
                       : argv[0] + ": " + pid.error().message()));
        if (feed_pid) (void)sys::kill(*feed_pid, SIGKILL), (void)sys::waitpid(*feed_pid, 0);
        if (pid) (void)sys::kill(*pid, SIGKILL), (void)sys::waitpid(*pid, 0);
        (void)sys::close(*master);
        return End::Error;
    }
    if (auto g = sys::dup(*master, "pgrp")) {
        uint64_t v = uint64_t(*pid);
        (void)sys::write(*g, &v, sizeof v);
        (void)sys::close(*g);
    }

    End end = End::Program;
    char buf[4096];
    bool program_done = false, feeder_done = false;
    for (;;) {
        // Everything the terminal has for the console, then see who is left.
        for (;;) {
            auto n = sys::read(*master, buf, sizeof buf);
            if (!n || *n == 0) break;
            (void)sys::write_all(1, std::string_view(buf, *n));
        }
        if (!program_done) {
            auto r = sys::waitpid(*pid, sys::WNOHANG_);
            if (r && r->first == *pid) {
                program_done = true;
                status = status_of(r->second);
            } else if (!r && r.error().errnum != redox::EINTR_) {
                program_done = true;
                status = 1;
            }
        }
        if (!feeder_done) {
            auto r = sys::waitpid(*feed_pid, sys::WNOHANG_);
            if (r && r->first == *feed_pid) feeder_done = true;
        }
        if (program_done) break;
        if (feeder_done) {
            end = End::Console;
            break;
        }
        await_master(*master);
    }
    // Closing the master hangs the terminal up: what is left of the session
    // gets SIGHUP.
    (void)sys::close(*master);
    if (!feeder_done) {
        (void)sys::kill(*feed_pid, SIGTERM);
        (void)sys::waitpid(*feed_pid, 0);
    }
    if (!program_done) {
        (void)sys::kill(-*pid, SIGHUP);
        (void)sys::waitpid(*pid, 0);
    }
    return end;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 1 && args[0] == "--feed") sys::exit(feed());
    bool respawn = !args.empty() && args[0] == "--respawn";
    if (respawn) args.erase(args.begin());
    if (args.empty() || args[0].starts_with('-')) {
        say("usage: getty [--respawn] PROGRAM [ARG]...");
        sys::exit(1);
    }
    (void)sys::set_name("getty");
    // ^C and ^Z on the console are for the session's jobs.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTSTP, SIG_IGN);
    std::signal(SIGHUP, SIG_IGN);
    for (;;) {
        int status = 0;
        End end = session(argv[0], args, status);
        if (end == End::Error) sys::exit(1);
        if (end == End::Console) sys::exit(0);
        if (!respawn) sys::exit(status);
        if (status == 2) sys::exit(0);
        if (status != 0) sys::exit(status);
    }
}
