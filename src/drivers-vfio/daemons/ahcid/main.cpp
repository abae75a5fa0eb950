// ahcid: the AHCI HBA pcid-spawner hands over (PCID_CLIENT_CHANNEL) served as
// disk.pci-BB-DD.F: one disk per port with a SATA disk plus its GPT partitions.
#include "ahci/ahci.h"
#include "daemons/daemon.h"
#include "daemons/disk/DiskScheme.h"
#include "host/channel.h"

int main() {
    using namespace redox;
    (void)sys::set_name("ahcid");
    auto claim = host::claim_from_env();
    if (!claim) daemon::die("ahcid", claim.error().message());
    std::string scheme_name = "disk." + claim->scheme_suffix();
    std::string who = "ahcid " + scheme_name;
    auto hw = host::open_claimed(*claim);
    if (!hw) daemon::die(who, hw.error().message());
    auto hba = ahci::Ahci::create(*hw->dev);
    if (!hba) daemon::die(who, hba.error().message());
    std::vector<block::BlockDevice*> disks;
    for (const auto& d : (*hba)->disks()) disks.push_back(d.get());
    disk::DiskScheme scheme(who, scheme_name, disks, [&hw] { hw->count_request(); });
    auto r = scheme.serve(scheme_name, [] { daemon::ready(); });
    if (!r) daemon::die(who, r.error().message());
    return 0;
}
