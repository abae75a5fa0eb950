// The commands of the coreutils multi-call binary: each is cmd_NAME and an
// /usr/bin/NAME symlink the coreutils package installs.
#pragma once

#define COREUTILS_COMMANDS(X)                                                                     \
    X(echo) X(cat) X(ls) X(ps) X(kill) X(sleep) X(true) X(false) X(env) X(uname) X(mkdir) X(rm)   \
    X(touch) X(cp) X(mv) X(rmdir) X(ln) X(head) X(tail) X(wc) X(grep) X(sort) X(uniq) X(cut)      \
    X(tr) X(seq) X(date) X(stat) X(chmod) X(chown) X(find) X(du) X(df) X(free) X(hostname)        \
    X(which) X(tee) X(xargs) X(dmesg) X(id) X(whoami) X(pwd) X(basename) X(dirname)      \
    X(top) X(shutdown) X(reboot) X(stty) X(yes) X(readlink) X(printf)
