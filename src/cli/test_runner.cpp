// `redox-sim test PATH...`: run scenario suites. A scenario is an Ion script
// NAME.ion; beside it may sit NAME.out (the expected console output) and
// NAME.toml (its boot config). Directives in the script's comments:
//   #@ config NAME|FILE     boot config (default minimal, or NAME.toml)
//   #@ timeout SECONDS      per-scenario limit (default 60)
//   #@ exit N               expected exit status (default 0)
//   #@ boot ARGS...         more `redox-sim boot` options (--virtual-time ...)
// `--update` writes NAME.out from what each scenario printed (review the diff).
// Each scenario boots a fresh sim with a private copy of its folder shared at
// /scheme/host, runs `ion /scheme/host/NAME.ion` with its stdout and stderr
// captured, and passes when the exit status and that output match. The whole
// console (boot messages, daemons' complaints) is kept for failure reports.
#include "cli/command.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace redox::cli {

namespace {

struct Scenario {
    std::string name;      // path relative to the argument it came from, without .ion
    fs::path script;
    std::string config = "minimal";
    double timeout = 60;
    int expect_exit = 0;
    std::vector<std::string> boot_args;
    std::string golden;    // expected console output (when has_golden)
    bool has_golden = false;
};

struct Outcome {
    bool passed = false;
    std::string why;       // failure reason, with a diff for output mismatches
    double seconds = 0;
    std::string output;
    fs::path dir;
};

struct Options {
    int jobs = 0;
    std::string junit;
    bool tap = false;
    int shard_index = 0, shard_count = 1;
    std::vector<std::string> filters;
    bool keep = false;
    bool verbose = false;
    bool update = false;   // write NAME.out from what the scenario printed
};

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// Directives from `#@` comment lines; errors name file:line.
bool load_scenario(Scenario& sc, std::string& error) {
    fs::path toml = sc.script;
    toml.replace_extension(".toml");
    if (fs::exists(toml)) sc.config = toml.string();
    fs::path out = sc.script;
    out.replace_extension(".out");
    if (fs::exists(out)) {
        sc.golden = read_file(out);
        sc.has_golden = true;
    }
    std::ifstream in(sc.script);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (!line.starts_with("#@")) continue;
        auto w = split_words(line.substr(2));
        auto bad = [&](const std::string& what) {
            error = fmt::format("{}:{}: {}", sc.script.string(), n, what);
            return false;
        };
        if (w.empty()) return bad("empty directive");
        if (w[0] == "config" && w.size() == 2) {
            fs::path p = sc.script.parent_path() / w[1];
            sc.config = w[1].ends_with(".toml") ? p.string() : w[1];
        } else if (w[0] == "timeout" && w.size() == 2) {
            char* end = nullptr;
            sc.timeout = std::strtod(w[1].c_str(), &end);
            if (!end || *end || sc.timeout <= 0) return bad("timeout needs a positive number of seconds");
        } else if (w[0] == "exit" && w.size() == 2) {
            char* end = nullptr;
            long v = std::strtol(w[1].c_str(), &end, 10);
            if (!end || *end || v < 0 || v > 255) return bad("exit needs a status 0-255");
            sc.expect_exit = int(v);
        } else if (w[0] == "boot" && w.size() >= 2) {
            sc.boot_args.insert(sc.boot_args.end(), w.begin() + 1, w.end());
        } else {
            return bad("unknown directive '" + w[0] + "' (config, timeout, exit, boot)");
        }
    }
    return true;
}

bool collect(const std::string& arg, std::vector<Scenario>& out, std::string& error) {
    std::error_code ec;
    fs::path p = fs::absolute(arg, ec);
    if (fs::is_regular_file(p, ec)) {
        if (p.extension() != ".ion") { error = arg + ": not an .ion scenario"; return false; }
        out.push_back(Scenario{p.stem().string(), p});
        return true;
    }
    if (!fs::is_directory(p, ec)) { error = arg + ": no such file or directory"; return false; }
    std::vector<fs::path> found;
    for (auto& e : fs::recursive_directory_iterator(p, ec))
        if (e.is_regular_file() && e.path().extension() == ".ion") found.push_back(e.path());
    std::sort(found.begin(), found.end());
    for (auto& f : found) {
        fs::path rel = fs::relative(f, p);
        rel.replace_extension();
        out.push_back(Scenario{rel.string(), f});
    }
    return true;
}

bool matches_filter(const std::string& name, const std::vector<std::string>& filters) {
    if (filters.empty()) return true;
    for (auto& f : filters)
        if (name.find(f) != std::string::npos) return true;
    return false;
}

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += fmt::format("&#{};", int(c));
            else out += c;
        }
    }
    return out;
}

// A unified diff from the host's diff(1), or a plain comparison without it.
std::string diff_text(const fs::path& dir, const std::string& want, const std::string& got) {
    fs::path a = dir / "expected.out", b = dir / "actual.out";
    std::ofstream(a, std::ios::binary) << want;
    std::ofstream(b, std::ios::binary) << got;
    std::string cmd = fmt::format("diff -u --label expected --label actual '{}' '{}' 2>&1", a.string(), b.string());
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[4096];
        for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
        pclose(p);
    }
    if (out.empty()) out = "--- expected\n" + want + "\n--- actual\n" + got + "\n";
    return out;
}

constexpr const char* kOutputName = ".scenario-output";

struct Running {
    size_t index;
    pid_t pid;
    std::chrono::steady_clock::time_point start;
    fs::path dir;
};

pid_t start(const Scenario& sc, const fs::path& dir, const Options& opt) {
    fs::path share = dir / "share";
    fs::create_directories(share);
    // A private copy of the scenario's folder: the sim may write there.
    std::error_code ec;
    for (auto& e : fs::directory_iterator(sc.script.parent_path(), ec))
        if (e.is_regular_file()) fs::copy_file(e.path(), share / e.path().filename(), fs::copy_options::overwrite_existing, ec);
    std::vector<std::string> args{"boot", "--config", sc.config, "--share", share.string(),
                                  "--timeout", fmt::format("{}", sc.timeout), "--log-level", "info"};
    if (opt.keep) { args.push_back("--trace"); args.push_back((dir / "trace.tsv").string()); }
    args.insert(args.end(), sc.boot_args.begin(), sc.boot_args.end());
    args.push_back("--exec");
    args.push_back("ion /scheme/host/" + sc.script.filename().string() + " &> /scheme/host/" + kOutputName);
    // The child becomes the scenario's kernel-sim without an exec: the runner
    // is one thread, and `redox-sim boot` in a fresh process would only load
    // and relocate this same binary again.
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        int out = open((dir / "console.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int err = open((dir / "kernel.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (out < 0 || err < 0 || in < 0) _exit(126);
        dup2(in, 0); dup2(out, 1); dup2(err, 2);
        setpgid(0, 0);
        std::vector<char*> argv;
        for (size_t i = 1; i < args.size(); ++i) argv.push_back(args[i].data());
        int code = run_command(args[0], std::span<char*>(argv));
        std::fflush(nullptr);
        _exit(code);
    }
    return pid;
}

Outcome finish(const Scenario& sc, const Running& r, int status, bool update) {
    Outcome res;
    res.dir = r.dir;
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.start).count();
    res.output = read_file(r.dir / "share" / kOutputName);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code == 124) res.why = fmt::format("timed out after {} s", sc.timeout);
    else if (code != sc.expect_exit) res.why = fmt::format("exit status {}, expected {}", code, sc.expect_exit);
    else if (update) {
        fs::path golden = sc.script;
        golden.replace_extension(".out");
        std::ofstream(golden, std::ios::binary) << res.output;
    } else if (sc.has_golden && res.output != sc.golden)
        res.why = "console output differs from " + sc.script.stem().string() + ".out:\n" +
                  diff_text(r.dir, sc.golden, res.output);
    res.passed = res.why.empty();
    if (!res.passed && code != 124 && !sc.has_golden) {
        // Without a golden file the output and the console explain best.
        std::string console = read_file(r.dir / "console.log");
        auto tail = [](const std::string& t) { return t.size() > 2000 ? t.substr(t.size() - 2000) : t; };
        if (!res.output.empty()) res.why += "\noutput:\n" + tail(res.output);
        if (!console.empty()) res.why += "\nconsole:\n" + tail(console);
    }
    return res;
}

void write_junit(const std::string& file, const std::vector<Scenario>& scs, const std::vector<Outcome>& res,
                 double total) {
    size_t failures = std::count_if(res.begin(), res.end(), [](const Outcome& r) { return !r.passed; });
    std::ofstream out(file);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << fmt::format("<testsuite name=\"redox-sim\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3f}\">\n",
                       scs.size(), failures, total);
    for (size_t i = 0; i < scs.size(); ++i) {
        out << fmt::format("  <testcase classname=\"redox-sim.scenarios\" name=\"{}\" time=\"{:.3f}\"",
                           xml_escape(scs[i].name), res[i].seconds);
        if (res[i].passed) { out << "/>\n"; continue; }
        std::string first = res[i].why.substr(0, res[i].why.find('\n'));
        out << fmt::format(">\n    <failure message=\"{}\">{}</failure>\n", xml_escape(first), xml_escape(res[i].why));
        out << fmt::format("    <system-out>{}</system-out>\n  </testcase>\n", xml_escape(res[i].output));
    }
    out << "</testsuite>\n";
}

int test_main(std::span<char*> argv) {
    Options opt;
    std::vector<std::string> paths;
    for (size_t i = 0; i < argv.size(); ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argv.size()) return {};
            return argv[++i];
        };
        if (a == "--jobs" || a == "-j") {
            std::string v = value();
            opt.jobs = std::atoi(v.c_str());
            if (opt.jobs <= 0) return fail("test: --jobs needs a positive number");
        } else if (a == "--junit") {
            opt.junit = value();
            if (opt.junit.empty()) return fail("test: --junit needs a file");
        } else if (a == "--tap") {
            opt.tap = true;
        } else if (a == "--shard") {
            std::string v = value();
            if (std::sscanf(v.c_str(), "%d/%d", &opt.shard_index, &opt.shard_count) != 2 || opt.shard_count < 1 ||
                opt.shard_index < 1 || opt.shard_index > opt.shard_count)
                return fail("test: --shard needs I/N with 1 <= I <= N");
        } else if (a == "--filter") {
            std::string v = value();
            if (v.empty()) return fail("test: --filter needs a text");
            opt.filters.push_back(v);
        } else if (a == "--keep") {
            opt.keep = true;
        } else if (a == "--update") {
            opt.update = true;
        } else if (a == "--verbose" || a == "-v") {
            opt.verbose = true;
        } else if (a.starts_with("-")) {
            return fail("test: unknown option '" + a + "'");
        } else {
            paths.push_back(a);
        }
    }
    if (paths.empty())
        return fail("test: usage: redox-sim test PATH... [--jobs N] [--junit FILE] [--tap] [--shard I/N] [--filter TEXT] [--keep] [--update]");
    if (opt.jobs == 0) opt.jobs = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));

    std::vector<Scenario> all;
    for (auto& p : paths) {
        std::string error;
        if (!collect(p, all, error)) return fail("test: " + error);
    }
    // Shards split the sorted list by position, so every runner agrees.
    std::vector<Scenario> scs;
    for (size_t i = 0; i < all.size(); ++i) {
        if (!matches_filter(all[i].name, opt.filters)) continue;
        if (int(i % size_t(opt.shard_count)) != opt.shard_index - 1 && opt.shard_count > 1) continue;
        scs.push_back(std::move(all[i]));
    }
    for (auto& sc : scs) {
        std::string error;
        if (!load_scenario(sc, error)) return fail("test: " + error);
    }
    if (scs.empty()) return fail("test: no scenarios selected");

    char tmpl[] = "/tmp/redox-sim-test.XXXXXX";
    if (!mkdtemp(tmpl)) return fail("test: cannot create a temporary directory");
    fs::path root = tmpl;

    bool tty = isatty(1) && !opt.tap;
    std::vector<Outcome> results(scs.size());
    std::vector<Running> running;
    size_t next = 0, done = 0, failed = 0;
    auto t0 = std::chrono::steady_clock::now();
    if (opt.tap) fmt::print("TAP version 13\n1..{}\n", scs.size());
    while (done < scs.size()) {
        while (next < scs.size() && running.size() < size_t(opt.jobs)) {
            fs::path dir = root / fmt::format("{:04}", next);
            fs::create_directories(dir);
            pid_t pid = start(scs[next], dir, opt);
            if (pid < 0) return fail("test: fork failed");
            running.push_back(Running{next, pid, std::chrono::steady_clock::now(), dir});
            ++next;
        }
        if (tty) {
            fmt::print("\r\033[K[{}/{}] {} running, {} failed", done, scs.size(), running.size(), failed);
            std::fflush(stdout);
        }
        int status = 0;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        auto it = std::find_if(running.begin(), running.end(), [&](const Running& r) { return r.pid == pid; });
        if (it == running.end()) continue;
        Running r = *it;
        running.erase(it);
        const Scenario& sc = scs[r.index];
        Outcome res = finish(sc, r, status, opt.update);
        ++done;
        if (tty) fmt::print("\r\033[K");
        if (opt.tap) {
            fmt::print("{} {} - {}\n", res.passed ? "ok" : "not ok", done, sc.name);
            if (!res.passed) {
                fmt::print("  ---\n");
                std::istringstream why(res.why);
                for (std::string l; std::getline(why, l);) fmt::print("  # {}\n", l);
                fmt::print("  ...\n");
            }
        } else if (!res.passed) {
            fmt::print("FAIL {} ({:.2f} s): {}\n", sc.name, res.seconds, res.why);
        } else if (opt.verbose) {
            fmt::print("ok   {} ({:.2f} s)\n", sc.name, res.seconds);
        }
        if (!res.passed) {
            ++failed;
            if (opt.keep) fmt::print("     kept: {}\n", r.dir.string());
        }
        results[r.index] = std::move(res);
    }
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (tty) fmt::print("\r\033[K");
    if (!opt.junit.empty()) write_junit(opt.junit, scs, results, total);
    if (!opt.keep || failed == 0) {
        std::error_code ec;
        fs::remove_all(root, ec);
    } else {
        // Keep only the failures' folders.
        for (size_t i = 0; i < scs.size(); ++i)
            if (results[i].passed) {
                std::error_code ec;
                fs::remove_all(results[i].dir, ec);
            }
    }
    fmt::print("{}{} passed, {} failed ({:.2f} s, --jobs {})\n", opt.tap ? "# " : "", scs.size() - failed, failed,
               total, opt.jobs);
    return failed ? 1 : 0;
}

} // namespace

REDOX_SIM_COMMAND("test",
                  "test PATH... [--jobs N] [--junit FILE] [--tap] [--shard I/N] [--filter TEXT] [--keep] [--update] [-v]",
                  test_main);

} // namespace redox::cli
