// cat, ls, stat: reading files and describing them.
#include "userland/coreutils/util.h"

#include <algorithm>

namespace redox::userland {

int cmd_cat(const Args& a) {
    auto o = parse_opts("cat", a, {"nu", ""});
    if (!o) return 1;
    Args files = o->operands.empty() ? Args{"-"} : o->operands;
    bool number = o->has('n');
    long long line_no = 1;
    bool at_line_start = true;
    int rc = 0;
    std::vector<char> buf(1 << 16);
    for (auto& f : files) {
        int fd = 0;
        if (f != "-") {
            auto fd_or = sys::open(f, O_RDONLY_);
            if (!fd_or) { rc = fail("cat", f, fd_or.error()); continue; }
            fd = *fd_or;
        }
        for (;;) {
            auto n = sys::read(fd, buf.data(), buf.size());
            if (!n) { rc = fail("cat", f, n.error()); break; }
            if (*n == 0) break;
            std::string_view chunk(buf.data(), *n);
            if (!number) {
                if (!sys::write_all(1, chunk)) return 1;
                continue;
            }
            std::string numbered;
            for (char c : chunk) {
                if (at_line_start) {
                    char prefix[32];
                    std::snprintf(prefix, sizeof prefix, "%6lld\t", line_no++);
                    numbered += prefix;
                }
                numbered += c;
                at_line_start = c == '\n';
            }
            if (!sys::write_all(1, numbered)) return 1;
        }
        if (fd != 0) (void)sys::close(fd);
    }
    return rc;
}

namespace {

struct LsOptions {
    bool all = false, almost_all = false, longf = false, human = false, recursive = false;
    bool dir_itself = false, one_per_line = true, numeric = false;
};

struct Entry {
    std::string name;
    std::string path;
    std::optional<Stat> st;
    std::string target;  // symlink target
};

Entry describe(const std::string& path, const std::string& name, bool need_stat) {
    Entry e{name, path, std::nullopt, {}};
    if (!need_stat) return e;
    auto fd = sys::open(path, O_RDONLY_ | O_STAT_ | O_NOFOLLOW_ | O_SYMLINK_);
    if (!fd) return e;
    if (auto st = sys::fstat(*fd)) e.st = *st;
    (void)sys::close(*fd);
    // A handle opened for stat need not be readable: read the target apart.
    if (e.st && (e.st->st_mode & MODE_TYPE) == MODE_SYMLINK) {
        if (auto t = read_link(path)) e.target = *t;
    }
    return e;
}

// Long listing, columns padded to the widest entry as GNU ls does.
void print_long(const std::vector<Entry>& entries, const LsOptions& opt, std::string& o) {
    struct Row { std::string mode, links, user, group, size, when, name; };
    std::vector<Row> rows;
    size_t w[4] = {0, 0, 0, 0};
    for (auto& e : entries) {
        Row r;
        if (!e.st) {
            r = {"??????????", "?", "?", "?", "?", "?", e.name};
        } else {
            const Stat& st = *e.st;
            r.mode = mode_string(st.st_mode);
            r.links = std::to_string(st.st_nlink);
            r.user = opt.numeric ? std::to_string(st.st_uid) : user_name(st.st_uid);
            r.group = opt.numeric ? std::to_string(st.st_gid) : group_name(st.st_gid);
            r.size = opt.human ? human_size(st.st_size) : std::to_string(st.st_size);
            r.when = format_time(st.mtime, "%b %e %H:%M");
            r.name = e.name + (e.target.empty() ? "" : " -> " + e.target);
        }
        w[0] = std::max(w[0], r.links.size());
        w[1] = std::max(w[1], r.user.size());
        w[2] = std::max(w[2], r.group.size());
        w[3] = std::max(w[3], r.size.size());
        rows.push_back(std::move(r));
    }
    auto pad_left = [](const std::string& s, size_t n) { return std::string(n > s.size() ? n - s.size() : 0, ' ') + s; };
    auto pad_right = [](const std::string& s, size_t n) { return s + std::string(n > s.size() ? n - s.size() : 0, ' '); };
    for (auto& r : rows)
        o += r.mode + " " + pad_left(r.links, w[0]) + " " + pad_right(r.user, w[1]) + " " + pad_right(r.group, w[2]) +
             " " + pad_left(r.size, w[3]) + " " + r.when + " " + r.name + "\n";
}

void print_entries(const std::vector<Entry>& entries, const LsOptions& opt, std::string& o) {
    if (opt.longf) print_long(entries, opt, o);
    else for (auto& e : entries) o += e.name + "\n";
}

int list_dir(const std::string& path, const LsOptions& opt, bool header, bool first, std::string& o) {
    auto names = sys::read_dir(path);
    if (!names) return fail("ls", "cannot open directory '" + path + "'", names.error());
    std::sort(names->begin(), names->end(), [](auto& x, auto& y) { return x.name < y.name; });
    if (!first) o += "\n";
    if (header) o += path + ":\n";
    std::vector<Entry> entries;
    if (opt.all) {
        entries.push_back(describe(join_path(path, "."), ".", opt.longf));
        entries.push_back(describe(join_path(path, ".."), "..", opt.longf));
    }
    uint64_t blocks = 0;
    for (auto& d : *names) {
        if (d.name.starts_with('.') && !opt.all && !opt.almost_all) continue;
        entries.push_back(describe(join_path(path, d.name), d.name, opt.longf));
        if (entries.back().st) blocks += entries.back().st->st_blocks;
    }
    if (opt.longf) o += "total " + (opt.human ? human_size(blocks * 512) : std::to_string((blocks + 1) / 2)) + "\n";
    print_entries(entries, opt, o);
    int rc = 0;
    if (opt.recursive) {
        for (auto& d : *names) {
            if (d.kind != DT_DIR_ || (d.name.starts_with('.') && !opt.all && !opt.almost_all)) continue;
            rc |= list_dir(join_path(path, d.name), opt, true, false, o);
        }
    }
    return rc;
}

} // namespace

int cmd_ls(const Args& a) {
    auto o = parse_opts("ls", a, {"alhRAd1n", "", {{"all", 'a'}, {"almost-all", 'A'}, {"human-readable", 'h'},
                                                  {"recursive", 'R'}, {"directory", 'd'}, {"numeric-uid-gid", 'n'}}});
    if (!o) return 2;
    LsOptions opt;
    opt.all = o->has('a');
    opt.almost_all = o->has('A');
    opt.longf = o->has('l') || o->has('n');
    opt.numeric = o->has('n');
    opt.human = o->has('h');
    opt.recursive = o->has('R');
    opt.dir_itself = o->has('d');
    Args paths = o->operands.empty() ? Args{"."} : o->operands;
    std::sort(paths.begin(), paths.end());
    int rc = 0;
    std::vector<Entry> files;
    std::vector<std::string> dirs;
    for (auto& p : paths) {
        auto st = sys::stat(p);
        if (!st) {
            // A dangling symlink is still listed.
            Entry e = describe(p, p, true);
            if (e.st) { files.push_back(e); continue; }
            rc = fail("ls", "cannot access '" + p + "'", st.error());
            continue;
        }
        if ((st->st_mode & MODE_TYPE) == MODE_DIR && !opt.dir_itself) dirs.push_back(p);
        else files.push_back(describe(p, p, opt.longf));
    }
    std::string text;
    print_entries(files, opt, text);
    bool header = paths.size() > 1 || opt.recursive;
    for (size_t i = 0; i < dirs.size(); ++i)
        rc |= list_dir(dirs[i], opt, header, i == 0 && files.empty(), text);
    out(text);
    return rc ? 2 : 0;
}

namespace {

std::string file_type(uint16_t mode, uint64_t size) {
    switch (mode & MODE_TYPE) {
    case MODE_DIR: return "directory";
    case MODE_SYMLINK: return "symbolic link";
    case MODE_CHR: return "character special file";
    case MODE_FIFO: return "fifo";
    case MODE_SOCK: return "socket";
    default: return size == 0 ? "regular empty file" : "regular file";
    }
}

std::string octal(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%o", v);
    return buf;
}

// stat -c FORMAT: the GNU directives most scripts use.
std::string stat_format(std::string_view fmt, const std::string& path, const Stat& st) {
    std::string o;
    for (size_t i = 0; i < fmt.size(); ++i) {
        char c = fmt[i];
        if (c == '\\' && i + 1 < fmt.size()) {
            char n = fmt[++i];
            o += n == 'n' ? '\n' : n == 't' ? '\t' : n;
            continue;
        }
        if (c != '%' || i + 1 >= fmt.size()) { o += c; continue; }
        switch (fmt[++i]) {
        case 'n': o += path; break;
        case 'N': {
            o += "'" + path + "'";
            if ((st.st_mode & MODE_TYPE) == MODE_SYMLINK)
                if (auto t = read_link(path)) o += " -> '" + *t + "'";
            break;
        }
        case 's': o += std::to_string(st.st_size); break;
        case 'a': o += octal(st.st_mode & 07777); break;
        case 'A': o += mode_string(st.st_mode); break;
        case 'f': o += octal(st.st_mode); break;
        case 'F': o += file_type(st.st_mode, st.st_size); break;
        case 'u': o += std::to_string(st.st_uid); break;
        case 'U': o += user_name(st.st_uid); break;
        case 'g': o += std::to_string(st.st_gid); break;
        case 'G': o += group_name(st.st_gid); break;
        case 'h': o += std::to_string(st.st_nlink); break;
        case 'i': o += std::to_string(st.st_ino); break;
        case 'b': o += std::to_string(st.st_blocks); break;
        case 'B': o += "512"; break;
        case 'o': o += std::to_string(st.st_blksize); break;
        case 'Y': o += std::to_string(st.mtime); break;
        case 'X': o += std::to_string(st.atime); break;
        case 'Z': o += std::to_string(st.ctime); break;
        case '%': o += '%'; break;
        default: o += '%'; o += fmt[i];
        }
    }
    return o;
}

} // namespace

int cmd_stat(const Args& a) {
    auto o = parse_opts("stat", a, {"L", "c", {{"format", 'c'}, {"dereference", 'L'}}});
    if (!o) return 1;
    if (o->operands.empty()) return usage_error("stat", "missing operand");
    int rc = 0;
    std::string text;
    for (auto& p : o->operands) {
        Result<Stat> st = err(ENOENT_);
        std::string target;
        if (o->has('L')) {
            st = sys::stat(p);
        } else {
            auto e = describe(p, p, true);
            if (e.st) { st = *e.st; target = e.target; }
            else st = sys::stat(p);  // report the real error
        }
        if (!st) { rc = fail("stat", "cannot stat '" + p + "'", st.error()); continue; }
        if (o->values.count('c')) {
            text += stat_format(o->value('c'), p, *st) + "\n";
            continue;
        }
        auto when = [](uint64_t s, uint32_t ns) {
            char frac[16];
            std::snprintf(frac, sizeof frac, ".%09u", ns);
            return format_time(s, "%Y-%m-%d %H:%M:%S") + frac + " +0000";
        };
        text += "  File: " + p + (target.empty() ? "" : " -> " + target) + "\n";
        char line[256];
        std::snprintf(line, sizeof line, "  Size: %-15llu Blocks: %-10llu IO Block: %-6llu %s\n",
                      (unsigned long long)st->st_size, (unsigned long long)st->st_blocks,
                      (unsigned long long)st->st_blksize, file_type(st->st_mode, st->st_size).c_str());
        text += line;
        std::snprintf(line, sizeof line, "Device: %-15llu Inode: %-11llu Links: %u\n",
                      (unsigned long long)st->st_dev, (unsigned long long)st->st_ino, st->st_nlink);
        text += line;
        std::snprintf(line, sizeof line, "Access: (%04o/%s)  Uid: (%5u/%8s)   Gid: (%5u/%8s)\n", st->st_mode & 07777,
                      mode_string(st->st_mode).c_str(), st->st_uid, user_name(st->st_uid).c_str(), st->st_gid,
                      group_name(st->st_gid).c_str());
        text += line;
        text += "Access: " + when(st->atime, st->atime_nsec) + "\n";
        text += "Modify: " + when(st->mtime, st->mtime_nsec) + "\n";
        text += "Change: " + when(st->ctime, st->ctime_nsec) + "\n";
    }
    out(text);
    return rc;
}

} // namespace redox::userland
