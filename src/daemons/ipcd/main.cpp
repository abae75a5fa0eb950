// ipcd: inter-process communication schemes. One binary serves one scheme per
// instance, as zerod does: `ipcd chan` or `ipcd shm`.
#include "daemons/daemon.h"
#include "daemons/ipcd/ChanScheme.h"
#include "daemons/ipcd/ShmScheme.h"

#include <string_view>

int main(int argc, char** argv) {
    using namespace redox;
    std::string_view which = argc == 2 ? argv[1] : "";
    Result<void> r;
    if (which == "chan") {
        ipcd::ChanScheme scheme;
        (void)sys::set_name("ipcd chan");
        r = scheme.serve("chan", [] { daemon::ready(); });
    } else if (which == "shm") {
        ipcd::ShmScheme scheme;
        (void)sys::set_name("ipcd shm");
        r = scheme.serve("shm", [] { daemon::ready(); });
    } else {
        daemon::die("ipcd", "usage: ipcd chan|shm");
    }
    if (!r) daemon::die("ipcd", r.error().message());
    return 0;
}
