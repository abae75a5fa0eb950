// logd: serves `log`. `logd [HOSTFILE]` also appends every line to HOSTFILE.
#include "daemons/daemon.h"
#include "daemons/logd/LogScheme.h"

int main(int argc, char** argv) {
    using namespace redox;
    auto console = sys::open("/scheme/debug", O_WRONLY_);
    if (!console) daemon::die("logd", "cannot open /scheme/debug: " + console.error().message());
    FILE* host = nullptr;
    if (argc > 1) {
        host = std::fopen(argv[1], "a");
        if (!host) daemon::die("logd", std::string("cannot open host log file ") + argv[1]);
    }
    daemon::LogScheme scheme(*console, host);
    (void)sys::set_name("logd");
    auto r = scheme.serve("log", [] { daemon::ready(); });
    if (!r) daemon::die("logd", r.error().message());
    return 0;
}
