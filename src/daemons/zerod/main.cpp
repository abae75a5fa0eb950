// zerod: serves `null` or `zero`, chosen by the first argument.
#include "daemons/daemon.h"
#include "daemons/zerod/ZeroScheme.h"

#include <string_view>

int main(int argc, char** argv) {
    using namespace redox;
    std::string_view which = argc > 1 ? argv[1] : "zero";
    if (which != "null" && which != "zero") daemon::die("zerod", "usage: zerod null|zero");
    daemon::ZeroScheme scheme(which == "zero");
    (void)sys::set_name(which == "zero" ? "zerod" : "nulld");
    auto r = scheme.serve(which, [] { daemon::ready(); });
    if (!r) daemon::die("zerod", r.error().message());
    return 0;
}
