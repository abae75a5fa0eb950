// Model of an NVMe controller with one namespace backed by a host file (512-byte
// LBAs): admin queue, Identify, Set Features (queues), Create/Delete I/O SQ/CQ,
// Read/Write/Flush with PRP1/PRP2/PRP lists, MSI-X (8 vectors) and INTx.
// Errors are reported the way a controller does, in the completion status:
// an unreachable PRP is a Data Transfer Error, a range past the end LBA Out of Range.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "model/model_device.h"
#include "nvme/nvme_regs.h"

namespace redox::pci {

class NvmeModel final : public ModelDevice {
public:
    // The backing file must exist; its size (rounded down to 512) is the namespace.
    static Result<std::unique_ptr<NvmeModel>> create(const std::string& backing_path);

    // Accept commands but never complete them (a hung controller).
    void set_stalled(bool stalled) { m_stalled = stalled; }
    uint64_t commands_completed() const { return m_completed; }

protected:
    uint64_t bar_read(unsigned bar, uint64_t offset, unsigned size) override;
    void bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;

private:
    struct Queue {
        bool live = false;
        uint64_t base = 0;
        uint32_t size = 0;
        uint32_t head = 0, tail = 0;
        uint16_t cqid = 0;     // SQ: its completion queue
        uint16_t vector = 0;   // CQ: its interrupt vector
        bool irq = false;      // CQ: interrupts enabled
        bool phase = true;     // CQ: phase tag of the next entry
    };
    static constexpr unsigned MaxQueues = 16;
    static constexpr uint32_t BlockSize = 512;

    NvmeModel(UniqueFd backing, uint64_t blocks);
    void enable(bool on);
    void doorbell(uint32_t index, uint32_t value);
    void run_queue(uint16_t sqid);
    bool post_completion(uint16_t sqid, uint16_t cid, uint16_t status, uint32_t result);
    uint16_t execute_admin(const nvme::SubmissionEntry& e, uint32_t& result);
    uint16_t execute_io(const nvme::SubmissionEntry& e);
    uint16_t identify(const nvme::SubmissionEntry& e);
    uint16_t transfer(const nvme::SubmissionEntry& e, bool to_device, size_t len, uint64_t file_off);

    UniqueFd m_backing;
    uint64_t m_blocks;
    uint64_t m_cap;
    uint32_t m_cc = 0, m_csts = 0, m_aqa = 0, m_intms = 0;
    uint64_t m_asq = 0, m_acq = 0;
    std::array<Queue, MaxQueues> m_sq{}, m_cq{};
    bool m_stalled = false;
    uint64_t m_completed = 0;
};

} // namespace redox::pci
