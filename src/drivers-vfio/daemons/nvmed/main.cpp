// nvmed: the NVMe controller pcid-spawner hands over (PCID_CLIENT_CHANNEL) served as
// disk.pci-BB-DD.F: one disk per namespace plus its GPT partitions.
#include "daemons/daemon.h"
#include "daemons/disk/DiskScheme.h"
#include "host/channel.h"
#include "nvme/nvme.h"

int main() {
    using namespace redox;
    (void)sys::set_name("nvmed");
    auto claim = host::claim_from_env();
    if (!claim) daemon::die("nvmed", claim.error().message());
    std::string scheme_name = "disk." + claim->scheme_suffix();
    std::string who = "nvmed " + scheme_name;
    auto hw = host::open_claimed(*claim);
    if (!hw) daemon::die(who, hw.error().message());
    auto ctrl = nvme::Nvme::create(*hw->dev);
    if (!ctrl) daemon::die(who, ctrl.error().message());
    std::vector<std::unique_ptr<nvme::NvmeNamespace>> namespaces;
    std::vector<block::BlockDevice*> disks;
    for (const auto& ns : (*ctrl)->namespaces()) {
        namespaces.push_back(std::make_unique<nvme::NvmeNamespace>(**ctrl, ns));
        disks.push_back(namespaces.back().get());
    }
    disk::DiskScheme scheme(who, scheme_name, disks, [&hw] { hw->count_request(); });
    auto r = scheme.serve(scheme_name, [] { daemon::ready(); });
    if (!r) daemon::die(who, r.error().message());
    return 0;
}
