#!/usr/bin/env bash
# Scenario control checked from the outside: --trace and `redox-sim trace`,
# the `sim` program (kill, restart, wait-scheme, fault, time), virtual time's
# determinism, and `redox-sim test` on scenario folders.
set -u
SIM="$1"
. "$(dirname "$0")/lib.sh"

boot() { timeout 90 "$SIM" boot --log-level quiet --timeout 60 "$@"; }

# Trace: every scheme call of the boot is recorded; `trace` filters and sums.
out="$(boot --trace "$tmp/t.tsv" --exec 'cat /etc/hostname' 2>&1)"; rc=$?
[ $rc = 0 ] && [ -s "$tmp/t.tsv" ]; check trace-written $? "rc=$rc out=$out"
t="$("$SIM" trace "$tmp/t.tsv" --scheme file --op openat 2>&1; "$SIM" trace "$tmp/t.tsv" --op open 2>&1)"
grep -q 'file\.open.*"etc/hostname") = [0-9]' <<<"$t"; check trace-open-hostname $? "$(head -20 <<<"$t")"
t="$("$SIM" trace "$tmp/t.tsv" --scheme file 2>&1)"
[ -n "$t" ] && ! grep -qv '\] file\.' <<<"$t"; check trace-filter-scheme $? "$(head -5 <<<"$t")"
t="$("$SIM" trace "$tmp/t.tsv" -c 2>&1)"
grep -qE '^file +open +[0-9]+' <<<"$t"; check trace-summary $? "$t"
printf 'garbage\n' > "$tmp/bad.tsv"
t="$("$SIM" trace "$tmp/bad.tsv" 2>&1)"; rc=$?
[ $rc != 0 ] && grep -q "bad.tsv:1: not a trace record" <<<"$t"; check trace-bad-file $? "rc=$rc $t"

# The sim program: a fault rule, the clock, the process table.
out="$(boot --exec 'sim fault zero read EIO --count 1' --exec 'sim fault list' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -q 'zero read EIO --count 1 (matched 0, injected 0)' <<<"$out"; check sim-fault-list $? "rc=$rc out=$out"
out="$(boot --exec 'sim fault zero bogus EIO' 2>&1)"; rc=$?
[ $rc = 1 ] && grep -q "sim: fault: bad rule 'zero bogus EIO'" <<<"$out"; check sim-fault-bad $? "rc=$rc out=$out"
out="$(boot --exec 'sim time advance 1s' 2>&1)"; rc=$?
[ $rc = 1 ] && grep -q 'the clock is real' <<<"$out"; check sim-time-real $? "rc=$rc out=$out"
out="$(boot --virtual-time --exec 'sim time advance 90s' --exec 'sim time' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qE '^virtual 9[0-9]{10}$' <<<"$out"; check sim-time-virtual $? "rc=$rc out=$out"

# kill -9 of a daemon through `sim kill`, then `sim restart` brings its scheme back.
out="$(boot --exec 'sim kill randd KILL' --exec 'sim wait-scheme rand 0.2' 2>&1)"; rc=$?
[ $rc = 1 ] && grep -q 'scheme rand did not appear' <<<"$out"; check sim-kill-daemon $? "rc=$rc out=$out"
out="$(boot --exec 'sim restart randd' --exec 'sim wait-scheme rand 5' --exec 'cat /scheme/sys/scheme' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -q 'restarted randd as pid' <<<"$out" && grep -qx 'rand' <<<"$out"; check sim-restart $? "rc=$rc out=$out"
out="$(boot --exec 'sim kill no-such-daemon' 2>&1)"; rc=$?
[ $rc = 1 ] && grep -q 'no process named no-such-daemon' <<<"$out"; check sim-kill-unknown $? "rc=$rc out=$out"

# Virtual time: a long sleep is instant, and two runs print the same thing.
start=$(date +%s%N)
out1="$(boot --virtual-time --exec 'sleep 30' --exec 'sim time' 2>&1)"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc = 0 ] && [ $ms -lt 20000 ]; check vtime-sleep-30 $? "rc=$rc took ${ms} ms out=$out1"
out2="$(boot --virtual-time --exec 'sleep 30' --exec 'sim time' 2>&1)"
[ "$out1" = "$out2" ]; check vtime-deterministic $? "first: $out1 second: $out2"

# redox-sim test: a passing and a failing scenario, golden output, JUnit, TAP, shards.
mkdir -p "$tmp/suite/sub"
printf 'echo hello\n' > "$tmp/suite/hello.ion"; printf 'hello\n' > "$tmp/suite/hello.out"
printf 'echo wrong\n' > "$tmp/suite/golden-bad.ion"; printf 'right\n' > "$tmp/suite/golden-bad.out"
printf '#@ exit 3\nexit 3\n' > "$tmp/suite/sub/exit3.ion"
printf '#@ boot --virtual-time\n#@ timeout 20\nsleep 30\necho slept\n' > "$tmp/suite/sub/vsleep.ion"
out="$("$SIM" test "$tmp/suite" --jobs 2 --junit "$tmp/j.xml" 2>&1)"; rc=$?
[ $rc = 1 ] && grep -q '^3 passed, 1 failed' <<<"$out" && grep -q '^FAIL golden-bad' <<<"$out" \
  && grep -q '^-wrong\|^+wrong' <<<"$out"; check test-runner $? "rc=$rc out=$out"
grep -q '<testsuite name="redox-sim" tests="4" failures="1"' "$tmp/j.xml"; check test-junit $? "$(cat "$tmp/j.xml")"
out="$("$SIM" test "$tmp/suite" --tap --filter hello 2>&1)"; rc=$?
[ $rc = 0 ] && grep -q '^ok 1 - hello' <<<"$out" && grep -q '^1\.\.1' <<<"$out"; check test-tap-filter $? "rc=$rc out=$out"
a="$("$SIM" test "$tmp/suite" --shard 1/2 -v 2>&1)"; b="$("$SIM" test "$tmp/suite" --shard 2/2 -v 2>&1)"
n=$(printf '%s\n%s\n' "$a" "$b" | grep -cE '^(ok  |FAIL) ')
[ "$n" = 4 ]; check test-shards $? "shard 1: $a shard 2: $b"
printf '#@ frobnicate\n' > "$tmp/bad.ion"
out="$("$SIM" test "$tmp/bad.ion" 2>&1)"; rc=$?
[ $rc = 1 ] && grep -q "bad.ion:1: unknown directive 'frobnicate'" <<<"$out"; check test-bad-directive $? "rc=$rc out=$out"

finish
