#!/usr/bin/env bash
# The Ion shell inside the sim (/usr/bin/ion over SimOs): --exec lines, pipes
# through the pipe scheme, redirections to scheme paths and files, command
# substitution of sim programs, exit status, scripts on a --share, the
# interactive console fed from stdin, and input larger than a pipe.
set -u
SIM="$1"
. "$(dirname "$0")/lib.sh"

# Boots the minimal config; prints the console without the config's own
# "NAME started/ready" lines; returns the sim's exit status.
boot() {
  timeout 60 "$SIM" boot --config minimal --log-level quiet --timeout 50 "$@" > "$tmp/console" 2>&1
  local rc=$?
  grep -v -E '^redox-sim: [a-z]+ (started|ready)$' "$tmp/console"
  return $rc
}

out="$(boot --exec "ion -c 'echo hi | cat'" )"; rc=$?
[ $rc = 0 ] && [ "$out" = hi ]; check builtin-into-program $? "rc=$rc out=$out"

out="$(boot --exec "ion -c '/usr/bin/echo one two | cat | cat'" )"; rc=$?
[ $rc = 0 ] && [ "$out" = "one two" ]; check program-pipeline $? "rc=$rc out=$out"

out="$(boot --exec "ion -c 'ls /usr/bin | cat > /tmp/list; cat /tmp/list'" )"; rc=$?
[ $rc = 0 ] && grep -qx ion <<<"$out" && grep -qx cat <<<"$out"; check redirect-to-file $? "rc=$rc out=$out"

out="$(boot --exec "ion -c '/usr/bin/echo gone > /scheme/null; echo kept >> /tmp/f; echo more >> /tmp/f; cat < /tmp/f'" )"; rc=$?
[ $rc = 0 ] && [ "$out" = "$(printf 'kept\nmore')" ]; check redirect-null-append-input $? "rc=$rc out=$out"

out="$(boot --exec "ion -c 'let u = \$(uname); echo \"<\$u>\"; echo @(ls /usr/bin | cat)[0]'" )"; rc=$?
[ $rc = 0 ] && grep -qx '<Redox>' <<<"$out" && [ "$(wc -l <<<"$out")" = 2 ]; check capture-program $? "rc=$rc out=$out"

out="$(boot --exec "ion -c 'cd /usr; let x = \$(cd /tmp; ls /tmp/.. | cat > /scheme/null; echo \$PWD); echo \$x \$PWD'" )"; rc=$?
[ $rc = 0 ] && [ "$out" = "/tmp /usr" ]; check capture-keeps-cwd $? "rc=$rc out=$out"

# `sim` is a builtin of the sim's Ion: no process of its own shows in its ps.
out="$(boot --exec "ion -c 'sim ps | cat'" )"; rc=$?
[ $rc = 0 ] && grep -qE ' init$' <<<"$out" && ! grep -qE ' sim$' <<<"$out"; check sim-builtin $? "rc=$rc out=$out"

out="$(boot --exec "ion -c 'exit 3'" )"; rc=$?
[ $rc = 3 ]; check exit-status $? "rc=$rc out=$out"

out="$(boot --exec "ion -c 'false || echo alt; cat /no/such/file; echo \$?'" )"; rc=$?
[ $rc = 0 ] && grep -qx alt <<<"$out" && grep -qx 1 <<<"$out"; check program-status $? "rc=$rc out=$out"

out="$(boot --exec 'no-such-program' )"; rc=$?
[ $rc != 0 ] && grep -q 'command not found: no-such-program' <<<"$out"; check command-not-found $? "rc=$rc out=$out"

mkdir -p "$tmp/share"
cat > "$tmp/share/script.ion" <<'ION'
let total = 0
for n in @args[1..]
    let total += $n
end
echo "sum $total"
fn shout word
    echo $word | cat
end
shout "from a function"
ION
out="$(boot --share "$tmp/share" --exec 'ion /scheme/host/script.ion 1 2 3' )"; rc=$?
[ $rc = 0 ] && [ "$out" = "$(printf 'sum 6\nfrom a function')" ]; check share-script $? "rc=$rc out=$out"

printf '#!/usr/bin/ion\necho shebang @args[1]\n' > "$tmp/share/run.ion"; chmod +x "$tmp/share/run.ion"
out="$(boot --share "$tmp/share" --exec '/scheme/host/run.ion ok' )"; rc=$?
[ $rc = 0 ] && [ "$out" = "shebang ok" ]; check shebang $? "rc=$rc out=$out"

# 200 KiB through a pipe into a program: more than the pipe scheme buffers.
head -c 204800 /dev/zero | tr '\0' x > "$tmp/share/big"
out="$(boot --share "$tmp/share" --exec "ion -c 'let s = \$(cat /scheme/host/big); echo \$s | cat > /scheme/host/copy'" )"; rc=$?
[ $rc = 0 ] && [ "$(wc -c < "$tmp/share/copy" 2>/dev/null)" = 204801 ]; check large-input $? "rc=$rc out=$out size=$(wc -c < "$tmp/share/copy" 2>/dev/null)"

out="$(printf 'echo hi from the console\nlet x = 4\necho $((x * 2))\nexit 5\n' | boot )"; rc=$?
[ $rc = 5 ] && grep -q 'hi from the console$' <<<"$out" && grep -q '8$' <<<"$out"; check console $? "rc=$rc out=$out"

out="$(printf 'for i in 1..=2\necho line $i\nend\n' | boot )"; rc=$?
[ $rc = 0 ] && grep -q 'line 1$' <<<"$out" && grep -q 'line 2$' <<<"$out"; check console-block-and-eof $? "rc=$rc out=$out"

# On a host terminal (a pty here) Ctrl-C ends the foreground program, not the shell.
if command -v python3 >/dev/null; then
  out="$(python3 "$(dirname "$0")/ion_console_pty.py" "$SIM" 2>&1)"; rc=$?
  [ $rc = 0 ]; check console-ctrl-c $? "$out"
else
  echo "skip console-ctrl-c: python3 is not installed"
fi

finish
