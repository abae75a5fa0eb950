#!/usr/bin/env bash
# Builds the parser fuzz target with clang (g++ has no libFuzzer) and runs it
# briefly. Usage: fuzz-parser.sh SOURCE_ROOT SHARED_DIR [SECONDS]
# Exit 77 (skipped) when no clang with libFuzzer is installed.
set -u
root=$1
shared=$2
secs=${3:-20}
cxx=""
for c in clang++-16 clang++-15 clang++-14 clang++; do
    if command -v "$c" >/dev/null 2>&1; then cxx=$c; break; fi
done
if [ -z "$cxx" ]; then
    echo "SKIP: no clang++ found (the fuzzer needs clang's libFuzzer)"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ion-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
# Probe that this clang has the libFuzzer runtime before blaming the parser.
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long){return 0;}\n' >"$work/probe.cpp"
if ! "$cxx" -fsanitize=fuzzer "$work/probe.cpp" -o "$work/probe" 2>/dev/null; then
    echo "SKIP: $cxx has no libFuzzer runtime (install libclang-rt-14-dev)"
    exit 77
fi
if ! "$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I "$root/src" "$root/tests/unit/ion/fuzz_parser.cpp" "$root/src/ion/lexer.cpp" \
        "$root/src/ion/parser.cpp" -o "$work/fuzz"; then
    echo "FAIL: the parser does not build with $cxx"
    exit 1
fi
mkdir -p "$work/corpus"
if [ -d "$shared/conformance/ion/cases" ]; then
    cp "$shared"/conformance/ion/cases/*.ion "$work/corpus/" 2>/dev/null
fi
printf 'if a\n  echo "x $y" | b && c\nend\n' >"$work/corpus/seed.ion"
cd "$work" || exit 1
"$work/fuzz" -max_total_time="$secs" -max_len=4096 -timeout=5 -rss_limit_mb=1024 \
    -print_final_stats=1 "$work/corpus" 2>&1 | tail -n 12
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    echo "FAIL: the fuzzer found a crash (exit $status)"
    exit 1
fi
echo "PASS: no crash in ${secs}s"
