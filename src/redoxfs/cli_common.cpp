#include "redoxfs/cli_common.h"

#include <cerrno>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <termios.h>
#include <unistd.h>

#include "cli/command.h"

namespace redox::redoxfs::cli {

Args parse_args(std::span<char*> argv) {
    Args a;
    for (size_t i = 0; i < argv.size(); ++i) {
        std::string s = argv[i];
        auto value = [&](std::optional<std::string>& slot) {
            if (i + 1 < argv.size()) slot = argv[++i];
            else if (a.bad.empty()) a.bad = s + " needs a value";
        };
        if (s == "--password-file") value(a.password_file);
        else if (s == "--snapshot") value(a.snapshot);
        else if (s == "--size") value(a.size);
        else if (s == "--encrypt") a.encrypt = true;
        else if (s == "-f" || s == "--foreground") a.foreground = true;
        else if (s == "--trim") a.trim = true;
        else if (s.size() > 1 && s[0] == '-' && a.bad.empty()) a.bad = "unknown option " + s;
        else a.positional.push_back(s);
    }
    return a;
}

Result<std::string> read_password(const std::string& path) {
    std::ifstream in(path);
    if (!in) return err(errno ? errno : ENOENT, path);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return err(EINVAL, path + ": password file is empty");
    return line;
}

Result<uint64_t> parse_size(const std::string& s) {
    size_t pos = 0;
    uint64_t v = 0;
    try {
        v = std::stoull(s, &pos);
    } catch (...) {
        return err(EINVAL, "bad size '" + s + "'");
    }
    std::string suf = s.substr(pos);
    int shift = 0;
    if (suf == "" || suf == "B") shift = 0;
    else if (suf == "K" || suf == "KiB" || suf == "k") shift = 10;
    else if (suf == "M" || suf == "MiB") shift = 20;
    else if (suf == "G" || suf == "GiB") shift = 30;
    else if (suf == "T" || suf == "TiB") shift = 40;
    else return err(EINVAL, "bad size suffix in '" + s + "'");
    return v << shift;
}

Result<std::string> ask_password(const std::string& prompt) {
    if (!isatty(STDIN_FILENO)) return err(ENOTTY, "stdin is not a terminal");
    struct termios old;
    if (tcgetattr(STDIN_FILENO, &old) != 0) return err(errno, "stdin");
    struct termios quiet = old;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    quiet.c_lflag |= ECHONL;
    // Echo goes off before the prompt shows, so nothing typed after it is echoed.
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    std::fprintf(stderr, "%s", prompt.c_str());
    std::fflush(stderr);
    std::string line;
    bool got = false;
    for (char ch; ::read(STDIN_FILENO, &ch, 1) == 1;) {
        got = true;
        if (ch == '\n') break;
        if (ch != '\r') line += ch;
    }
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    if (!got) return err(EINVAL, "no password given");
    return line;
}

Result<std::unique_ptr<FileSystem>> open_image(const std::string& image, bool writable, const Args& a,
                                               bool tolerate_damage) {
    OpenOptions o;
    o.writable = writable;
    o.tolerate_damage = tolerate_damage;
    if (a.password_file) o.password = TRY(read_password(*a.password_file));
    for (int attempt = 0;; ++attempt) {
        auto disk = TRY(FileDisk::open(image, writable));
        auto fs = FileSystem::open(std::move(disk), o);
        if (!fs) {
            bool may_ask = fs.error().errnum == ENOKEY && !a.password_file && attempt < 3 && isatty(STDIN_FILENO);
            if (!may_ask) {
                if (fs.error().errnum == ENOKEY && !o.password)
                    return err(ENOKEY, "the image is encrypted; give --password-file F (or run on a terminal to be asked)");
                return std::unexpected(fs.error());
            }
            if (attempt > 0) std::fprintf(stderr, "redox-sim: wrong password\n");
            o.password = TRY(ask_password("redox-sim: password for " + image + ": "));
            continue;
        }
        if (a.snapshot) TRY((*fs)->view_snapshot(*a.snapshot));
        return std::move(*fs);
    }
}

int fail(const std::string& what, const Error& e) {
    std::string why = e.context;
    std::string sys = std::strerror(e.errnum);
    if (why.empty()) why = sys;
    else if (why.find(':') == std::string::npos && why.find(' ') == std::string::npos) why += ": " + sys;
    return redox::cli::fail(what + ": " + why);
}

Progress::Progress(std::string label) : m_label(std::move(label)), m_tty(isatty(STDERR_FILENO)) {}

Progress::~Progress() {
    if (m_shown) std::fprintf(stderr, "\n");
}

void Progress::update(const std::string& status) {
    if (!m_tty) return;
    uint64_t ms = uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch()).count());
    if (m_shown && ms - m_last_ms < 100) return;
    m_last_ms = ms;
    m_shown = true;
    std::fprintf(stderr, "\r%s: %s\x1b[K", m_label.c_str(), status.c_str());
    std::fflush(stderr);
}

} // namespace redox::redoxfs::cli
