// One NVMe submission/completion queue pair in DMA memory, with its doorbells.
// Not thread-safe: one owner drives it (the admin path or the I/O path).
#pragma once

#include <cstdint>

#include "nvme/nvme_regs.h"
#include "pci/pci_device.h"

namespace redox::nvme {

class QueuePair {
public:
    static Result<QueuePair> create(pci::PciDevice& dev, const pci::RegisterWindow& regs, uint16_t qid,
                                    uint32_t entries, uint32_t dstrd);
    QueuePair() = default;

    uint16_t qid() const { return m_qid; }
    uint32_t entries() const { return m_entries; }
    uint64_t sq_bus() const { return m_sq.bus_addr(); }
    uint64_t cq_bus() const { return m_cq.bus_addr(); }
    // One slot always stays empty, so a full SQ holds entries()-1 commands.
    bool full() const { return (m_sq_tail + 1) % m_entries == m_sq_head; }

    // Copies the entry into the SQ; ring() makes the device see everything queued.
    void push(const SubmissionEntry& e);
    void ring();

    // Hands every new completion to f(const CompletionEntry&), then tells the device
    // (one CQ doorbell write for the whole batch). Returns how many.
    template <typename F>
    size_t reap(F&& f) {
        size_t n = 0;
        auto* cq = m_cq.at<volatile CompletionEntry>(0);
        while ((cq[m_cq_head].status & 1) == m_phase) {
            CompletionEntry c;
            c.result = cq[m_cq_head].result;
            c.sq_head = cq[m_cq_head].sq_head;
            c.sq_id = cq[m_cq_head].sq_id;
            c.cid = cq[m_cq_head].cid;
            c.status = cq[m_cq_head].status;
            m_sq_head = c.sq_head % m_entries;
            if (++m_cq_head == m_entries) {
                m_cq_head = 0;
                m_phase ^= 1;
            }
            f(c);
            ++n;
        }
        if (n)
            m_regs->write<uint32_t>(cq_doorbell(m_qid, m_dstrd), m_cq_head);
        return n;
    }

private:
    const pci::RegisterWindow* m_regs = nullptr;
    pci::DmaBuffer m_sq, m_cq;
    uint16_t m_qid = 0;
    uint32_t m_entries = 0, m_dstrd = 0;
    uint32_t m_sq_tail = 0, m_sq_head = 0, m_cq_head = 0;
    uint16_t m_phase = 1;
};

} // namespace redox::nvme
