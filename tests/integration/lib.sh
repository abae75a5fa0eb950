# Shared by the integration scripts (source it): a scratch directory $tmp that
# goes away at exit, check NAME STATUS DETAIL, and finish for the summary line
# and the exit status.
pass=0 failn=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

check() { # NAME CONDITION-RESULT DETAIL
  if [ "$2" = 0 ]; then pass=$((pass+1)); echo "ok   $1"; else failn=$((failn+1)); echo "FAIL $1: $3"; fi
}

finish() {
  echo "$pass passed, $failn failed"
  [ $failn = 0 ]
}
