// A driver daemon sleeps on its sim wake word (scheme requests), but its hardware
// signals through Linux fds: interrupt eventfds, a model's host socket. A Waker
// thread poll()s those fds and wakes the daemon's loop, then waits until the loop
// says it has drained them (rearm()) before polling again, so a level-ready fd
// costs one wake-up, not a spin. The thread touches only the fds and the wake word.
#pragma once

#include <atomic>
#include <thread>
#include <vector>

#include "pci/unique_fd.h"
#include "schemes/error.h"

namespace redox::host {

class Waker {
public:
    static Result<std::unique_ptr<Waker>> start(std::vector<int> fds);
    ~Waker();
    // Call after draining every fd: the thread polls again.
    void rearm();

private:
    Waker(std::vector<int> fds, pci::UniqueFd rearm, pci::UniqueFd stop)
        : m_fds(std::move(fds)), m_rearm(std::move(rearm)), m_stop(std::move(stop)) {}
    void run();

    std::vector<int> m_fds;
    pci::UniqueFd m_rearm, m_stop;
    std::thread m_thread;
};

} // namespace redox::host
