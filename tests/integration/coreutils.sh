#!/usr/bin/env bash
# Coreutils scenarios: boot the minimal config, run command sequences, and
# compare the console output with golden files (UPDATE_GOLDEN=1 rewrites them). Inputs come from the host
# through --share. Without /usr/bin/ion the --exec lines run without a shell,
# so the pipe scenario runs only when the shell is installed.
set -u
SIM="$1"
GOLDEN="$(dirname "$0")/golden"
[ -d "$GOLDEN" ] || { echo "SKIP: golden files missing ($GOLDEN)"; exit 77; }
pass=0 failn=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

boot() { timeout 90 "$SIM" boot --config minimal --log-level quiet --timeout 80 --share "$tmp/share" "$@" 2>&1 |
         grep -v -e '^redox-sim: '; }
# NAME GOLDEN-FILE EXEC-LINES...: the console output must equal the golden file.
scenario() {
  local name="$1" golden="$GOLDEN/$2"; shift 2
  local args=()
  for line in "$@"; do args+=(--exec "$line"); done
  boot "${args[@]}" > "$tmp/$name.out"
  [ -n "${UPDATE_GOLDEN:-}" ] && cp "$tmp/$name.out" "$golden"
  if diff -u "$golden" "$tmp/$name.out" > "$tmp/$name.diff"; then
    pass=$((pass+1)); echo "ok   $name"
  else
    failn=$((failn+1)); echo "FAIL $name:"; cat "$tmp/$name.diff"
  fi
}
check() { # NAME CONDITION-RESULT DETAIL
  if [ "$2" = 0 ]; then pass=$((pass+1)); echo "ok   $1"; else failn=$((failn+1)); echo "FAIL $1: $3"; fi
}

mkdir -p "$tmp/share"
printf 'banana 3\napple 10\ncherry 2\napple 10\ndate 7\n' > "$tmp/share/fruit.txt"
printf 'root;0;0;root;/root;/usr/bin/ion\nuser;1000;1000;user;/home/user;/usr/bin/ion\n' > "$tmp/share/accounts.txt"
printf 'one two three\nfour five\n\nsix\n' > "$tmp/share/words.txt"

scenario text coreutils-text.txt \
  'cat -n /scheme/host/words.txt' \
  'head -n 2 /scheme/host/fruit.txt' \
  'tail -n 2 /scheme/host/fruit.txt' \
  'tail -n +4 /scheme/host/fruit.txt' \
  'head -c 5 /scheme/host/words.txt' \
  'echo' \
  'head -3 /scheme/host/fruit.txt' \
  'tail -1 /scheme/host/fruit.txt' \
  'printf "%s-%03d|%x|%5.2f|%c%%\n" a 7 255 3.14159 xyz' \
  'printf "<%s>\n" one two' \
  'readlink /bin' \
  'wc /scheme/host/words.txt /scheme/host/fruit.txt' \
  'wc -l /scheme/host/fruit.txt' \
  'grep -n apple /scheme/host/fruit.txt' \
  'grep -c -v apple /scheme/host/fruit.txt' \
  "grep -i -E '^(BAN|CHE)' /scheme/host/fruit.txt" \
  "grep 'apple 1\\|^d' /scheme/host/fruit.txt" \
  "grep -v 'an\\+a' /scheme/host/fruit.txt" \
  'sort /scheme/host/fruit.txt' \
  'sort -k 2 -n -r /scheme/host/fruit.txt' \
  'sort -u /scheme/host/fruit.txt' \
  "sort -t ';' -k 3 -n -o /tmp/sorted /scheme/host/accounts.txt" \
  'cat /tmp/sorted' \
  'uniq -c /tmp/sorted' \
  "cut -d ';' -f 1,5 /scheme/host/accounts.txt" \
  'cut -c 1-4 /scheme/host/fruit.txt' \
  'seq 3' \
  'seq -s , 2 2 10' \
  'seq -w 8 11' \
  'basename /usr/bin/ls' \
  'dirname /usr/bin/ls'

scenario files coreutils-files.txt \
  'mkdir -p /tmp/w/a/b' \
  'mkdir -m 700 /tmp/w/private' \
  'cp /scheme/host/fruit.txt /tmp/w/a/fruit' \
  'cp -r /tmp/w/a /tmp/w/copy' \
  'mv /tmp/w/copy/fruit /tmp/w/copy/moved' \
  'ln -s moved /tmp/w/copy/link' \
  'ln /tmp/w/copy/moved /tmp/w/copy/hard' \
  'find /tmp/w' \
  "find /tmp/w -type f -name 'f*'" \
  'find /tmp/w -maxdepth 1 -type d' \
  'cat /tmp/w/copy/link' \
  'stat -c %h:%s:%F /tmp/w/copy/hard' \
  'stat -c %F /tmp/w/copy/link' \
  'stat -c %N /tmp/w/copy/link /dev/null' \
  'chmod 640 /tmp/w/copy/moved' \
  'chmod u+x,o+r /tmp/w/copy/moved' \
  'chown user:sudo /tmp/w/copy/moved' \
  "touch -d '@0' /tmp/w/copy/moved /tmp/w/new" \
  'ls -l /tmp/w/copy/moved /tmp/w/new' \
  'stat -c %a:%A:%U:%G:%s /tmp/w/private /tmp/w/new' \
  'du -b -s /tmp/w/a' \
  'rm /tmp/w/copy/hard' \
  'rmdir /tmp/w/a/b' \
  'ls -R /tmp/w' \
  'rm -r /tmp/w/copy /tmp/w/private' \
  'rm -f /tmp/w/none' \
  'ls -a /tmp/w'

scenario system coreutils-system.txt \
  'id' \
  'id user' \
  'id -un' \
  'whoami' \
  'hostname' \
  'uname -a' \
  'uname -s -m' \
  "date -d '@86400' +%Y-%m-%d_%H:%M:%S_%Z" \
  'which ls' \
  'env -i A=1 B=2 env'

# Live figures: check their shape and that they are real numbers.
out="$(boot --exec 'ps aux' --exec 'free' --exec 'df' --exec 'dmesg')"
grep -qE '^root +1 +0 +1 +R +[0-9]+:[0-9]{2} init$' <<<"$out" &&
  grep -qE '^root +[0-9]+ +[0-9]+ +[0-9]+ +R .* ps aux$' <<<"$out"; check ps-aux $? "$out"
mem="$(grep '^Mem:' <<<"$out")"
read -r _ total used free _ <<<"$mem"
[ -n "$total" ] && [ "$total" -gt 0 ] && [ $((used + free)) = "$total" ]; check free $? "$mem"
grep -qE '^file +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+% /$' <<<"$out"; check df $? "$out"
grep -q 'spawn pid 1 (init)' <<<"$out"; check dmesg $? "$out"

out="$(boot --exec 'top -b -n 2 -d 0.2')"
[ "$(grep -c '^top - .* up [0-9]*:[0-9][0-9]:[0-9][0-9], [0-9]* processes$' <<<"$out")" = 2 ] &&
  grep -qE '^ +1 root +R +[0-9]+\.[0-9] .* init$' <<<"$out" && grep -q '^KiB Mem: [0-9]* total' <<<"$out"; check top $? "$out"

# shutdown stops the sim at once: status 0 and nothing after it runs.
timeout 60 "$SIM" boot --config minimal --log-level quiet --timeout 50 --exec 'shutdown' --exec 'echo not reached' > "$tmp/sd.out" 2>&1; rc=$?
[ $rc = 0 ] && ! grep -q 'not reached' "$tmp/sd.out"; check shutdown $? "rc=$rc out=$(cat "$tmp/sd.out")"

# Bad input: one clear line on stderr and a non-zero status.
for cmd in 'ls --bogus' 'head -n x /etc/hostname' 'cp /etc/hostname' 'kill -NOPE 1' 'chmod 9z9 /tmp' \
           'cat /no/such/file' 'rmdir /etc' 'printf' 'printf %q x'; do
  timeout 60 "$SIM" boot --config minimal --log-level quiet --timeout 50 --exec "$cmd" > "$tmp/bad.out" 2>&1; rc=$?
  out="$(grep -v -e '^redox-sim: ' -e '^kernel: ' "$tmp/bad.out")"
  [ $rc != 0 ] && [ $rc != 124 ] && [ "$(wc -l <<<"$out")" = 1 ] && [ -n "$out" ]; check "bad-input: $cmd" $? "rc=$rc out=$out"
done

# The pipe scenario needs the shell.
if boot --exec 'ls /usr/bin' | grep -qx ion; then
  scenario pipes coreutils-pipes.txt \
    "ion -c 'cat /scheme/host/fruit.txt | sort | uniq -c | sort -n -r -k 1'" \
    "ion -c 'seq 10 | grep 1 | wc -l'" \
    "ion -c 'echo hello world | tr a-z A-Z | tee /tmp/tee.out'" \
    'cat /tmp/tee.out' \
    "ion -c 'seq 4 | xargs -n 2 echo pair'" \
    "ion -c 'find /scheme/host -name \"*.txt\" | sort | xargs wc -l'" \
    "ion -c 'echo a b c | tr -d b'" \
    "ion -c 'seq 5 | tail -n 1'" \
    "ion -c 'head -c 16 /scheme/rand | wc -c'" \
    "ion -c 'cat /scheme/zero | head -c 100000 | wc -c'" \
    "ion -c 'yes redox | head -n 2'"
else
  echo "skip pipes: /usr/bin/ion is not installed in this build"
fi

echo "$pass passed, $failn failed"
[ $failn = 0 ]
