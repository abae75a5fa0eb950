#include "host/waker.h"

#include <cerrno>
#include <memory>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "schemes/libredox.h"

namespace redox::host {

Result<std::unique_ptr<Waker>> Waker::start(std::vector<int> fds) {
    pci::UniqueFd rearm(::eventfd(0, EFD_CLOEXEC));
    pci::UniqueFd stop(::eventfd(0, EFD_CLOEXEC));
    if (!rearm.valid() || !stop.valid()) return err(errno, "waker: eventfd");
    std::unique_ptr<Waker> w(new Waker(std::move(fds), std::move(rearm), std::move(stop)));
    w->m_thread = std::thread([p = w.get()] { p->run(); });
    return w;
}

Waker::~Waker() {
    uint64_t one = 1;
    (void)!::write(m_stop.get(), &one, sizeof one);
    if (m_thread.joinable()) m_thread.join();
}

void Waker::rearm() {
    uint64_t one = 1;
    (void)!::write(m_rearm.get(), &one, sizeof one);
}

void Waker::run() {
    std::vector<pollfd> p;
    for (int fd : m_fds) p.push_back({fd, POLLIN, 0});
    p.push_back({m_stop.get(), POLLIN, 0});
    pollfd wait_rearm[2] = {{m_rearm.get(), POLLIN, 0}, {m_stop.get(), POLLIN, 0}};
    for (;;) {
        if (::poll(p.data(), p.size(), -1) < 0 && errno != EINTR) return;
        if (p.back().revents) return;
        sys::wake_word().wake();
        // Sleep until the loop has drained the fds.
        if (::poll(wait_rearm, 2, -1) < 0 && errno != EINTR) return;
        if (wait_rearm[1].revents) return;
        uint64_t v;
        (void)!::read(m_rearm.get(), &v, sizeof v);
    }
}

} // namespace redox::host
