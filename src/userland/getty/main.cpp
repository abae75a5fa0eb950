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
// readiness events. With inputd running, the typed bytes take Redox's console
// path: the reader is the host terminal's keyboard driver (it decodes them into
// key events for /scheme/input/producer, daemons/inputd/terminal_keys.h; a key
// whose bytes a read cut is completed by the next read, and ESC with nothing
// after it for kPendingTimeout, or ESCDELAY ms, is the Esc key), and
// getty is the text console of VT 2 (fbcond's role with upstream's `getty 2`):
// it reads that VT's consumer and turns the keys back into the bytes a
// terminal sends, for the master. So Alt+F1..F12 on the terminal switch VTs,
// and while another VT is active (Orbital on VT 3, `inputdump`) the keys go
// there. Without inputd the reader writes the bytes to the master itself.
//
// The pty's size follows the host terminal: at each session's start and on
// SIGWINCH (which the kernel-sim sends to the console reader's group when the
// host terminal is resized), getty reads debug:winsize and writes it to the
// pty's winsize handle; ptyd then signals the foreground job.
//
// Without --respawn getty exits with PROGRAM's status. With --respawn (for
// login) PROGRAM runs again, on a fresh pty, after each session that ended
// with status 0; status 2 (login: the input ended at its prompt) ends getty
// with 0, any other status ends it with that status. getty also ends when
// the console input ends.
#include "daemons/inputd/terminal_keys.h"
#include "schemes/libredox.h"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sys = redox::sys;

namespace {

constexpr uint64_t kPollMs = 200;
constexpr uint64_t kConsoleVt = 2;  // upstream minimal.toml: `inputd -A 2`, `getty 2`

volatile std::sig_atomic_t g_resized = 0;

void say(std::string_view s) { (void)sys::write_all(2, "getty: " + std::string(s) + "\n"); }

// The console's bytes, read on a thread of their own: console reads block and
// have no readiness events, and the decoder must be able to wait for the rest of
// a key with a time limit.
class ConsoleReader {
public:
    ConsoleReader() : m_s(std::make_shared<Shared>()) {
        std::thread([s = m_s] { run(*s); }).detach();  // it ends with the process
    }

    // What was read since the last call: waits until there is some or the console
    // ended, at most `limit` when given. Empty on the time limit and at the end.
    std::string next(std::optional<std::chrono::milliseconds> limit) {
        std::unique_lock lock(m_s->lock);
        auto ready = [this] { return !m_s->bytes.empty() || m_s->status; };
        if (limit) m_s->ready.wait_for(lock, *limit, ready);
        else m_s->ready.wait(lock, ready);
        return std::exchange(m_s->bytes, {});
    }
    // Once all was read, the console's end: 0 when its input ended, 1 on an error.
    std::optional<int> ended() {
        std::lock_guard lock(m_s->lock);
        return m_s->bytes.empty() ? m_s->status : std::nullopt;
    }

private:
    struct Shared {
        std::mutex lock;
        std::condition_variable ready;
        std::string bytes;
        std::optional<int> status;
    };

    static void run(Shared& s) {
        char buf[1024];
        for (;;) {
            auto n = sys::read(0, buf, sizeof buf);
            if (!n && n.error().errnum == redox::EINTR_) continue;
            std::lock_guard lock(s.lock);
            if (!n || *n == 0) s.status = n ? 0 : 1;
            else s.bytes.append(buf, *n);
            s.ready.notify_one();
            if (s.status) return;
        }
    }

    std::shared_ptr<Shared> m_s;
};

// Console input as key events to inputd until the console ends. A read may end
// inside a key's sequence: the decoder holds its start, and the wait for the
// rest is at most kPendingTimeout or ESCDELAY (then what is held counts alone:
// ESC is Esc).
int feed_keys(redox::input::Producer& producer) {
    std::chrono::milliseconds wait = redox::input::kPendingTimeout;
    if (const char* v = std::getenv("ESCDELAY")) {
        if (auto ms = redox::input::parse_escdelay(v)) wait = *ms;
        else say(std::string("ESCDELAY=") + v + ": not milliseconds from 0 to 10000; waiting " +
                 std::to_string(wait.count()) + " ms for the rest of a key");
    }
    redox::input::TerminalDecoder decoder;
    ConsoleReader reader;
    for (;;) {
        std::optional<std::chrono::milliseconds> limit;
        if (decoder.pending()) limit = wait;
        std::string bytes = reader.next(limit);
        std::vector<redox::input::Event> events;
        if (!bytes.empty()) events = decoder.decode(bytes);
        else if (decoder.pending()) events = decoder.flush();  // the time limit, or the end
        if (!events.empty())
            if (auto r = producer.send(events); !r) {
                say("input producer: " + r.error().message());
                return 1;
            }
        if (bytes.empty())
            if (auto end = reader.ended()) return *end;
    }
}

// Console input until the console ends: as key events to inputd when `keys`,
// else as bytes to the pty master (fd 1).
int feed(bool keys) {
    if (keys) {
        auto p = redox::input::Producer::open();
        if (p) return feed_keys(*p);
        say("/scheme/input/producer: " + p.error().message() + "; typing goes straight to the pty");
    }
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

// VT 2's consumer: the keys for this console while its VT is active.
struct Keyboard {
    int consumer = -1;
    redox::input::TerminalEncoder encoder;
    std::string pending;  // bytes the pty had no room for yet

    // Queued keys, as terminal bytes, to the non-blocking master, as far as the
    // pty's input has room: the rest waits for the next round, so output keeps
    // flowing while a program does not read.
    void drain(int master) {
        if (consumer < 0) return;
        redox::input::Event ev[64];
        for (;;) {
            while (!pending.empty()) {
                auto n = sys::write(master, pending.data(), pending.size());
                if (!n || *n == 0) {
                    if (!n && n.error().errnum != redox::EAGAIN_ && n.error().errnum != redox::EWOULDBLOCK_ &&
                        n.error().errnum != redox::EINTR_)
                        pending.clear();  // the pty is gone; the session is ending
                    return;
                }
                pending.erase(0, *n);
            }
            auto n = sys::read(consumer, ev, sizeof ev);
            if (!n || *n == 0) return;
            pending = encoder.encode(std::span(ev, *n / sizeof(redox::input::Event)));
        }
    }
};

int status_of(int raw) { return sys::exited(raw) ? sys::exit_code(raw) : 128 + sys::term_signal(raw); }

// The host terminal's size onto the pty: debug:winsize, else "ROWSxCOLS" from
// the boot. Writing the pty's winsize makes ptyd signal its foreground group.
void set_winsize(int master) {
    uint16_t ws[4] = {0, 0, 0, 0};
    if (auto d = sys::open("/scheme/debug/winsize", redox::O_RDONLY_)) {
        auto n = sys::read(*d, ws, sizeof ws);
        (void)sys::close(*d);
        if (!n || *n != sizeof ws) ws[0] = ws[1] = 0;
    }
    if (ws[0] == 0 || ws[1] == 0) {
        const char* size = std::getenv("REDOX_SIM_CONSOLE_SIZE");
        if (!size) return;
        char* x = nullptr;
        unsigned long rows = std::strtoul(size, &x, 10);
        if (!x || *x != 'x') return;
        unsigned long cols = std::strtoul(x + 1, nullptr, 10);
        if (rows == 0 || cols == 0 || rows > 0xffff || cols > 0xffff) return;
        ws[0] = uint16_t(rows);
        ws[1] = uint16_t(cols);
        ws[2] = ws[3] = 0;
    }
    auto h = sys::dup(master, "winsize");
    if (!h) return;
    (void)sys::write(*h, ws, sizeof ws);
    (void)sys::close(*h);
}

// Waits until the master has output, keys wait, or kPollMs passed.
void await_input(int master, int consumer) {
    auto q = sys::open("/scheme/event", redox::O_RDWR_);
    if (!q) {
        (void)sys::sleep_ns(kPollMs * 1'000'000);
        return;
    }
    redox::Event subs[3] = {{uint64_t(master), redox::EVENT_READ, 0}, {redox::EVENT_TIMEOUT_ID, 0, kPollMs},
                            {uint64_t(consumer), redox::EVENT_READ, 1}};
    if (sys::write(*q, subs, consumer >= 0 ? sizeof subs : 2 * sizeof subs[0])) {
        redox::Event ev[3];
        (void)sys::read(*q, ev, sizeof ev);
    } else {
        (void)sys::sleep_ns(kPollMs * 1'000'000);
    }
    (void)sys::close(*q);
}

enum class End { Program, Console, Error };

// One session: PROGRAM on a new pty until it exits (or the console ends).
End session(const std::string& self, const std::vector<std::string>& argv, Keyboard& kb, int& status) {
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
    feeder.argv = {"getty", kb.consumer >= 0 ? "--feed-keys" : "--feed"};
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
        kb.drain(*master);
        if (g_resized) {
            g_resized = 0;
            set_winsize(*master);
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
        await_input(*master, kb.consumer);
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
    if (args.size() == 1 && (args[0] == "--feed" || args[0] == "--feed-keys")) sys::exit(feed(args[0] == "--feed-keys"));
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
    std::signal(SIGWINCH, [](int) { g_resized = 1; });
    Keyboard kb;
    if (auto c = sys::open("/scheme/input/consumer/" + std::to_string(kConsoleVt), redox::O_RDONLY_)) {
        kb.consumer = *c;
        (void)sys::fcntl(kb.consumer, redox::F_SETFL_, redox::O_NONBLOCK_);
        auto active = redox::input::active_vt();
        if (active && *active != kConsoleVt)
            say("VT " + std::to_string(*active) + " has the keyboard; Alt+F" + std::to_string(kConsoleVt) +
                " brings it to this console");
    }
    for (;;) {
        int status = 0;
        End end = session(argv[0], args, kb, status);
        if (end == End::Error) sys::exit(1);
        if (end == End::Console) sys::exit(0);
        if (!respawn) sys::exit(status);
        if (status == 2) sys::exit(0);
        if (status != 0) sys::exit(status);
    }
}
