// ptyd: serves `pty`, the pseudo-terminals consoles and terminal programs use.
#include "daemons/daemon.h"
#include "daemons/ptyd/PtyScheme.h"

int main(int argc, char**) {
    using namespace redox;
    if (argc != 1) daemon::die("ptyd", "usage: ptyd (no arguments)");
    ptyd::PtyScheme scheme;
    (void)sys::set_name("ptyd");
    auto r = scheme.serve("pty", [] { daemon::ready(); });
    if (!r) daemon::die("ptyd", r.error().message());
    return 0;
}
