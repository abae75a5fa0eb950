#!/usr/bin/env bash
# Boot scenarios checked from the outside: console output, exit status,
# --share, bad input, and what a SIGKILL of the kernel-sim leaves behind.
set -u
SIM="$1"
. "$(dirname "$0")/lib.sh"

boot() { timeout 60 "$SIM" boot --log-level quiet --timeout 50 "$@"; }

out="$(boot --exec 'echo hello from redox' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qx 'hello from redox' <<<"$out"; check echo $? "rc=$rc out=$out"

out="$(boot --exec 'cat /etc/hostname' --exec 'uname -a' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -q '^redox' <<<"$out" && grep -q 'Redox redox-sim' <<<"$out"; check hostname-uname $? "rc=$rc out=$out"

out="$(boot --exec 'ls /' 2>&1)"; rc=$?
for d in bin dev etc usr tmp; do grep -qx "$d" <<<"$out" || rc=99; done
check ls-root $([ $rc = 0 ]; echo $?) "rc=$rc out=$out"

out="$(boot --exec 'ls -l /dev' 2>&1)"; rc=$?
grep -q 'null -> /scheme/null' <<<"$out"; check dev-symlinks $? "rc=$rc out=$out"

out="$(boot --exec 'ps' 2>&1)"; rc=$?
grep -qE '^ +1 +0 .* init$' <<<"$out" && grep -q ' redoxfs$' <<<"$out"; check ps $? "out=$out"

out="$(boot --exec 'false' --exec 'echo not reached' 2>&1)"; rc=$?
[ $rc = 1 ] && ! grep -q 'not reached' <<<"$out"; check exit-status-chain $? "rc=$rc out=$out"

out="$(boot --exec 'no-such-program' 2>&1)"; rc=$?
# Init runs --exec lines with Ion when the config installs it (Ion's message), else itself.
[ $rc != 0 ] && grep -qE 'no-such-program: command not found|command not found: no-such-program' <<<"$out"; check command-not-found $? "rc=$rc out=$out"

# Usage: each command's --help (and `help COMMAND`) prints its usage line on stdout, status 0.
help_ok=0
for c in boot test trace fs mkfs config; do
  h="$("$SIM" "$c" --help 2>/dev/null)" && grep -q "^usage: redox-sim $c " <<<"$h" || help_ok=1
done
h="$("$SIM" help boot 2>/dev/null)" && grep -q '^usage: redox-sim boot \[--config' <<<"$h" || help_ok=1
"$SIM" help no-such-command >/dev/null 2>&1 && help_ok=1
check command-help $help_ok "a --help did not print its command's usage"

# Tuning knobs in redox-sim's environment reach every sim process.
out="$(REDOX_SIM_DIRECT_SPIN_US=7 REDOX_SIM_SPIN=300 boot --exec 'env' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qx 'REDOX_SIM_DIRECT_SPIN_US=7' <<<"$out" && grep -qx 'REDOX_SIM_SPIN=300' <<<"$out"
check spin-knobs-reach-sim $? "rc=$rc out=$out"

mkdir -p "$tmp/share"; echo "from the host" > "$tmp/share/in.txt"
out="$(boot --share "$tmp/share" --exec 'cat /scheme/host/in.txt' --exec 'touch /scheme/host/out.txt' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qx 'from the host' <<<"$out" && [ -f "$tmp/share/out.txt" ]; check share $? "rc=$rc out=$out"

out="$(boot --exec 'cat /scheme/host/../etc/passwd' --share "$tmp/share" 2>&1)"; rc=$?
[ $rc != 0 ] && ! grep -q root: <<<"$out"; check share-escape $? "rc=$rc out=$out"

out="$(boot --exec 'sleep 30' --timeout 1 2>&1)"; rc=$?
[ $rc = 124 ]; check timeout $? "rc=$rc out=$out"

out="$("$SIM" boot --config /nonexistent.toml 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'nonexistent.toml' <<<"$out"; check bad-config-path $? "rc=$rc out=$out"

printf 'include = ["base.toml"]\n[general]\nprompt = false\nbogus_key = 1\n' > "$tmp/bad.toml"
out="$("$SIM" boot --config "$tmp/bad.toml" 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'bad.toml:[0-9]' <<<"$out"; check bad-config-line $? "rc=$rc out=$out"

out="$("$SIM" boot --bogus 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ]; check bad-option $? "rc=$rc out=$out"

# notify_parallel starts daemons together: `early` gets ready only once `late`,
# started after it, serves its scheme (with plain notify this never happens).
# The next line sees both schemes; a daemon that exits unready is named.
cat > "$tmp/together.toml" <<'EOF'
include = ["minimal.toml"]
[[files]]
path = "/usr/lib/init.d/40_together"
data = """
notify_parallel /scheme/initfs/bin/simtest child-daemon-after early late
notify_parallel /scheme/initfs/bin/simtest child-exit 0
notify_parallel /scheme/initfs/bin/simtest child-daemon late
/usr/bin/ls /scheme
echo together done
"""
EOF
out="$(boot --config "$tmp/together.toml" --exec 'echo booted' 2>&1)"; rc=$?
seen="$(sed -n '/^together done$/q;p' <<<"$out")"
[ $rc = 0 ] && grep -qx early <<<"$seen" && grep -qx late <<<"$seen" && grep -qx 'together done' <<<"$out" \
  && grep -q '40_together:2: /scheme/initfs/bin/simtest exited without notifying readiness' <<<"$out" \
  && grep -qx booted <<<"$out"; check notify-parallel $? "rc=$rc out=$out"

# SIGKILL of the kernel-sim leaves no sim process behind.
"$SIM" boot --log-level quiet --exec 'sleep 60' >/dev/null 2>&1 &
kpid=$!
# Wait until the boot has reached the exec line (init, the daemons, the shell, sleep).
for _ in $(seq 200); do
  [ "$(pgrep -P $kpid | wc -l)" -ge 6 ] && break
  sleep 0.1
done
sleep 0.5
children="$(pgrep -P $kpid | tr '\n' ' ')"
kill -9 $kpid; wait $kpid 2>/dev/null
sleep 3
left=""
for c in $children; do kill -0 "$c" 2>/dev/null && left="$left $c"; done
[ -n "$children" ] && [ -z "$left" ]; check kill9-kernel $? "children=[$children] left=[$left]"

finish
