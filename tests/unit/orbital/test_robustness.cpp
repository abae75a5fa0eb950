// Bad clients must not take Orbital down: garbage commands and paths, clients that
// die mid-frame, windows that vanish in the middle of a gesture.
#include <catch2/catch.hpp>
#include <csignal>
#include <random>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

using namespace orbtest;

TEST_CASE("thousands of garbage commands and paths leave the server working") {
    Desk d;
    auto w = d.window(10, 40, 60, 60, "fuzz", kFlagResizable);
    std::mt19937 rng(12345);
    const std::string alphabet = "ADFMPSTYN,,,0123456789--abfrultmMhsCGRLB \xff\xc3";
    size_t accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string cmd;
        cmd += alphabet[rng() % 9];   // a command letter most of the time
        int len = int(rng() % 24);
        for (int k = 0; k < len; ++k) cmd += alphabet[rng() % alphabet.size()];
        if (d.server->write(w->handle(), cmd)) ++accepted;
        if (i % 500 == 0) d.server->composite();
    }
    CHECK(accepted > 0);   // some random commands are valid, and were applied
    for (int i = 0; i < 2000; ++i) {
        std::string path;
        int len = int(rng() % 30);
        for (int k = 0; k < len; ++k) path += alphabet[rng() % alphabet.size()] == ',' ? '/' : alphabet[rng() % alphabet.size()];
        if (auto id = d.server->open(path, 0)) (void)d.server->close(*id);
    }
    // Still fully functional: restore a sane state and draw.
    REQUIRE(d.server->write(w->handle(), "F,hmMlb,0").has_value());
    REQUIRE(d.server->write(w->handle(), "S,60,60").has_value());
    REQUIRE(d.server->write(w->handle(), "P,10,40").has_value());
    REQUIRE(w->sync_path().has_value());
    auto evs = w->events();
    REQUIRE(evs.has_value());
    REQUIRE(w->set_size(60, 60).has_value());
    w->set(Color::rgb(0, 255, 0));
    REQUIRE(w->sync().has_value());
    CHECK(d.px(20, 50) == 0x00FF00);
}

TEST_CASE("a client process killed mid-frame does not hurt the server") {
    Desk d;
    uint64_t id = *d.server->open("/10/40/100/100/victim", 0);
    const SharedPixels* px = *d.server->window_buffer(id);
    int fd = px->fd();
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // The client: map the buffer like fmap, paint the top half, die without sync.
        void* m = mmap(nullptr, 100 * 100 * 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) _exit(2);
        auto* p = static_cast<uint32_t*>(m);
        for (int i = 0; i < 100 * 50; ++i) p[i] = 0xFFFF00FF;
        raise(SIGKILL);
        _exit(3);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    // The daemon would now see the handle closed; first show what was drawn.
    REQUIRE(d.server->fsync(id).has_value());
    CHECK(d.px(20, 50) == 0xFF00FF);    // the half it painted
    CHECK(d.px(20, 120) == 0x000000);   // the half it never reached
    REQUIRE(d.server->close(id).has_value());
    CHECK(d.px(20, 50) == rgb(kBackground));
    CHECK(d.server->close(id).error().errnum == EBADF);
}

TEST_CASE("windows closed during drags, grabs and with damage pending") {
    Desk d;
    {
        auto w = d.window(50, 60, 100, 80, "gone", kFlagResizable);
        d.server->inject(MouseInput{80, 45});
        d.server->inject(ButtonInput{true});     // title drag starts
        d.server->inject(MouseInput{90, 50});
        w->set(Color::rgb(1, 1, 1));
        Rect r{0, 0, 5, 5};
        REQUIRE(w->update_rects(std::span(&r, 1)).has_value());
    }   // the client goes away mid-drag with damage pending
    d.server->inject(MouseInput{120, 80});
    d.server->inject(ButtonInput{false});
    CHECK(d.server->window_count() == 0);
    CHECK(d.px(70, 80) == rgb(kBackground));
    {
        auto w = d.window(50, 60, 100, 80, "grab");
        d.server->inject(MouseInput{60, 70});
        d.server->inject(ButtonInput{true});     // button grab
    }
    d.server->inject(MouseInput{61, 71});
    d.server->inject(ButtonInput{false});
    d.server->inject(ScrollInput{0, 1});
    d.server->inject(KeyInput{key::A, true, U'a'});
    d.server->inject(KeyInput{key::SUPER, true});
    d.server->inject(KeyInput{key::TAB, true});
    d.server->inject(KeyInput{key::Q, true});
    d.server->inject(KeyInput{key::K, true});
    d.server->inject(KeyInput{key::SUPER, false});
    CHECK(d.server->focused() == 0);
    d.server->composite();
}

TEST_CASE("a client that never reads cannot grow the server without bound") {
    Desk d;
    auto w = d.window(0, 30, 320, 200, "flood");
    for (int i = 0; i < 20000; ++i) d.server->inject(KeyInput{key::A, i % 2 == 0});
    auto evs = drain(*w);
    CHECK(evs.size() <= 4096);
    CHECK(evs.size() >= 4000);
}
