// One interrupt vector delivered as an eventfd (VFIO's model, which the device models
// copy). A daemon's event loop polls fd(); a synchronous caller uses wait().
#pragma once

#include "pci/unique_fd.h"
#include "schemes/error.h"

namespace redox::pci {

enum class IrqMode { Intx, Msi, Msix };

const char* irq_mode_name(IrqMode mode);

class IrqEvent {
public:
    IrqEvent() = default;
    explicit IrqEvent(UniqueFd fd) : m_fd(std::move(fd)) {}

    // For registering with poll/epoll/io_uring only; ownership stays here.
    int fd() const { return m_fd.get(); }
    bool valid() const { return m_fd.valid(); }
    // Returns how many interrupts arrived since the last call (0 if none); never blocks.
    uint64_t consume() const;
    // Waits up to timeout_ms for an interrupt; true if one arrived (and consumes it).
    Result<bool> wait(int timeout_ms) const;

private:
    UniqueFd m_fd;
};

// A fresh non-blocking eventfd.
Result<UniqueFd> make_eventfd();

} // namespace redox::pci
