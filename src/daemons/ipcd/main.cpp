// ipcd: inter-process communication schemes. One binary serves one scheme per
// instance, as zerod does: `ipcd chan`, `ipcd shm`, `ipcd uds_stream` or
// `ipcd uds_dgram`.
#include "daemons/daemon.h"
#include "daemons/ipcd/ChanScheme.h"
#include "daemons/ipcd/ShmScheme.h"
#include "daemons/ipcd/UdsScheme.h"

#include <string>
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
    } else if (which == "uds_stream" || which == "uds_dgram") {
        ipcd::UdsScheme scheme(which == "uds_dgram");
        (void)sys::set_name("ipcd " + std::string(which));
        r = scheme.serve(which, [] { daemon::ready(); });
    } else {
        daemon::die("ipcd", "usage: ipcd chan|shm|uds_stream|uds_dgram");
    }
    if (!r) daemon::die("ipcd", r.error().message());
    return 0;
}
