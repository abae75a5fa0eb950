// inputd: serves `input` (InputScheme.h). `inputd -A N` activates VT N of the running
// inputd instead, as upstream.
#include <charconv>
#include <string>

#include "daemons/daemon.h"
#include "daemons/inputd/InputScheme.h"

int main(int argc, char** argv) {
    using namespace redox;
    std::string usage = "usage: inputd | inputd -A VT";
    if (argc == 3 && std::string(argv[1]) == "-A") {
        std::string_view s = argv[2];
        uint64_t vt = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), vt);
        if (s.empty() || ec != std::errc() || p != s.data() + s.size()) daemon::die("inputd", "-A " + std::string(s) + ": not a VT number");
        if (auto r = input::activate_vt(vt); !r) daemon::die("inputd", "activate VT " + std::string(s) + ": " + r.error().message());
        return 0;
    }
    if (argc != 1) daemon::die("inputd", usage);
    inputd::InputScheme scheme;
    (void)sys::set_name("inputd");
    auto r = scheme.serve("input", [] { daemon::ready(); });
    if (!r) daemon::die("inputd", r.error().message());
    return 0;
}
