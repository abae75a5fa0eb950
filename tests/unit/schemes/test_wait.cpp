// The wait primitives of the rings (schemes/ring.h): a daemon serving direct
// channels sleeps on its process wake word and its channels' bell at once.
#include "schemes/direct.h"
#include "schemes/ring.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace redox;
using namespace std::chrono;

namespace {

// Two wait words in shared memory, as they live in memfd regions.
struct Words {
    WaitWord a;
    WaitWord b;
};

Words* shared_words() {
    void* p = mmap(nullptr, sizeof(Words), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    return new (p) Words{};
}

double elapsed_s(steady_clock::time_point t0) { return duration<double>(steady_clock::now() - t0).count(); }

} // namespace

TEST_CASE("wait_either wakes on either word, from another process") {
    for (int which = 0; which < 2; ++which) {
        Words* w = shared_words();
        uint32_t sa = w->a.seq.load(), sb = w->b.seq.load();
        pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            // Wait until the parent sleeps, then wake one word.
            while (w->a.sleepers.load() == 0 || w->b.sleepers.load() == 0) usleep(1000);
            usleep(20'000);
            (which == 0 ? w->a : w->b).wake();
            _exit(0);
        }
        auto t0 = steady_clock::now();
        bool woke = wait_either(w->a, sa, w->b, sb, 5'000'000'000);
        double s = elapsed_s(t0);
        int status = 0;
        waitpid(child, &status, 0);
        CHECK(woke);
        CHECK(s < 4.0);
        CHECK((which == 0 ? w->a.seq.load() != sa : w->b.seq.load() != sb));
        CHECK(w->a.sleepers.load() == 0);
        CHECK(w->b.sleepers.load() == 0);
        munmap(w, sizeof(Words));
    }
}

TEST_CASE("wait_either returns at once when a word already moved, and times out otherwise") {
    Words* w = shared_words();
    uint32_t sa = w->a.seq.load(), sb = w->b.seq.load();
    w->b.wake();
    auto t0 = steady_clock::now();
    CHECK(wait_either(w->a, sa, w->b, sb, 2'000'000'000));
    CHECK(elapsed_s(t0) < 1.0);
    sb = w->b.seq.load();
    t0 = steady_clock::now();
    CHECK_FALSE(wait_either(w->a, sa, w->b, sb, 50'000'000));
    double s = elapsed_s(t0);
    CHECK(s >= 0.04);
    CHECK(s < 2.0);
    munmap(w, sizeof(Words));
}

TEST_CASE("a direct region's rings carry requests and answers in order") {
    void* p = mmap(nullptr, kDirectArenaOffset, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    auto* r = new (p) DirectRegion{};
    for (uint32_t i = 1; i <= kDirectSlots; ++i) {
        Sqe s{};
        s.tag = i;
        REQUIRE(r->sq.push(s));
    }
    Sqe extra{};
    CHECK_FALSE(r->sq.push(extra));  // full: the producer must wait
    for (uint32_t i = 1; i <= kDirectSlots; ++i) {
        auto s = r->sq.pop();
        REQUIRE(s);
        CHECK(s->tag == i);
    }
    CHECK(r->sq.empty());
    CHECK(reinterpret_cast<uintptr_t>(&r->sq) % 64 == 0);
    CHECK(reinterpret_cast<uintptr_t>(&r->client_wake) % 64 == 0);
    munmap(p, kDirectArenaOffset);
}

// A spinning daemon tells from its own yields whether another busy process
// shares its core (CoreShare): a yield that ran someone else is crowded.
TEST_CASE("a yield that runs another thread on the same core reads as crowded") {
    cpu_set_t before, one;
    REQUIRE(sched_getaffinity(0, sizeof before, &before) == 0);
    int cpu = 0;
    while (!CPU_ISSET(cpu, &before)) ++cpu;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);  // the thread below inherits it

    CoreShare share;
    // Alone on the core, most yields find nobody else: at least one of many
    // reads as not crowded, even with other tests running on the machine.
    int free_yields = 0;
    for (int i = 0; i < 200; ++i) {
        share.yield();
        if (!share.crowded()) ++free_yields;
    }
    CHECK(free_yields > 0);

    std::atomic<bool> stop{false};
    std::thread busy([&] {
        while (!stop.load()) {
            for (int i = 0; i < 20000 && !stop.load(); ++i) cpu_relax();
            sched_yield();
        }
    });
    int crowded = 0;
    for (int i = 0; i < 20; ++i) {
        share.yield();
        if (share.crowded()) ++crowded;
    }
    stop = true;
    busy.join();
    REQUIRE(sched_setaffinity(0, sizeof before, &before) == 0);
    CHECK(crowded >= 15);
}
