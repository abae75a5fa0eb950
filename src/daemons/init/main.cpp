// init: `init [SCRIPT]` (default /scheme/initfs/etc/init.rc). The boot's
// command lines come in REDOX_SIM_EXEC_1..N; without them init runs the
// console. init's exit status becomes the sim's.
#include "daemons/init/Init.h"
#include "schemes/libredox.h"

#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    using namespace redox;
    std::string script = argc > 1 ? argv[1] : "/scheme/initfs/etc/init.rc";
    (void)sys::set_name("init");
    init::Init init;
    if (auto r = init.run_file(script); !r) {
        std::string line = "init: " + r.error().message() + "\n";
        (void)sys::write_all(2, line);
        sys::exit(1);
    }
    std::vector<std::string> lines;
    for (int i = 1;; ++i) {
        const char* l = std::getenv(("REDOX_SIM_EXEC_" + std::to_string(i)).c_str());
        if (!l) break;
        lines.push_back(l);
        unsetenv(("REDOX_SIM_EXEC_" + std::to_string(i)).c_str());
    }
    int status = lines.empty() ? init.run_console() : init.run_exec_lines(lines);
    init.reap_all();
    sys::exit(status);
}
