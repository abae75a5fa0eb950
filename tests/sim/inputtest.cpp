// inputtest: inputd between sim processes. Run as `inputtest vt` inside a sim; prints
// "ok vt" or "FAIL vt: why" and exits 1. The producer role re-runs this program:
// `inputtest produce DELAY_MS COMMAND...` sends the commands through the producer API.
#include "daemons/inputd/producer.h"
#include "schemes/libredox.h"
#include "schemes/ring.h"
#include "sim_check.h"

#include <cstring>
#include <string>
#include <vector>

using namespace redox;
using namespace simcheck;

namespace {

std::string self_path;

struct VtEvent {
    uint32_t kind, vt, width, height;
};

int spawn_producer(int delay_ms, const std::vector<std::string>& commands) {
    sys::SpawnSpec s;
    s.path = self_path;
    s.argv = {"inputtest", "produce", std::to_string(delay_ms)};
    s.argv.insert(s.argv.end(), commands.begin(), commands.end());
    return must(sys::spawn(s), "spawn producer");
}

void wait_ok(int pid) {
    auto [got, st] = must(sys::waitpid(pid, 0), "waitpid producer");
    expect(got == pid && sys::exited(st) && sys::exit_code(st) == 0, "producer failed (status " + std::to_string(st) + ")");
}

std::vector<input::Event> read_events(int fd, size_t want, const std::string& what) {
    std::vector<input::Event> out;
    while (out.size() < want) {
        input::Event buf[8];
        size_t n = must(sys::read(fd, buf, sizeof buf), what);
        expect(n % sizeof(input::Event) == 0, what + ": read " + std::to_string(n) + " bytes, not whole events");
        out.insert(out.end(), buf, buf + n / sizeof(input::Event));
    }
    return out;
}

std::string show(const input::Event& e) {
    return "{" + std::to_string(e.code) + "," + std::to_string(e.a) + "," + std::to_string(e.b) + "}";
}

void expect_events(const std::vector<input::Event>& got, const std::vector<input::Event>& want, const std::string& what) {
    std::string g, w;
    for (auto& e : got) g += show(e);
    for (auto& e : want) w += show(e);
    expect(g == w, what + ": got " + g + ", want " + w);
}

void t_vt() {
    // Two consumers on their own VTs and a display handle; VT 7 is the first VT
    // anyone asked for, so it is active.
    int display = must(sys::open("/scheme/input/handle/testdisplay", O_RDONLY_ | O_NONBLOCK_), "open display handle");
    int c7 = must(sys::open("/scheme/input/consumer/7", O_RDONLY_), "open consumer/7");
    int c8 = must(sys::open("/scheme/input/consumer/8", O_RDONLY_ | O_NONBLOCK_), "open consumer/8");
    expect(must(sys::fpath(c7), "fpath") == "input:consumer/7", "consumer fpath is input:consumer/7");
    uint64_t active = must(input::active_vt(), "read the active VT");
    expect(active == 7, "VT 7 is active, not " + std::to_string(active));

    // The doorbell page: inputd wakes it when it queues events for us.
    auto bell = must(sys::fmap(c7, 0, 4096, PROT_READ_ | PROT_WRITE_ | MAP_SHARED_), "fmap the doorbell");
    auto* word = static_cast<WaitWord*>(bell.data());
    uint32_t rung = word->seq.load();

    // Another process produces while we are parked in a blocking read: the events
    // arrive whole, in order, with their payloads.
    int pid = spawn_producer(100, {"mouse 100 200", "button 1 0 0", "key 0x1E press U+61", "key 0x1E release",
                                   "scroll 0 -3", "display_resize 800 600", "quit"});
    auto got = read_events(c7, 7, "read consumer/7");
    wait_ok(pid);
    expect_events(got, {input::mouse(100, 200), input::buttons(true, false, false), input::key(0x1E, true, U'a'),
                        input::key(0x1E, false), input::scroll(0, -3), input::display_resize(800, 600), input::quit()},
                  "consumer/7");
    expect(word->seq.load() != rung, "the doorbell was not rung");
    input::Event e;
    expect_err(sys::read(c8, &e, sizeof e), EWOULDBLOCK_, "consumer/8 got events while VT 7 was active");

    // Switch to VT 8 through control: only consumer/8 sees what follows.
    must(input::activate_vt(8), "activate VT 8");
    pid = spawn_producer(0, {"text U+263A", "mouse_relative -4 5"});
    wait_ok(pid);
    expect_events(read_events(c8, 2, "read consumer/8"), {input::text(U'\u263A'), input::mouse_relative(-4, 5)}, "consumer/8");
    must(sys::fcntl(c7, F_SETFL_, O_NONBLOCK_), "O_NONBLOCK");
    expect_err(sys::read(c7, &e, sizeof e), EWOULDBLOCK_, "consumer/7 got events while VT 8 was active");
    must(sys::fcntl(c7, F_SETFL_, 0), "blocking again");

    // Super+F7 in the stream switches back: the keys before it go to VT 8, those
    // after it to VT 7.
    pid = spawn_producer(0, {"key 0x5B press\nkey 0x41 press\nkey 0x41 release\nkey 0x5B release\nkey 0x10 press"});
    wait_ok(pid);
    expect(must(input::active_vt(), "active VT") == 7, "Super+F7 did not activate VT 7");
    expect_events(read_events(c8, 1, "read consumer/8"), {input::key(0x5B, true)}, "consumer/8 before Super+F7");
    expect_events(read_events(c7, 4, "read consumer/7"),
                  {input::key(0x41, true), input::key(0x41, false), input::key(0x5B, false), input::key(0x10, true)},
                  "consumer/7 after Super+F7");

    // The display handle saw every switch.
    VtEvent vts[8];
    size_t n = must(sys::read(display, vts, sizeof vts), "read display handle") / sizeof(VtEvent);
    std::string seen;
    for (size_t i = 0; i < n; ++i)
        seen += std::to_string(vts[i].kind) + ":" + std::to_string(vts[i].vt) +
                (vts[i].kind == 3 ? "/" + std::to_string(vts[i].width) + "x" + std::to_string(vts[i].height) : "") + " ";
    expect(seen == "1:7 3:7/800x600 2:7 1:8 2:8 1:7 ", "display handle events: " + seen);

    // Bad input is refused, and changes nothing.
    int prod = must(sys::open("/scheme/input/producer", O_WRONLY_), "open producer");
    char odd[23] = {};
    expect_err(sys::write(prod, odd, sizeof odd), EINVAL_, "a 23-byte producer write");
    expect_err(sys::read(prod, odd, sizeof odd), EBADF_, "a producer read");
    expect_err(sys::read(c7, odd, 16), EINVAL_, "a 16-byte consumer read");
    expect_err(input::activate_vt(99), ENOENT_, "activating a VT nobody asked for");
    expect_err(sys::open("/scheme/input/consumer/x", O_RDONLY_), EINVAL_, "consumer/x");
    expect_err(sys::open("/scheme/input/bogus", O_RDONLY_), ENOENT_, "an unknown path");
    expect(must(input::active_vt(), "active VT") == 7, "a refused switch changed the VT");
    (void)sys::close(prod);
    (void)sys::close(c7);
    (void)sys::close(c8);
    (void)sys::close(display);
}

int produce(int argc, char** argv) {
    g_name = "produce";
    (void)sys::sleep_ns(uint64_t(std::atoi(argv[2])) * 1'000'000);
    auto p = must(input::Producer::open(), "open producer");
    for (int i = 3; i < argc; ++i) {
        auto events = must(input::parse_commands(argv[i]), "parse");
        must(p.send(events), "send");
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    self_path = "/scheme/initfs/bin/inputtest";
    if (argc >= 3 && std::string(argv[1]) == "produce") sys::exit(produce(argc, argv));
    g_name = argc > 1 ? argv[1] : "";
    if (g_name == "vt" && argc == 2) t_vt();
    else fail("usage: inputtest vt");
    (void)sys::write_all(1, "ok " + g_name + "\n");
    sys::exit(0);
}
