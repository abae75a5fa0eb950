// cp, mv, rm, mkdir, rmdir, ln, touch, chmod, chown: changing the file tree.
#include "userland/coreutils/util.h"

#include <functional>

namespace redox::userland {

namespace {

bool is_dir(std::string_view path) {
    auto st = sys::stat(path);
    return st && (st->st_mode & MODE_TYPE) == MODE_DIR;
}

// Where SRC goes for "cmd SRC... DEST": into DEST when it is a directory.
std::string target_for(const std::string& src, const std::string& dest, bool dest_is_dir) {
    return dest_is_dir ? join_path(dest, base_name(src)) : dest;
}

Result<void> copy_file(const std::string& src, const std::string& dst, uint16_t mode) {
    int in = TRY(sys::open(src, O_RDONLY_));
    auto outfd = sys::open(dst, O_WRONLY_ | O_CREAT_ | O_TRUNC_, mode & MODE_PERM);
    if (!outfd) { (void)sys::close(in); return std::unexpected(Error(outfd.error().errnum, "'" + dst + "'")); }
    std::vector<char> buf(1 << 16);
    Result<void> r;
    for (;;) {
        auto n = sys::read(in, buf.data(), buf.size());
        if (!n) { r = std::unexpected(Error(n.error().errnum, "'" + src + "'")); break; }
        if (*n == 0) break;
        if (auto w = sys::write_all(*outfd, std::string_view(buf.data(), *n)); !w) {
            r = std::unexpected(Error(w.error().errnum, "'" + dst + "'"));
            break;
        }
    }
    (void)sys::close(in);
    (void)sys::close(*outfd);
    return r;
}

Result<void> make_symlink(const std::string& target, const std::string& link) {
    int fd = TRY(sys::open(link, O_WRONLY_ | O_CREAT_ | O_EXCL_ | O_SYMLINK_ | O_NOFOLLOW_, 0777));
    auto r = sys::write_all(fd, target);
    (void)sys::close(fd);
    return r;
}

Result<void> copy_tree(const std::string& src, const std::string& dst, bool recursive) {
    auto st = lstat(src);
    if (!st) return std::unexpected(Error(st.error().errnum, "cannot stat '" + src + "'"));
    switch (st->st_mode & MODE_TYPE) {
    case MODE_DIR: {
        if (!recursive) return err(EISDIR_, "-r not specified; omitting directory '" + src + "'");
        std::string csrc = sys::canonicalize(src), cdst = sys::canonicalize(dst);
        if (cdst == csrc || cdst.starts_with(csrc + "/"))
            return err(EINVAL_, "cannot copy a directory, '" + src + "', into itself, '" + dst + "'");
        if (!is_dir(dst)) {
            auto fd = sys::open(dst, O_CREAT_ | O_DIRECTORY_ | O_RDONLY_ | O_EXCL_, st->st_mode & MODE_PERM);
            if (!fd) return std::unexpected(Error(fd.error().errnum, "cannot create directory '" + dst + "'"));
            (void)sys::close(*fd);
        }
        auto entries = sys::read_dir(src);
        if (!entries) return std::unexpected(Error(entries.error().errnum, "cannot open directory '" + src + "'"));
        for (auto& e : *entries) TRY(copy_tree(join_path(src, e.name), join_path(dst, e.name), true));
        return {};
    }
    case MODE_SYMLINK:
        if (recursive) {
            auto target = TRY(read_link(src));
            (void)sys::unlink(dst, 0);
            auto r = make_symlink(target, dst);
            if (!r) return std::unexpected(Error(r.error().errnum, "cannot create symbolic link '" + dst + "'"));
            return {};
        }
        [[fallthrough]];
    default: {
        auto follow = sys::stat(src);
        if (!follow) return std::unexpected(Error(follow.error().errnum, "cannot stat '" + src + "'"));
        return copy_file(src, dst, follow->st_mode);
    }
    }
}

Result<void> remove_tree(const std::string& p, bool recursive, bool dirs_ok) {
    auto st = lstat(p);
    if (!st) return std::unexpected(st.error());
    if ((st->st_mode & MODE_TYPE) == MODE_DIR) {
        if (!recursive && !dirs_ok) return err(EISDIR_);
        if (recursive) {
            auto entries = TRY(sys::read_dir(p));
            for (auto& e : entries) TRY(remove_tree(join_path(p, e.name), true, true));
        }
        return sys::unlink(p, AT_REMOVEDIR_);
    }
    return sys::unlink(p, 0);
}

// Run `fn` on path and, with -R, on everything below it (symlinks not followed).
int for_tree(const std::string& prog, const std::string& path, bool recursive,
             const std::function<Result<void>(const std::string&)>& fn) {
    int rc = 0;
    if (auto r = fn(path); !r) rc = fail(prog, "'" + path + "'", r.error());
    if (!recursive) return rc;
    auto st = lstat(path);
    if (!st || (st->st_mode & MODE_TYPE) != MODE_DIR) return rc;
    auto entries = sys::read_dir(path);
    if (!entries) return fail(prog, "cannot read directory '" + path + "'", entries.error());
    for (auto& e : *entries) rc |= for_tree(prog, join_path(path, e.name), true, fn);
    return rc;
}

} // namespace

int cmd_cp(const Args& a) {
    auto o = parse_opts("cp", a, {"rRfaT", "", {{"recursive", 'r'}, {"force", 'f'}}});
    if (!o) return 1;
    bool recursive = o->has('r') || o->has('R') || o->has('a');
    auto& ops = o->operands;
    if (ops.size() < 2) return usage_error("cp", ops.empty() ? "missing file operand" : "missing destination file operand after '" + ops[0] + "'");
    const std::string& dest = ops.back();
    bool dest_dir = is_dir(dest) && !o->has('T');
    if (ops.size() > 2 && !dest_dir) return usage_error("cp", "target '" + dest + "' is not a directory");
    int rc = 0;
    for (size_t i = 0; i + 1 < ops.size(); ++i) {
        if (auto r = copy_tree(ops[i], target_for(ops[i], dest, dest_dir), recursive); !r) {
            errout("cp: " + r.error().message() + "\n");
            rc = 1;
        }
    }
    return rc;
}

int cmd_mv(const Args& a) {
    auto o = parse_opts("mv", a, {"fT", "", {{"force", 'f'}}});
    if (!o) return 1;
    auto& ops = o->operands;
    if (ops.size() < 2) return usage_error("mv", ops.empty() ? "missing file operand" : "missing destination file operand after '" + ops[0] + "'");
    const std::string& dest = ops.back();
    bool dest_dir = is_dir(dest) && !o->has('T');
    if (ops.size() > 2 && !dest_dir) return usage_error("mv", "target '" + dest + "' is not a directory");
    int rc = 0;
    for (size_t i = 0; i + 1 < ops.size(); ++i) {
        const std::string& src = ops[i];
        std::string to = target_for(src, dest, dest_dir);
        auto fd = sys::open(src, O_RDONLY_ | O_STAT_ | O_NOFOLLOW_ | O_SYMLINK_);
        if (!fd) { rc = fail("mv", "cannot stat '" + src + "'", fd.error()); continue; }
        auto r = sys::frename(*fd, to);
        (void)sys::close(*fd);
        if (r) continue;
        if (r.error().errnum != EXDEV_ && r.error().errnum != ENOSYS_) {
            rc = fail("mv", "cannot move '" + src + "' to '" + to + "'", r.error());
            continue;
        }
        // Another scheme: copy, then remove the source.
        if (auto c = copy_tree(src, to, true); !c) { errout("mv: " + c.error().message() + "\n"); rc = 1; continue; }
        if (auto d = remove_tree(src, true, true); !d) rc = fail("mv", "cannot remove '" + src + "'", d.error());
    }
    return rc;
}

int cmd_rm(const Args& a) {
    auto o = parse_opts("rm", a, {"rRfdv", "", {{"recursive", 'r'}, {"force", 'f'}, {"dir", 'd'}}});
    if (!o) return 1;
    bool recursive = o->has('r') || o->has('R'), force = o->has('f');
    if (o->operands.empty() && !force) return usage_error("rm", "missing operand");
    int rc = 0;
    for (auto& p : o->operands) {
        std::string c = sys::canonicalize(p);
        if (recursive && c == "/") { rc = usage_error("rm", "it is dangerous to operate recursively on '/'"); continue; }
        auto r = remove_tree(p, recursive, o->has('d'));
        if (!r && !(force && r.error().errnum == ENOENT_)) rc = fail("rm", "cannot remove '" + p + "'", r.error());
        else if (r && o->has('v')) out("removed '" + p + "'\n");
    }
    return rc;
}

int cmd_mkdir(const Args& a) {
    auto o = parse_opts("mkdir", a, {"pv", "m", {{"parents", 'p'}, {"mode", 'm'}}});
    if (!o) return 1;
    if (o->operands.empty()) return usage_error("mkdir", "missing operand");
    uint16_t mode = 0755;
    if (o->values.count('m')) {
        auto m = parse_mode(o->value('m'), 0777, true);
        if (!m) return usage_error("mkdir", "invalid mode '" + o->value('m') + "'");
        mode = *m;
    }
    bool parents = o->has('p');
    int rc = 0;
    for (auto& d : o->operands) {
        std::vector<std::string> todo{d};
        if (parents) {
            todo.clear();
            std::string p = sys::canonicalize(d);
            for (size_t pos = 1; pos <= p.size(); ++pos)
                if (pos == p.size() || p[pos] == '/') todo.push_back(p.substr(0, pos));
        }
        for (size_t i = 0; i < todo.size(); ++i) {
            bool last = i + 1 == todo.size();
            if (parents && !last && is_dir(todo[i])) continue;
            auto fd = sys::open(todo[i], O_CREAT_ | O_DIRECTORY_ | O_RDONLY_ | (parents ? uint64_t(0) : uint64_t(O_EXCL_)), last ? mode : 0755);
            if (!fd) {
                if (parents && fd.error().errnum == EEXIST_) continue;
                rc = fail("mkdir", "cannot create directory '" + d + "'", fd.error());
                break;
            }
            // An existing directory keeps its mode; a new one gets exactly -m.
            if (last && o->values.count('m')) (void)sys::fchmod(*fd, mode);
            (void)sys::close(*fd);
            if (o->has('v')) out("mkdir: created directory '" + todo[i] + "'\n");
        }
    }
    return rc;
}

int cmd_rmdir(const Args& a) {
    auto o = parse_opts("rmdir", a, {"p", "", {{"parents", 'p'}}});
    if (!o) return 1;
    if (o->operands.empty()) return usage_error("rmdir", "missing operand");
    int rc = 0;
    for (auto& d : o->operands) {
        std::string p = d;
        while (!p.empty()) {
            if (auto st = lstat(p); st && (st->st_mode & MODE_TYPE) != MODE_DIR) {
                rc = fail("rmdir", "failed to remove '" + p + "'", Error(ENOTDIR_));
                break;
            }
            if (auto r = sys::unlink(p, AT_REMOVEDIR_); !r) { rc = fail("rmdir", "failed to remove '" + p + "'", r.error()); break; }
            if (!o->has('p')) break;
            while (p.size() > 1 && p.ends_with('/')) p.pop_back();
            size_t slash = p.rfind('/');
            if (slash == std::string::npos || slash == 0) break;
            p = p.substr(0, slash);
        }
    }
    return rc;
}

int cmd_ln(const Args& a) {
    auto o = parse_opts("ln", a, {"sfnT", "", {{"symbolic", 's'}, {"force", 'f'}}});
    if (!o) return 1;
    auto& ops = o->operands;
    if (ops.empty()) return usage_error("ln", "missing file operand");
    std::vector<std::string> targets(ops.begin(), ops.size() == 1 ? ops.end() : ops.end() - 1);
    std::string dest = ops.size() == 1 ? "." : ops.back();
    bool dest_dir = !o->has('T') && !o->has('n') ? is_dir(dest) : false;
    if (ops.size() == 1) dest_dir = true;
    if (targets.size() > 1 && !dest_dir) return usage_error("ln", "target '" + dest + "' is not a directory");
    int rc = 0;
    for (auto& t : targets) {
        std::string link = target_for(t, dest, dest_dir);
        if (o->has('f')) {
            if (auto st = lstat(link); st && (st->st_mode & MODE_TYPE) != MODE_DIR) (void)sys::unlink(link, 0);
        }
        Result<void> r;
        if (o->has('s')) {
            r = make_symlink(t, link);
        } else {
            auto fd = sys::open(t, O_RDONLY_ | O_STAT_);
            if (!fd) { rc = fail("ln", "failed to access '" + t + "'", fd.error()); continue; }
            r = sys::flink(*fd, link);
            (void)sys::close(*fd);
        }
        if (!r) rc = fail("ln", std::string("failed to create ") + (o->has('s') ? "symbolic " : "hard ") + "link '" + link + "'", r.error());
    }
    return rc;
}

int cmd_touch(const Args& a) {
    auto o = parse_opts("touch", a, {"cam", "d", {{"no-create", 'c'}, {"date", 'd'}}});
    if (!o) return 1;
    if (o->operands.empty()) return usage_error("touch", "missing file operand");
    TimeSpec when = now_realtime();
    if (o->values.count('d')) {
        // Only the epoch form: -d @SECONDS.
        long long secs;
        std::string d = o->value('d');
        if (!d.starts_with('@') || !parse_int(d.substr(1), secs)) return usage_error("touch", "invalid date format '" + d + "' (expected @SECONDS)");
        when = TimeSpec{secs, 0, 0};
    }
    int rc = 0;
    for (auto& p : o->operands) {
        auto fd = sys::open(p, O_STAT_ | O_RDONLY_);
        if (!fd) {
            if (fd.error().errnum != ENOENT_ || o->has('c')) {
                if (!o->has('c')) rc = fail("touch", "cannot touch '" + p + "'", fd.error());
                continue;
            }
            fd = sys::open(p, O_CREAT_ | O_WRONLY_, 0644);
            if (!fd) { rc = fail("touch", "cannot touch '" + p + "'", fd.error()); continue; }
        }
        auto st = sys::fstat(*fd);
        TimeSpec times[2] = {when, when};
        if (st && o->has('a') && !o->has('m')) times[1] = TimeSpec{int64_t(st->mtime), int32_t(st->mtime_nsec), 0};
        if (st && o->has('m') && !o->has('a')) times[0] = TimeSpec{int64_t(st->atime), int32_t(st->atime_nsec), 0};
        if (auto r = sys::futimens(*fd, times); !r && r.error().errnum != ENOSYS_)
            rc = fail("touch", "setting times of '" + p + "'", r.error());
        (void)sys::close(*fd);
    }
    return rc;
}

int cmd_chmod(const Args& a) {
    // A leading "-w" or "-x" is a mode, not an option: take the mode first.
    Args rest;
    std::string mode_spec;
    bool recursive = false;
    for (auto& s : a) {
        if (s == "-R" || s == "--recursive") recursive = true;
        else if (mode_spec.empty()) mode_spec = s;
        else rest.push_back(s);
    }
    if (mode_spec.empty()) return usage_error("chmod", "missing operand");
    if (rest.empty()) return usage_error("chmod", "missing operand after '" + mode_spec + "'");
    if (!parse_mode(mode_spec, 0, false)) return usage_error("chmod", "invalid mode: '" + mode_spec + "'");
    int rc = 0;
    for (auto& p : rest) {
        rc |= for_tree("chmod", p, recursive, [&](const std::string& path) -> Result<void> {
            int fd = TRY(sys::open(path, O_RDONLY_ | O_STAT_));
            auto st = sys::fstat(fd);
            if (!st) { (void)sys::close(fd); return std::unexpected(st.error()); }
            auto mode = parse_mode(mode_spec, st->st_mode, (st->st_mode & MODE_TYPE) == MODE_DIR);
            auto r = sys::fchmod(fd, *mode);
            (void)sys::close(fd);
            return r;
        });
    }
    return rc;
}

int cmd_chown(const Args& a) {
    auto o = parse_opts("chown", a, {"Rh", "", {{"recursive", 'R'}}});
    if (!o) return 1;
    if (o->operands.size() < 2)
        return usage_error("chown", o->operands.empty() ? "missing operand" : "missing operand after '" + o->operands[0] + "'");
    std::string spec = o->operands[0];
    std::optional<uint32_t> uid, gid;
    size_t colon = spec.find_first_of(":.");
    std::string user = spec.substr(0, colon), group = colon == std::string::npos ? "" : spec.substr(colon + 1);
    if (!user.empty()) {
        uid = user_id(user);
        if (!uid) return usage_error("chown", "invalid user: '" + spec + "'");
    }
    if (!group.empty()) {
        gid = group_id(group);
        if (!gid) return usage_error("chown", "invalid group: '" + spec + "'");
    }
    int rc = 0;
    for (size_t i = 1; i < o->operands.size(); ++i) {
        rc |= for_tree("chown", o->operands[i], o->has('R'), [&](const std::string& path) -> Result<void> {
            int fd = TRY(sys::open(path, O_RDONLY_ | O_STAT_));
            auto st = sys::fstat(fd);
            if (!st) { (void)sys::close(fd); return std::unexpected(st.error()); }
            auto r = sys::fchown(fd, uid.value_or(st->st_uid), gid.value_or(st->st_gid));
            (void)sys::close(fd);
            return r;
        });
    }
    return rc;
}

} // namespace redox::userland
