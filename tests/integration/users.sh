#!/usr/bin/env bash
# Users and privileges in one boot of the base config: as `user` (no password, in
# group sudo) writes to /etc/passwd and /root are refused and $HOME works; sudo and
# su accept the right password and refuse a wrong one; passwd changes what login
# accepts (the user's own, then root changing the user's). Then the console: with the
# userutils package (and the sudo daemon started from init.d) it runs login; the
# default minimal config keeps a root Ion.
# usage: users.sh REDOX_SIM
set -u
sim="$1"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

printf 'user\nbad\nuser\nnewpw\nid\n' > "$tmp/login_bad_then_new"
printf 'user\n\nid\n' > "$tmp/login_old"
printf 'rootpw\nrootpw\n' > "$tmp/pw_by_root"
printf 'user\nrootpw\nid\n' > "$tmp/login_rootpw"
printf 'x\nnewpw\nnewpw\n' > "$tmp/pw_bad_old"
printf '\nnewpw\nnewpw\n' > "$tmp/pw_ok"
printf 'password\n' > "$tmp/root_pw"
printf 'wrong\n' > "$tmp/wrong_pw"
printf '\n' > "$tmp/empty_pw"

cat > "$tmp/root.ion" <<'EOF'
let I = /scheme/initfs/bin
let H = /scheme/host
$I/sudo --daemon &
sim wait-scheme sudo
$I/su user -c "ion /scheme/host/user.ion"
$I/login < $H/login_bad_then_new
echo "login-new-rc=$?"
$I/login < $H/login_old
echo "login-old-rc=$?"
$I/passwd user < $H/pw_by_root
echo "passwd-by-root-rc=$?"
$I/login < $H/login_rootpw
echo "login-rootpw-rc=$?"
EOF
cat > "$tmp/user.ion" <<'EOF'
let I = /scheme/initfs/bin
let H = /scheme/host
echo "home=$HOME user=$USER"
echo x > /etc/passwd || echo "write-passwd-denied"
echo x > /root/f || echo "write-root-denied"
echo ok > $HOME/f && cat $HOME/f && echo "write-home-ok"
$I/sudo $I/coreutils id < $H/empty_pw
echo "sudo-good-rc=$?"
$I/sudo $I/coreutils id < $H/wrong_pw
echo "sudo-bad-rc=$?"
$I/su root -c "echo su-root-as-\$USER" < $H/root_pw
echo "su-good-rc=$?"
$I/su root -c "echo su-root-as-\$USER" < $H/wrong_pw
echo "su-bad-rc=$?"
$I/passwd < $H/pw_bad_old
echo "passwd-bad-old-rc=$?"
$I/passwd root < $H/pw_ok
echo "passwd-other-rc=$?"
$I/passwd < $H/pw_ok
echo "passwd-rc=$?"
EOF

out="$("$sim" boot --timeout 50 --log-level quiet --share "$tmp" --exec "ion /scheme/host/root.ion" 2>&1)"
st=$?
echo "$out"
# A marker line (after any prompts printed without a newline).
has() { grep -qE -- "(^|: )$1\$" <<<"$out" && echo 0 || echo 1; }
hasre() { grep -qE -- "$1" <<<"$out" && echo 0 || echo 1; }
check "boot exits 0" "$([ $st = 0 ] && echo 0 || echo 1)" "status $st"
check "user env from su" "$(has 'home=/home/user user=user')" "no HOME/USER line"
check "user cannot write /etc/passwd" "$(has write-passwd-denied)" "write was not refused"
check "user cannot write /root" "$(has write-root-denied)" "write was not refused"
check "user writes \$HOME" "$(has write-home-ok)" "no write-home-ok"
check "sudo, right password: root" "$(hasre 'password for user: uid=0\(root\)')" "no uid=0 line"
check "sudo, right password: status 0" "$(has sudo-good-rc=0)" "status"
check "sudo, wrong password refused" "$(hasre 'sudo: Authentication failure')" "no refusal line"
check "sudo, wrong password: status 1" "$(has sudo-bad-rc=1)" "status"
check "su root, right password" "$(hasre 'su-root-as-root$')" "no su line"
check "su root, right password: status 0" "$(has su-good-rc=0)" "status"
check "su root, wrong password refused" "$(has su-bad-rc=1)" "status"
check "passwd, wrong current password" "$(has passwd-bad-old-rc=1)" "status"
check "passwd of another user refused" "$(has passwd-other-rc=1)" "status"
check "passwd own password" "$(has passwd-rc=0)" "status"
check "login: a bad password says Login incorrect" "$(hasre '^Login incorrect$')" "no Login incorrect"
check "login: new password gives the user's shell" "$(hasre 'password: uid=1000\(user\)')" "no uid=1000 after login"
check "login: new password, status 0" "$(has login-new-rc=0)" "status"
check "login: the old password no longer works (input ends at the prompt: status 2)" "$(has login-old-rc=2)" "status"
check "root changes user's password" "$(has passwd-by-root-rc=0)" "status"
check "login with root's new password for user" "$(has login-rootpw-rc=0)" "status"
# A config that asks for login: userutils installed, the sudo daemon started by init.
cat > "$tmp/users.toml" <<'EOF'
include = ["minimal.toml"]

[packages]
userutils = {}

[[files]]
path = "/usr/lib/init.d/20_sudo"
data = """
notify /usr/bin/sudo --daemon
"""
EOF
out="$(printf 'user\nbad\nuser\n\necho console-as-$USER-in-$PWD\necho "" | sudo id\nls /scheme/initfs || echo initfs-hidden-by-login-schemes\nexit\n' |
       "$sim" boot --timeout 30 --log-level quiet --config "$tmp/users.toml" --share "$tmp" 2>&1)"
st=$?
echo "$out"
check "login console: boot exits 0" "$([ $st = 0 ] && echo 0 || echo 1)" "status $st"
check "login console: bad password refused" "$(hasre '^Login incorrect$')" "no Login incorrect"
check "login console: user's shell in HOME" "$(hasre 'console-as-user-in-/home/user$')" "no user shell line"
check "login console: /etc/login_schemes.toml limits the namespace" "$(hasre 'initfs-hidden-by-login-schemes$')" "initfs still visible"
check "login console: sudo from init.d's daemon" "$(hasre 'password for user: uid=0\(root\)')" "no uid=0 line"

out="$(printf 'echo console-as-$USER\nexit\n' | "$sim" boot --timeout 30 --log-level quiet 2>&1)"
echo "$out"
check "minimal console: root Ion, no login" "$(hasre 'console-as-root$')" "no root shell line"
check "minimal console: no login prompt" "$(grep -q 'login:' <<<"$out" && echo 1 || echo 0)" "a login prompt"
finish
