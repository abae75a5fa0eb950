#include "model/nvme_model.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace redox::pci {

using namespace nvme;

namespace {
constexpr size_t Bar0Size = 0x4000;
constexpr unsigned MsixVectors = 8;
constexpr uint16_t MaxQueueEntries = 1024;

void put_ascii(uint8_t* dst, const char* s, size_t width) {
    std::memset(dst, ' ', width);
    std::memcpy(dst, s, std::min(width, std::strlen(s)));
}
} // namespace

Result<std::unique_ptr<NvmeModel>> NvmeModel::create(const std::string& backing_path) {
    int fd = ::open(backing_path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return err(errno, "nvme model backing file " + backing_path);
    UniqueFd backing(fd);
    struct stat st{};
    if (::fstat(fd, &st) != 0)
        return err(errno, "nvme model backing file " + backing_path);
    uint64_t blocks = static_cast<uint64_t>(st.st_size) / BlockSize;
    if (blocks == 0)
        return err(EINVAL, "nvme model backing file " + backing_path + ": smaller than one 512-byte block");
    return std::unique_ptr<NvmeModel>(new NvmeModel(std::move(backing), blocks));
}

NvmeModel::NvmeModel(UniqueFd backing, uint64_t blocks)
    : ModelDevice("model:nvme", PciId{0x1B36, 0x0010, 0x01, 0x08, 0x02, 0x02}),
      m_backing(std::move(backing)), m_blocks(blocks) {
    add_bar(0, Bar0Size);
    add_msix_capability(MsixVectors);
    // MQES, CQR (contiguous queues required), TO = 1 s, DSTRD 0, CSS NVM, MPS 4 KiB.
    m_cap = (MaxQueueEntries - 1) | (1ull << 16) | (2ull << 24) | (1ull << 37);
}

uint64_t NvmeModel::bar_read(unsigned, uint64_t offset, unsigned size) {
    uint64_t v;
    switch (offset & ~uint64_t{3}) {
    case reg::Cap: v = m_cap; break;
    case reg::Cap + 4: v = m_cap >> 32; break;
    case reg::Vs: v = 0x00010400; break; // 1.4
    case reg::Intms:
    case reg::Intmc: v = m_intms; break;
    case reg::Cc: v = m_cc; break;
    case reg::Csts: v = m_csts; break;
    case reg::Aqa: v = m_aqa; break;
    case reg::Asq: v = m_asq; break;
    case reg::Asq + 4: v = m_asq >> 32; break;
    case reg::Acq: v = m_acq; break;
    case reg::Acq + 4: v = m_acq >> 32; break;
    default: v = 0;
    }
    if (size == 8 && (offset == reg::Cap || offset == reg::Asq || offset == reg::Acq))
        return offset == reg::Cap ? m_cap : offset == reg::Asq ? m_asq : m_acq;
    return size == 4 ? (v & 0xFFFFFFFF) : v;
}

void NvmeModel::bar_write(unsigned, uint64_t offset, unsigned size, uint64_t value) {
    auto v32 = static_cast<uint32_t>(value);
    if (offset >= reg::Doorbells) {
        if (size == 4)
            doorbell(static_cast<uint32_t>((offset - reg::Doorbells) / 4), v32);
        return;
    }
    switch (offset) {
    case reg::Intms: m_intms |= v32; return;
    case reg::Intmc: m_intms &= ~v32; return;
    case reg::Cc: {
        bool was = m_cc & CcEnable;
        m_cc = v32;
        if ((v32 & CcEnable) != was)
            enable(v32 & CcEnable);
        if (v32 & (3u << 14))
            m_csts = (m_csts & ~CstsShstMask) | CstsShstDone;
        return;
    }
    case reg::Aqa: m_aqa = v32; return;
    case reg::Asq: m_asq = size == 8 ? value : (m_asq & ~0xFFFFFFFFull) | v32; return;
    case reg::Asq + 4: m_asq = (m_asq & 0xFFFFFFFF) | (value << 32); return;
    case reg::Acq: m_acq = size == 8 ? value : (m_acq & ~0xFFFFFFFFull) | v32; return;
    case reg::Acq + 4: m_acq = (m_acq & 0xFFFFFFFF) | (value << 32); return;
    default: return;
    }
}

void NvmeModel::enable(bool on) {
    m_sq = {};
    m_cq = {};
    if (!on) {
        m_csts = 0;
        return;
    }
    m_sq[0] = Queue{true, m_asq, (m_aqa & 0xFFF) + 1, 0, 0, 0, 0, false, true};
    m_cq[0] = Queue{true, m_acq, ((m_aqa >> 16) & 0xFFF) + 1, 0, 0, 0, 0, true, true};
    m_csts = CstsRdy;
}

void NvmeModel::doorbell(uint32_t index, uint32_t value) {
    if (!(m_csts & CstsRdy))
        return;
    uint16_t qid = static_cast<uint16_t>(index / 2);
    if (qid >= MaxQueues)
        return;
    if (index % 2 == 0) {
        Queue& sq = m_sq[qid];
        if (!sq.live || value >= sq.size)
            return;
        sq.tail = value;
        run_queue(qid);
    } else {
        Queue& cq = m_cq[qid];
        if (!cq.live || value >= cq.size)
            return;
        cq.head = value;
        // Room in the CQ may unblock SQs that feed it.
        for (uint16_t s = 0; s < MaxQueues; ++s)
            if (m_sq[s].live && m_sq[s].cqid == qid && m_sq[s].head != m_sq[s].tail)
                run_queue(s);
    }
}

void NvmeModel::run_queue(uint16_t sqid) {
    if (m_stalled)
        return;
    Queue& sq = m_sq[sqid];
    Queue& cq = m_cq[sq.cqid];
    bool posted = false;
    while (sq.head != sq.tail) {
        if ((cq.tail + 1) % cq.size == cq.head)
            break; // CQ full: wait for the host to consume
        SubmissionEntry e{};
        if (!dma_read(sq.base + uint64_t{sq.head} * sizeof e, &e, sizeof e))
            break; // the queue itself is unreachable: nothing can be reported
        sq.head = (sq.head + 1) % sq.size;
        uint32_t result = 0;
        uint16_t st = sqid == 0 ? execute_admin(e, result) : execute_io(e);
        posted |= post_completion(sqid, e.cid, st, result);
    }
    if (posted && cq.irq && !(m_intms & 1))
        raise_irq(cq.vector);
}

bool NvmeModel::post_completion(uint16_t sqid, uint16_t cid, uint16_t st, uint32_t result) {
    Queue& cq = m_cq[m_sq[sqid].cqid];
    CompletionEntry c{result, 0, static_cast<uint16_t>(m_sq[sqid].head), sqid, cid,
                      static_cast<uint16_t>((st << 1) | (cq.phase ? 1 : 0))};
    if (!dma_write(cq.base + uint64_t{cq.tail} * sizeof c, &c, sizeof c))
        return false;
    cq.tail = (cq.tail + 1) % cq.size;
    if (cq.tail == 0)
        cq.phase = !cq.phase;
    ++m_completed;
    return true;
}

uint16_t NvmeModel::execute_admin(const SubmissionEntry& e, uint32_t& result) {
    uint16_t qid = e.cdw10 & 0xFFFF;
    uint32_t qsize = (e.cdw10 >> 16) + 1;
    switch (e.opcode) {
    case admin::Identify:
        return identify(e);
    case admin::SetFeatures:
        if ((e.cdw10 & 0xFF) != FeatureNumQueues)
            return status::InvalidField;
        result = (MaxQueues - 2) | ((MaxQueues - 2) << 16);
        return status::Success;
    case admin::CreateCq:
        if (qid == 0 || qid >= MaxQueues || m_cq[qid].live)
            return status::InvalidQueueId;
        if (qsize < 2 || qsize > MaxQueueEntries || !(e.cdw11 & 1))
            return status::InvalidField;
        m_cq[qid] = Queue{true, e.prp1, qsize, 0, 0, 0, static_cast<uint16_t>(e.cdw11 >> 16), bool(e.cdw11 & 2), true};
        if (m_cq[qid].vector >= MsixVectors)
            return m_cq[qid] = {}, status::InvalidField;
        return status::Success;
    case admin::CreateSq: {
        uint16_t cqid = static_cast<uint16_t>(e.cdw11 >> 16);
        if (qid == 0 || qid >= MaxQueues || m_sq[qid].live)
            return status::InvalidQueueId;
        if (cqid >= MaxQueues || !m_cq[cqid].live || qsize < 2 || qsize > MaxQueueEntries)
            return status::InvalidField;
        m_sq[qid] = Queue{true, e.prp1, qsize, 0, 0, cqid, 0, false, true};
        return status::Success;
    }
    case admin::DeleteSq:
        if (qid == 0 || qid >= MaxQueues || !m_sq[qid].live)
            return status::InvalidQueueId;
        m_sq[qid] = {};
        return status::Success;
    case admin::DeleteCq:
        if (qid == 0 || qid >= MaxQueues || !m_cq[qid].live)
            return status::InvalidQueueId;
        m_cq[qid] = {};
        return status::Success;
    default:
        return status::InvalidOpcode;
    }
}

uint16_t NvmeModel::identify(const SubmissionEntry& e) {
    std::array<uint8_t, PageSize> page{};
    switch (e.cdw10 & 0xFF) {
    case CnsController:
        page[0] = 0x36;
        page[1] = 0x1B;
        put_ascii(&page[ident::CtrlSerial], "REDOXSIM0001", 20);
        put_ascii(&page[ident::CtrlModel], "redox-sim NVMe model", 40);
        put_ascii(&page[ident::CtrlFirmware], "1.0", 8);
        page[ident::CtrlMdts] = 5; // 2^5 pages = 128 KiB per command
        page[ident::CtrlNn] = 1;
        break;
    case CnsNamespace: {
        if (e.nsid != 1)
            return status::InvalidNamespace;
        std::memcpy(&page[ident::NsSize], &m_blocks, 8);
        std::memcpy(&page[ident::NsCapacity], &m_blocks, 8);
        uint32_t lbaf0 = 9u << 16; // 2^9 = 512-byte blocks
        std::memcpy(&page[ident::NsLbaf0], &lbaf0, 4);
        break;
    }
    case CnsActiveNamespaces:
        page[0] = e.nsid < 1 ? 1 : 0;
        break;
    default:
        return status::InvalidField;
    }
    // PRP1 only (PRP2 would cover a second page if PRP1 had an offset; ours never does).
    return dma_write(e.prp1, page.data(), page.size()) ? status::Success : status::DataTransferError;
}

uint16_t NvmeModel::execute_io(const SubmissionEntry& e) {
    if (e.opcode == io::Flush) {
        if (e.nsid != 1 && e.nsid != 0xFFFFFFFF)
            return status::InvalidNamespace;
        return ::fdatasync(m_backing.get()) == 0 ? status::Success : status::DataTransferError;
    }
    if (e.opcode != io::Read && e.opcode != io::Write)
        return status::InvalidOpcode;
    if (e.nsid != 1)
        return status::InvalidNamespace;
    uint64_t slba = e.cdw10 | (uint64_t{e.cdw11} << 32);
    uint32_t nlb = (e.cdw12 & 0xFFFF) + 1;
    if (slba >= m_blocks || nlb > m_blocks - slba)
        return status::LbaOutOfRange;
    return transfer(e, e.opcode == io::Write, size_t{nlb} * BlockSize, slba * BlockSize);
}

// Walks PRP1, PRP2 / the PRP list and moves each piece between driver memory and the
// backing file. A piece the DMA table does not cover aborts with Data Transfer Error.
uint16_t NvmeModel::transfer(const SubmissionEntry& e, bool to_device, size_t len, uint64_t file_off) {
    std::vector<std::pair<uint64_t, size_t>> pieces;
    size_t first = std::min(len, PageSize - (e.prp1 % PageSize));
    pieces.emplace_back(e.prp1, first);
    size_t left = len - first;
    if (left > 0 && left <= PageSize) {
        pieces.emplace_back(e.prp2, left);
    } else if (left > 0) {
        uint64_t list = e.prp2;
        size_t slot = (list % PageSize) / 8;
        while (left > 0) {
            uint64_t entry;
            if (!dma_read(list, &entry, 8))
                return status::DataTransferError;
            if (slot == PageSize / 8 - 1 && left > PageSize) {
                list = entry; // last slot chains to the next list page
                slot = 0;
                continue;
            }
            size_t n = std::min(left, PageSize);
            pieces.emplace_back(entry, n);
            left -= n;
            list += 8;
            ++slot;
        }
    }
    // Translate every piece before touching the file, so a bad PRP never leaves a
    // half-done write behind.
    std::vector<std::pair<std::byte*, size_t>> spans;
    for (auto [bus, n] : pieces) {
        std::byte* p = dma_span(bus, n);
        if (!p)
            return status::DataTransferError;
        spans.emplace_back(p, n);
    }
    for (auto [p, n] : spans) {
        ssize_t done = to_device ? ::pwrite(m_backing.get(), p, n, static_cast<off_t>(file_off))
                                 : ::pread(m_backing.get(), p, n, static_cast<off_t>(file_off));
        if (done != static_cast<ssize_t>(n))
            return status::DataTransferError;
        file_off += n;
    }
    return status::Success;
}

} // namespace redox::pci
