// hostfs: `hostfs HOSTDIR` serves the host directory as the `host` scheme.
#include "daemons/daemon.h"
#include "daemons/hostfs/HostScheme.h"

#include <fcntl.h>
#include <unistd.h>

int main(int argc, char** argv) {
    using namespace redox;
    if (argc != 2) daemon::die("hostfs", "usage: hostfs HOSTDIR");
    int root = ::open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) daemon::die("hostfs", std::string("cannot open host directory ") + argv[1]);
    daemon::HostScheme scheme(root);
    (void)sys::set_name("hostfs");
    auto r = scheme.serve("host", [] { daemon::ready(); });
    if (!r) daemon::die("hostfs", r.error().message());
    return 0;
}
