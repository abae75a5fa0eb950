// One interrupt vector delivered as an eventfd (VFIO's model, which the device models
// copy). A daemon's event loop polls fd(); a synchronous caller uses wait().
#pragma once

#include <memory>

#include "pci/unique_fd.h"
#include "schemes/error.h"

namespace redox::pci {

enum class IrqMode { Intx, Msi, Msix };

const char* irq_mode_name(IrqMode mode);

// An interrupt that is not a Linux fd of this process: inside the sim, a
// vector of the kernel's irq scheme (host/sim_pci.h).
class IrqSource {
public:
    virtual ~IrqSource() = default;
    virtual uint64_t consume() = 0;
    virtual Result<bool> wait(int timeout_ms) = 0;
    // Cheap check for event loops: false only if nothing arrived since the last consume().
    virtual bool maybe_pending() const = 0;
};

class IrqEvent {
public:
    IrqEvent() = default;
    explicit IrqEvent(UniqueFd fd) : m_fd(std::move(fd)) {}
    explicit IrqEvent(std::shared_ptr<IrqSource> source) : m_source(std::move(source)) {}

    // For registering with poll/epoll/io_uring only; ownership stays here.
    // -1 when the interrupt arrives through an IrqSource.
    int fd() const { return m_fd.get(); }
    bool valid() const { return m_fd.valid() || m_source; }
    // Whether consume() may find an interrupt: the eventfd is readable, or the
    // source says so. Never blocks, makes no sim call.
    bool maybe_pending() const;
    // Returns how many interrupts arrived since the last call (0 if none); never blocks.
    uint64_t consume() const;
    // Waits up to timeout_ms for an interrupt; true if one arrived (and consumes it).
    Result<bool> wait(int timeout_ms) const;

private:
    UniqueFd m_fd;
    std::shared_ptr<IrqSource> m_source;
};

// A fresh non-blocking eventfd.
Result<UniqueFd> make_eventfd();

} // namespace redox::pci
