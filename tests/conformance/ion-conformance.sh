#!/usr/bin/env bash
# Runs the upstream Ion conformance cases (../shared/conformance/ion) against
# `redox-sim ion`. Usage: ion-conformance.sh SHARED_DIR REDOX_SIM [FILTER]
# Exit 77 (meson: skipped) when the shared cases are not present.
set -u
shared=$1
exe=$2
filter=${3-}
runner="$shared/conformance/ion/run.sh"
if [ ! -f "$runner" ]; then
    echo "SKIP: no Ion conformance suite at $runner (../shared is absent)"
    exit 77
fi
if ! command -v timeout >/dev/null 2>&1; then
    echo "SKIP: GNU timeout is required by run.sh"
    exit 77
fi
# The cases run under ASan in the test build; leaks at exit are not what
# the suite checks, and the report would corrupt the compared output.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ION_CONF_TIMEOUT="${ION_CONF_TIMEOUT:-20}"
out="$(bash "$runner" "$(printf '%q' "$exe") ion" $filter 2>&1)"
rc=$?
echo "$out"
# Known failures: `exists --help` and `ion -h` compare against upstream's help
# text verbatim, which this project may not copy. Any other failure fails.
unexpected="$(grep '^FAIL ' <<<"$out" | grep -vE '^FAIL (exists|help):')"
if [ -n "$unexpected" ]; then
    echo "unexpected failures:"; echo "$unexpected"
    exit 1
fi
grep -qE '^[0-9]+ passed' <<<"$out" || { echo "no summary from run.sh (exit $rc)"; exit 1; }
exit 0
