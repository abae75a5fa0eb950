#include "pci/irq_event.h"

#include <poll.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <cerrno>

namespace redox::pci {

const char* irq_mode_name(IrqMode mode) {
    switch (mode) {
    case IrqMode::Intx: return "INTx";
    case IrqMode::Msi: return "MSI";
    case IrqMode::Msix: return "MSI-X";
    }
    return "?";
}

uint64_t IrqEvent::consume() const {
    if (m_source)
        return m_source->consume();
    uint64_t n = 0;
    if (::read(m_fd.get(), &n, sizeof n) != sizeof n)
        return 0;
    return n;
}

bool IrqEvent::maybe_pending() const {
    if (m_source)
        return m_source->maybe_pending();
    pollfd p{m_fd.get(), POLLIN, 0};
    return m_fd.valid() && ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

Result<bool> IrqEvent::wait(int timeout_ms) const {
    if (m_source)
        return m_source->wait(timeout_ms);
    pollfd p{m_fd.get(), POLLIN, 0};
    for (;;) {
        int r = ::poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return err(errno, "poll on interrupt eventfd");
        if (r == 0)
            return false;
        return consume() != 0;
    }
}

Result<UniqueFd> make_eventfd() {
    int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        return err(errno, "eventfd");
    return UniqueFd(fd);
}

} // namespace redox::pci
