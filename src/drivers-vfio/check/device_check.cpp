#include "check/device_check.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "ahci/ahci.h"
#include "block/gpt.h"
#include "e1000/e1000.h"
#include "nvme/nvme.h"
#include "xhci/xhci.h"

namespace redox::check {

namespace {
using Lines = std::vector<CheckLine>;
constexpr uint8_t GuestIp[4] = {10, 0, 2, 15};
constexpr uint8_t GatewayIp[4] = {10, 0, 2, 2};
constexpr std::array<uint8_t, 6> GatewayMac = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

// Set for the duration of check_device: streams lines to the caller as they come.
thread_local const CheckOptions* t_opts = nullptr;

void add(Lines& l, bool ok, std::string s) {
    l.push_back({ok, std::move(s)});
    if (t_opts && t_opts->report)
        t_opts->report(l.back());
}
void pass(Lines& l, std::string s) { add(l, true, std::move(s)); }
void fail(Lines& l, std::string s) { add(l, false, std::move(s)); }

void check_network(pci::PciDevice& dev, const CheckOptions& o, Lines& out) {
    auto nic = e1000::E1000::create(dev, {.timeout_ms = o.timeout_ms});
    if (!nic)
        return fail(out, "e1000 init: " + nic.error().message());
    auto& n = **nic;
    auto m = n.mac();
    pass(out, fmt::format("e1000 MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.timeout_ms);
    while (!n.link_up() && std::chrono::steady_clock::now() < deadline)
        ::usleep(1000);
    if (!n.link_up())
        return fail(out, "e1000 link down");
    pass(out, "e1000 link up");

    // QEMU's e1000 ignores RX for a while after RCTL is written, so ask repeatedly.
    std::vector<uint8_t> buf(2048);
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto s = n.send(arp_request(m)); !s)
            return fail(out, "e1000 send: " + s.error().message());
        if (o.pump)
            o.pump();
        for (int tries = 0; tries < 25; ++tries) {
            auto got = n.receive_wait(buf, 20);
            if (!got)
                return fail(out, "e1000 receive: " + got.error().message());
            if (*got >= 42 && buf[12] == 0x08 && buf[13] == 0x06 && buf[21] == 2 &&
                std::memcmp(&buf[28], GatewayIp, 4) == 0)
                return pass(out, fmt::format("e1000 frame out and back: ARP reply from 10.0.2.2 "
                                             "({:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x})",
                                             buf[22], buf[23], buf[24], buf[25], buf[26], buf[27]));
        }
    }
    fail(out, "e1000 no ARP reply from 10.0.2.2");
}

void check_disk(block::BlockDevice& disk, const std::string& name, const CheckOptions& o, Lines& out) {
    pass(out, fmt::format("{} {} blocks of {} bytes", name, disk.block_count(), disk.block_size()));
    if (auto t = block::read_gpt(disk)) {
        pass(out, fmt::format("{} GPT with {} partitions{}", name, t->partitions.size(),
                              t->used_backup ? " (backup header)" : ""));
    } else if (t.error().errnum == ENOENT) {
        pass(out, name + " no GPT");
    } else {
        fail(out, name + " GPT: " + t.error().message());
    }
    if (!o.write_lba)
        return;
    uint64_t lba = *o.write_lba;
    size_t bytes = 8 * disk.block_size();
    std::vector<std::byte> saved(bytes), pattern(bytes), back(bytes);
    for (size_t i = 0; i < bytes; ++i)
        pattern[i] = static_cast<std::byte>((i * 7 + lba) & 0xFF);
    if (auto r = disk.read(lba, saved); !r)
        return fail(out, name + " read: " + r.error().message());
    if (auto r = disk.write(lba, pattern); !r)
        return fail(out, name + " write: " + r.error().message());
    if (auto r = disk.flush(); !r)
        return fail(out, name + " flush: " + r.error().message());
    if (auto r = disk.read(lba, back); !r)
        return fail(out, name + " read back: " + r.error().message());
    bool same = back == pattern;
    if (auto r = disk.write(lba, saved); !r)
        return fail(out, name + " restore: " + r.error().message());
    if (same)
        pass(out, fmt::format("{} write/read-back of {} bytes at LBA {} verified", name, bytes, lba));
    else
        fail(out, fmt::format("{} read-back at LBA {} differs from what was written", name, lba));
}

void check_usb(pci::PciDevice& dev, const CheckOptions& o, Lines& out) {
    auto hc = xhci::Xhci::create(dev, {.timeout_ms = o.timeout_ms});
    if (!hc)
        return fail(out, "xhci init: " + hc.error().message());
    size_t connected = 0;
    for (auto& p : (*hc)->ports())
        connected += p.connected;
    pass(out, fmt::format("xhci {} ports, {} connected", (*hc)->ports().size(), connected));
    bool keyboard = false;
    for (auto& d : (*hc)->devices()) {
        pass(out, fmt::format("xhci port {} slot {}: {:04x}:{:04x}{}", d.port, d.slot, d.descriptor.vendor,
                              d.descriptor.product, d.keyboard ? " boot keyboard" : d.mouse ? " boot mouse" : ""));
        keyboard |= d.keyboard;
    }
    if (o.key_wait_ms <= 0)
        return;
    if (!keyboard)
        return fail(out, "xhci no keyboard to wait on");
    if (o.pump)
        o.pump();
    std::optional<uint8_t> key;
    std::set<uint8_t> keyboards;
    for (auto& d : (*hc)->devices())
        if (d.keyboard) keyboards.insert(d.slot);
    auto r = (*hc)->wait_reports(
        [&](uint8_t slot, std::span<const uint8_t> rep) {
            if (!key && keyboards.count(slot) && rep.size() >= 3 && rep[2])
                key = rep[2];
        },
        o.key_wait_ms);
    if (!r)
        return fail(out, "xhci waiting for a key: " + r.error().message());
    if (key)
        pass(out, fmt::format("xhci key press arrived: HID usage {:#04x}", *key));
    else
        fail(out, "xhci no key press within the wait");
}
} // namespace

std::vector<uint8_t> arp_request(const std::array<uint8_t, 6>& mac) {
    std::vector<uint8_t> f(60, 0);
    std::memset(f.data(), 0xFF, 6);
    std::memcpy(&f[6], mac.data(), 6);
    const uint8_t hdr[] = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1};
    std::memcpy(&f[12], hdr, sizeof hdr);
    std::memcpy(&f[22], mac.data(), 6);
    std::memcpy(&f[28], GuestIp, 4);
    std::memcpy(&f[38], GatewayIp, 4);
    return f;
}

std::optional<std::vector<uint8_t>> arp_reply_for(std::span<const uint8_t> req) {
    if (req.size() < 42 || req[12] != 0x08 || req[13] != 0x06 || req[21] != 1 ||
        std::memcmp(&req[38], GatewayIp, 4) != 0)
        return std::nullopt;
    std::vector<uint8_t> f(60, 0);
    std::memcpy(&f[0], &req[6], 6);
    std::memcpy(&f[6], GatewayMac.data(), 6);
    const uint8_t hdr[] = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2};
    std::memcpy(&f[12], hdr, sizeof hdr);
    std::memcpy(&f[22], GatewayMac.data(), 6);
    std::memcpy(&f[28], GatewayIp, 4);
    std::memcpy(&f[32], &req[22], 10); // their MAC and IP
    return f;
}

std::vector<CheckLine> check_device(pci::PciDevice& dev, const CheckOptions& o) {
    struct Scope {
        explicit Scope(const CheckOptions* o) { t_opts = o; }
        ~Scope() { t_opts = nullptr; }
    } scope(&o);
    Lines out;
    auto id = dev.id();
    if (!id) {
        fail(out, "config space: " + id.error().message());
        return out;
    }
    pass(out, fmt::format("{} {:04x}:{:04x} class {:02x}:{:02x}:{:02x}", dev.name(), id->vendor, id->device,
                          id->class_code, id->subclass, id->interface));
    if (id->class_code == 0x02 && id->vendor == 0x8086) {
        check_network(dev, o, out);
    } else if (id->class_code == 0x01 && id->subclass == 0x08) {
        auto ctrl = nvme::Nvme::create(dev, {.timeout_ms = o.timeout_ms});
        if (!ctrl) {
            fail(out, "nvme init: " + ctrl.error().message());
            return out;
        }
        pass(out, fmt::format("nvme '{}' serial '{}', {} namespace(s)", (*ctrl)->controller().model,
                              (*ctrl)->controller().serial, (*ctrl)->namespaces().size()));
        for (auto& ns : (*ctrl)->namespaces()) {
            nvme::NvmeNamespace disk(**ctrl, ns);
            check_disk(disk, fmt::format("nvme ns{}", ns.nsid), o, out);
        }
    } else if (id->class_code == 0x01 && id->subclass == 0x06) {
        auto hba = ahci::Ahci::create(dev, {.timeout_ms = o.timeout_ms});
        if (!hba) {
            fail(out, "ahci init: " + hba.error().message());
            return out;
        }
        pass(out, fmt::format("ahci ports implemented {:#x}, {} disk(s)", (*hba)->ports_implemented(),
                              (*hba)->disks().size()));
        for (auto& d : (*hba)->disks()) {
            pass(out, fmt::format("ahci port {}: '{}' serial '{}'", d->port(), d->identity().model, d->identity().serial));
            check_disk(*d, fmt::format("ahci port{}", d->port()), o, out);
        }
    } else if (id->class_code == 0x0C && id->subclass == 0x03 && id->interface == 0x30) {
        check_usb(dev, o, out);
    } else {
        fail(out, "no driver core for this class");
    }
    return out;
}

} // namespace redox::check
