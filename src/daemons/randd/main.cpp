// randd: serves `rand`.
#include "daemons/daemon.h"
#include "daemons/randd/RandScheme.h"

int main() {
    using namespace redox;
    daemon::RandScheme scheme;
    (void)sys::set_name("randd");
    auto r = scheme.serve("rand", [] { daemon::ready(); });
    if (!r) daemon::die("randd", r.error().message());
    return 0;
}
