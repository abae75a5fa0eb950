#!/usr/bin/env bash
# The interactive console in a real terminal emulator (tmux): boot a config
# with login, log in (the password is not echoed), `ls -l /`, ^C a `sleep 100`
# (the prompt is back within 2 s and $? is 130), ^Z a job, `jobs`, `fg` it
# and ^C it, edit a line with the arrow keys and history, log out (back to
# the login prompt), log in again (the history was kept), log out, and ^D at
# the login prompt ends the sim with status 0. Then the host shell
# (`redox-sim ion`) in the same terminal: ^Z, bg, jobs, fg, ^C, exit.
# usage: console_tmux.sh REDOX_SIM
set -u
SIM="$1"
tmp="$(mktemp -d)"
sock="redox-sim-console-$$"
T() { tmux -L "$sock" "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

cat > "$tmp/login.toml" <<'EOF'
include = ["minimal.toml"]

[packages]
userutils = {}
EOF

screen() { T capture-pane -p -J -t console -S -200 | grep -v '^ *$'; }
fail() {
  echo "FAIL: $1"
  echo "---- the terminal showed:"
  screen
  exit 1
}
# wait_for REGEX SECONDS [AFTER]: the screen (from the line that matched AFTER
# last, if given) matches REGEX within SECONDS.
wait_for() {
  local re="$1" secs="$2" end=$((SECONDS + $2))
  while ((SECONDS <= end)); do
    screen | tail -n "${3:-200}" | grep -Eq -- "$re" && return 0
    sleep 0.2
  done
  return 1
}
type_line() { T send-keys -t console -l -- "$1"; T send-keys -t console Enter; }
key() { T send-keys -t console "$@"; }

T new-session -d -s console -x 120 -y 50 \
  "'$SIM' boot --config '$tmp/login.toml' --log-level quiet --timeout 120; echo \"SIM-EXIT \$?\"; sleep 60" ||
  fail "tmux could not start a session"

wait_for 'redox login: ?$' 60 || fail "no login prompt"
type_line user
wait_for 'password: ?$' 10 || fail "no password prompt"
type_line not-the-password
wait_for 'Login incorrect' 10 || fail "a wrong password was accepted"
screen | grep -q 'not-the-password' && fail "the password was echoed"
wait_for 'redox login: ?$' 10 1 || fail "no login prompt after a wrong password"
type_line user
wait_for 'password: ?$' 10 || fail "no second password prompt"
type_line ''
wait_for 'user:~\$ ?$' 20 || fail "no shell prompt after login"

type_line 'ls -l /'
wait_for '^drwxr-xr-x +1 root .* usr$' 10 || fail "ls -l / listed no usr directory"
wait_for 'user:~\$ ?$' 10 1 || fail "no prompt after ls"

type_line 'sleep 100'
sleep 1.5
start=$SECONDS
key C-c
wait_for 'user:~\$ ?$' 2 1 || fail "^C did not bring the prompt back within 2 s"
echo "prompt back $((SECONDS - start)) s after ^C"
type_line 'echo status $?'
wait_for '^status 130$' 5 || fail "sleep was not ended by SIGINT (status 130)"

type_line 'sleep 100'
sleep 1.5
key C-z
wait_for 'ion: \(\[0\] [0-9]+\) Stopped' 5 || fail "^Z did not stop the job"
wait_for 'user:~\$ ?$' 5 1 || fail "no prompt after ^Z"
type_line 'jobs'
wait_for '^\[0\] [0-9]+ Stopped +sleep 100$' 5 || fail "jobs does not list the stopped sleep"
type_line 'fg'
wait_for '^sleep 100$' 5 1 || fail "fg did not name the job"
sleep 1
screen | tail -n 1 | grep -q 'user:~\$ ?$' && fail "fg returned while sleep should run"
key C-c
wait_for 'user:~\$ ?$' 3 1 || fail "^C did not end the job brought back by fg"
type_line 'echo fg-status $?'
wait_for '^fg-status 130$' 5 || fail "fg's status is not the job's (130)"
type_line 'echo jobs-left: @(jobs)'
wait_for '^jobs-left: ?$' 5 || fail "the job ended by ^C is still in the job table"

# Line editing: Left, Backspace, Ctrl-A/Ctrl-E, then the history (Up).
T send-keys -t console -l -- 'cho edXted'
key Left Left Left BSpace
T send-keys -t console -l -- 'i'
key C-a
T send-keys -t console -l -- 'e'
key C-e
T send-keys -t console -l -- '!'
key Enter
wait_for '^edited!$' 5 || fail "line editing (arrows, backspace, Ctrl-A/E) gave the wrong line"
key Up Enter
sleep 1
[ "$(screen | grep -c '^edited!$')" = 2 ] || fail "Up did not bring back the last line"

type_line 'exit'
wait_for 'redox login: ?$' 10 1 || fail "logout did not return to the login prompt"
# The history outlives the session (~/.local/share/ion/history).
type_line user
wait_for 'password: ?$' 10 || fail "no password prompt after logout"
type_line ''
wait_for 'user:~\$ ?$' 20 || fail "no shell prompt at the second login"
key Up Up Enter
sleep 1
[ "$(screen | grep -c '^edited!$')" = 3 ] || fail "the history of the first session was not kept"
type_line 'exit'
wait_for 'redox login: ?$' 10 1 || fail "the second logout did not return to the login prompt"
key C-d
wait_for '^SIM-EXIT 0$' 20 || fail "^D at the login prompt did not end the sim with status 0"
echo "ok   console-tmux (sim)"

# The same job control in the host shell (`redox-sim ion` on the tmux terminal).
# The new session starts before the old one goes: a tmux server whose last
# session closes exits, and a new-session racing that exit fails.
mkdir -p "$tmp/home/.config/ion"
echo 'let PROMPT = "host-ion> "' > "$tmp/home/.config/ion/initrc"
T new-session -d -s host -x 120 -y 50 \
  "HOME='$tmp/home' '$SIM' ion; echo \"ION-EXIT \$?\"; sleep 60" || fail "tmux could not start the host shell"
T kill-session -t console 2>/dev/null
T rename-session -t host console || fail "tmux could not rename the host shell's session"
wait_for 'host-ion> ?$' 20 || fail "no host shell prompt"
type_line 'sleep 100'
sleep 1
key C-z
wait_for 'ion: \(\[0\] [0-9]+\) Stopped' 5 || fail "host shell: ^Z did not stop the job"
type_line 'bg'
wait_for '^ion: bg \[0\] [0-9]+' 5 || fail "host shell: bg did not continue the job"
type_line 'jobs'
wait_for '^\[0\] [0-9]+ Running +sleep 100$' 5 || fail "host shell: jobs does not list the running sleep"
type_line 'fg'
wait_for '^sleep 100$' 5 1 || fail "host shell: fg did not name the job"
key C-c
type_line 'echo host-status $?'
wait_for 'host-status 130$' 5 || fail "host shell: the job brought back by fg was not ended by ^C"
type_line 'exit 5'
wait_for '^ION-EXIT 5$' 10 || fail "host shell: exit 5 did not end it with 5"
echo "ok   host-ion-job-control"
