#include "nvme/nvme_queue.h"

#include <atomic>

namespace redox::nvme {

Result<QueuePair> QueuePair::create(pci::PciDevice& dev, const pci::RegisterWindow& regs, uint16_t qid,
                                    uint32_t entries, uint32_t dstrd) {
    QueuePair q;
    q.m_regs = &regs;
    q.m_qid = qid;
    q.m_entries = entries;
    q.m_dstrd = dstrd;
    q.m_sq = TRY(dev.alloc_dma(entries * sizeof(SubmissionEntry)));
    q.m_cq = TRY(dev.alloc_dma(entries * sizeof(CompletionEntry)));
    return q;
}

void QueuePair::push(const SubmissionEntry& e) {
    m_sq.at<SubmissionEntry>(0)[m_sq_tail] = e;
    m_sq_tail = (m_sq_tail + 1) % m_entries;
}

void QueuePair::ring() {
    std::atomic_thread_fence(std::memory_order_release);
    m_regs->write<uint32_t>(sq_doorbell(m_qid, m_dstrd), m_sq_tail);
}

} // namespace redox::nvme
