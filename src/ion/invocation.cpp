#include "ion/invocation.h"

namespace ion {

Invocation parse_invocation(const std::vector<std::string>& args) {
    Invocation inv;
    auto fail = [&](std::string msg) {
        inv.action = Invocation::Action::Error;
        inv.error = std::move(msg);
        return inv;
    };
    std::vector<std::string> seen;
    size_t k = 0;
    for (; k < args.size(); ++k) {
        const std::string& a = args[k];
        if (a.empty() || a[0] != '-' || a == "-") break;
        if (a == "--") {
            ++k;
            break;
        }
        std::string key = a == "--login" ? "-l" : a == "--help" ? "-h" : a == "--version" ? "-v"
                        : a == "--no-execute" ? "-n" : a == "--interactive" ? "-i" : a == "--fake-interactive" ? "-f" : a;
        for (auto& s : seen) {
            if (s == key) return fail("flag or option set twice, see --help\n");
        }
        seen.push_back(key);
        if (key == "-h") {
            inv.action = Invocation::Action::Help;
            return inv;
        }
        if (key == "-v") {
            inv.action = Invocation::Action::Version;
            return inv;
        }
        if (key == "-c") {
            if (k + 1 >= args.size()) return fail("-c needs a command, see --help\n");
            inv.command = args[++k];
            inv.have_command = true;
        } else if (key == "-o") {
            if (k + 1 >= args.size() || (args[k + 1] != "vi" && args[k + 1] != "emacs"))
                return fail("invalid keybinding, see --help\n");
            ++k;
        } else if (key == "-n") {
            inv.opts.no_exec = true;
        } else if (key == "-x") {
            inv.opts.trace = true;
        } else if (key == "-i") {
            inv.force_interactive = true;
        } else if (key == "-f") {
            inv.opts.interactive = true;
        } else if (key == "-l") {
        } else {
            return fail("unknown flag '" + a + "', see --help\n");
        }
    }
    inv.rest.assign(args.begin() + long(k), args.end());
    if (inv.have_command && !inv.rest.empty()) return fail("either execute command or file(s)\n");
    return inv;
}

int run_invocation(Shell& shell, const Invocation& inv, const std::vector<std::string>& args,
                   const std::function<int(Shell&)>& repl) {
    Os& os = shell.os();
    shell.set_command_line(args);
    if (inv.have_command) {
        shell.set_args({"ion"});
        shell.run_string(inv.command, "-c");
        return shell.last_status();
    }
    if (!inv.rest.empty()) {
        const std::string& path = inv.rest[0];
        std::vector<std::string> script_args(inv.rest.begin() + 1, inv.rest.end());
        FileStat st = os.stat(path);
        if (!st.is_file) {
            std::string why = st.exists ? "Is a directory (os error 21)" : "No such file or directory (os error 2)";
            (void)os.write_all(1, "ion: could not execute '" + path + "': " + why + "\n");
            return 1;
        }
        shell.run_file(path, script_args);
        return shell.last_status();
    }
    shell.set_args({"ion"});
    if (inv.force_interactive || os.isatty(0)) return repl(shell);
    auto text = os.read_all(0);
    if (!text) {
        (void)os.write_all(2, "ion: cannot read stdin: " + text.error().message() + "\n");
        return 1;
    }
    shell.run_string(*text, "stdin");
    return shell.last_status();
}

}  // namespace ion
