// ptytest: ptyd's pseudo-terminals inside a sim: line discipline (canonical
// editing, echo, ^D, raw mode), ^C reaching the foreground process group of
// another process, control handles and hang-up. Prints "ok pty" or
// "FAIL pty: why" and exits 1.
#include "schemes/libredox.h"
#include "sim_check.h"

#include <csignal>
#include <cstring>
#include <string>

using namespace redox;
using namespace simcheck;

namespace {

std::string show(const std::string& s) {
    std::string o;
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f) o += char(c);
        else { char b[8]; std::snprintf(b, sizeof b, "\\x%02x", c); o += b; }
    }
    return o;
}
std::string read_some(int fd, const std::string& what) {
    char buf[256];
    size_t n = must(sys::read(fd, buf, sizeof buf), what);
    return std::string(buf, n);
}
void expect_read(int fd, const std::string& want, const std::string& what) {
    std::string got = read_some(fd, what);
    expect(got == want, what + ": got '" + show(got) + "', expected '" + show(want) + "'");
}

// Termios as the pty's "termios" handle carries it (Linux x86_64 layout).
struct Termios {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[32];
    uint32_t c_ispeed, c_ospeed;
};
static_assert(sizeof(Termios) == 60);
constexpr uint32_t ICANON = 0x2, ECHO = 0x8;

void t_pty(const std::string& self) {
    int master = must(sys::open("/scheme/pty/ptmx", O_RDWR_), "open ptmx");
    int name_fd = must(sys::dup(master, "ptsname"), "dup ptsname");
    std::string slave_path = read_some(name_fd, "read ptsname");
    must(sys::close(name_fd), "close");
    expect(slave_path.starts_with("/scheme/pty/"), "ptsname is a pty path: " + slave_path);
    int slave = must(sys::open(slave_path, O_RDWR_), "open slave " + slave_path);

    // Canonical mode: erase edits the line, echo shows it, a line is read whole.
    must(sys::write_all(master, "ab\x7f" "c\r"), "type a line");
    expect_read(slave, "ac\n", "slave reads the edited line");
    expect_read(master, "ab\b \bc\r\n", "echo of the typed line");
    must(sys::write_all(slave, "out\n"), "slave writes");
    expect_read(master, "out\r\n", "output NL becomes CR NL");

    // ^D: sends a partial line, then (on an empty line) an end of file.
    must(sys::write_all(master, "xy\x04"), "type xy ^D");
    expect_read(slave, "xy", "^D sends the line without newline");
    must(sys::write_all(master, "\x04"), "type ^D");
    char b;
    expect(must(sys::read(slave, &b, 1), "read at ^D") == 0, "^D on an empty line reads as end of file");
    (void)read_some(master, "drain echo");

    // ^C: SIGINT to the foreground process group, here a reader in another process.
    sys::SpawnSpec spec;
    spec.path = self;
    spec.argv = {"ptytest", "reader"};
    spec.fds = {{0, slave}, {1, 1}, {2, 2}};
    spec.pgid = 0;
    int child = must(sys::spawn(spec), "spawn reader");
    int pgrp = must(sys::dup(master, "pgrp"), "dup pgrp");
    uint64_t pg = uint64_t(child);
    must(sys::write_all(pgrp, std::string_view(reinterpret_cast<const char*>(&pg), 8)), "set foreground pgrp");
    uint64_t back = 0;
    expect(must(sys::read(pgrp, &back, 8), "read pgrp") == 8 && back == pg, "pgrp reads back");
    (void)sys::sleep_ns(200'000'000);  // let the reader block on the slave
    must(sys::write_all(master, "\x03"), "type ^C");
    auto [pid, st] = must(sys::waitpid(child, 0), "wait reader");
    expect(pid == child && !sys::exited(st) && sys::term_signal(st) == SIGINT,
           "reader killed by SIGINT (status " + std::to_string(st) + ")");
    expect_read(master, "^C\r\n", "^C is echoed");

    // Raw mode: no echo, bytes reach the reader at once.
    int tio = must(sys::dup(master, "termios"), "dup termios");
    Termios t{};
    expect(must(sys::read(tio, &t, sizeof t), "read termios") == sizeof t, "termios size");
    expect((t.c_lflag & ICANON) && (t.c_lflag & ECHO), "default is canonical with echo");
    t.c_lflag &= ~(ICANON | ECHO);
    must(sys::write_all(tio, std::string_view(reinterpret_cast<const char*>(&t), sizeof t)), "set raw");
    must(sys::write_all(master, "q"), "type q");
    expect_read(slave, "q", "raw byte read at once");
    expect((must(sys::fevent(master, EVENT_READ), "fevent master") & EVENT_READ) == 0, "no echo in raw mode");

    // Window size round trip.
    int ws = must(sys::dup(slave, "winsize"), "dup winsize");
    uint16_t size[4] = {50, 132, 0, 0}, got[4] = {};
    must(sys::write_all(ws, std::string_view(reinterpret_cast<const char*>(size), 8)), "set winsize");
    expect(must(sys::read(ws, got, 8), "read winsize") == 8 && got[0] == 50 && got[1] == 132, "winsize reads back");

    // Hang-up: the master goes, the slave reads end of file and cannot write.
    for (int fd : {tio, ws, pgrp, master}) must(sys::close(fd), "close");
    expect(must(sys::read(slave, &b, 1), "read after hang-up") == 0, "slave reads EOF after the master closed");
    auto w = sys::write(slave, "x", 1);
    expect(!w && w.error().errnum == EIO_, "slave write after hang-up is EIO");
    must(sys::close(slave), "close slave");
    expect(!sys::open(slave_path, O_RDWR_), "the pty is gone once every handle closed");

    // The other way round: the slave's last close makes master reads fail with EIO.
    int m2 = must(sys::open("/scheme/pty/ptmx", O_RDWR_), "open a second ptmx");
    std::string p2 = must(sys::fpath(m2), "fpath of the master");
    int s2 = must(sys::open(p2, O_RDWR_), "open slave by the master's fpath");
    must(sys::write_all(s2, "last words"), "slave writes");
    must(sys::close(s2), "close slave");
    expect_read(m2, "last words", "output written before the close is still read");
    auto r = sys::read(m2, &b, 1);
    expect(!r && r.error().errnum == EIO_, "master read after the slave closed is EIO");
    must(sys::close(m2), "close master");
}

} // namespace

int main(int argc, char** argv) {
    std::string self = argv[0];
    if (self.find('/') == std::string::npos) self = "/scheme/initfs/bin/ptytest";
    std::string role = argc > 1 ? argv[1] : "";
    if (role == "reader") {
        char b;
        (void)sys::read(0, &b, 1);
        sys::exit(3);  // not reached when ^C interrupts
    }
    if (role == "winch") {
        // The console's terminal resized: SIGWINCH reaches this foreground job
        // and the pty has the new size.
        static volatile std::sig_atomic_t got = 0;
        std::signal(SIGWINCH, [](int) { got = 1; });
        (void)sys::write_all(1, "winch: waiting\n");
        for (int i = 0; i < 600 && !got; ++i) (void)sys::sleep_ns(50'000'000);
        if (!got) {
            (void)sys::write_all(1, "winch: no SIGWINCH in 30 s\n");
            sys::exit(1);
        }
        uint16_t ws[4] = {};
        auto h = sys::dup(0, "winsize");
        auto n = h ? sys::read(*h, ws, sizeof ws) : Result<size_t>(0);
        if (!n || *n != sizeof ws) {
            (void)sys::write_all(1, "winch: no winsize on stdin\n");
            sys::exit(1);
        }
        (void)sys::write_all(1, "winch: SIGWINCH rows " + std::to_string(ws[0]) + " cols " + std::to_string(ws[1]) + "\n");
        sys::exit(0);
    }
    if (role != "pty") {
        (void)sys::write_all(2, "usage: ptytest pty | ptytest winch\n");
        sys::exit(2);
    }
    g_name = "pty";
    t_pty(self);
    (void)sys::write_all(1, "ok pty\n");
    sys::exit(0);
}
