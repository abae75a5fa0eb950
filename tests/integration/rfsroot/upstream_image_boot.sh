#!/usr/bin/env bash
# An image written by the upstream RedoxFS tools (../shared fixtures) served by the
# redoxfs daemon inside a sim (as /scheme/upfs, beside the RedoxFS root): the sim reads
# the upstream files byte for byte (checked against the fixture's manifest), writes to
# the image, and the image stays readable and fsck-clean on the host; then the same
# through a sim path (the image in the --share directory, /scheme/host/...).
# Usage: upstream_image_boot.sh REDOX_SIM SHARED_DIR
set -u
SIM="$1" SHARED="$2"
fix="$SHARED/fixtures/redoxfs"
if [ ! -f "$fix/ar-tree.img.zst" ] || [ ! -f "$fix/tree.manifest" ]; then
  echo "SKIP: RedoxFS fixtures not found in $fix"; exit 77
fi
if ! command -v zstd >/dev/null; then echo "SKIP: zstd is not installed"; exit 77; fi
pass=0 failn=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
check() { # NAME CONDITION-RESULT DETAIL
  if [ "$2" = 0 ]; then pass=$((pass+1)); echo "ok   $1"; else failn=$((failn+1)); echo "FAIL $1: $3"; fi
}
manifest_sum() { awk -v p="$1" '$5 == p { print $4 }' "$fix/tree.manifest"; }

zstd -q -d -o "$tmp/up.img" "$fix/ar-tree.img.zst"
mkdir -p "$tmp/share"
files="compressible.txt big.bin block4097.bin empty.txt dir1/dir2/dir3/deep.txt"
cmds=(--exec "simtest mount-image $tmp/up.img")
for f in $files; do cmds+=(--exec "cat /scheme/upfs/$f > /scheme/host/${f//\//_}"); done
cmds+=(--exec "cat /scheme/upfs/link_to_hello > /scheme/host/via_link")
cmds+=(--exec "ls /scheme/upfs/manydir > /scheme/host/manydir.list")
cmds+=(--exec "echo written in the sim > /scheme/upfs/dir1/new.txt")
out="$(timeout 120 "$SIM" boot --log-level quiet --timeout 100 --share "$tmp/share" "${cmds[@]}" 2>&1)"; rc=$?
check boot $rc "rc=$rc out=$out"

for f in $files; do
  got="$(sha256sum < "$tmp/share/${f//\//_}" 2>/dev/null | cut -d' ' -f1)"
  [ "$got" = "$(manifest_sum "$f")" ]; check "read-$f" $? "sha256 $got, manifest $(manifest_sum "$f")"
done
got="$(sha256sum < "$tmp/share/via_link" 2>/dev/null | cut -d' ' -f1)"
[ "$got" = "$(manifest_sum dir1/hello.txt)" ]; check read-through-upstream-symlink $? "sha256 $got"
want="$(awk '$5 ~ /^manydir\// {n++} END {print n}' "$fix/tree.manifest")"
got="$(grep -c '^file_' "$tmp/share/manydir.list" 2>/dev/null)"
[ "$got" = "$want" ]; check list-upstream-dir $? "want $want entries, got $got"

out="$("$SIM" fs cat "$tmp/up.img" /dir1/new.txt 2>&1)"; rc=$?
[ $rc = 0 ] && [ "$out" = "written in the sim" ]; check write-reached-image $? "rc=$rc out=$out"
out="$("$SIM" fsck "$tmp/up.img" 2>&1)"; rc=$?
[ $rc = 0 ]; check fsck-clean $? "rc=$rc out=$out"

# The same daemon on an image reached through a sim path (the host share).
zstd -q -d -o "$tmp/share/via-share.img" "$fix/ar-tree.img.zst"
out="$(timeout 120 "$SIM" boot --log-level quiet --timeout 100 --share "$tmp/share" \
  --exec "simtest mount-image /scheme/host/via-share.img" \
  --exec "cat /scheme/upfs/compressible.txt > /scheme/host/via-share.txt" \
  --exec "echo through the share > /scheme/upfs/new.txt" 2>&1)"; rc=$?
got="$(sha256sum < "$tmp/share/via-share.txt" 2>/dev/null | cut -d' ' -f1)"
[ $rc = 0 ] && [ "$got" = "$(manifest_sum compressible.txt)" ]; check sim-path-image-read $? "rc=$rc sha256 $got out=$out"
out="$("$SIM" fs cat "$tmp/share/via-share.img" /new.txt 2>&1)"; rc=$?
[ $rc = 0 ] && [ "$out" = "through the share" ]; check sim-path-image-write $? "rc=$rc out=$out"
out="$("$SIM" fsck "$tmp/share/via-share.img" 2>&1)"; rc=$?
[ $rc = 0 ]; check sim-path-image-fsck $? "rc=$rc out=$out"

echo "$pass passed, $failn failed"
[ $failn = 0 ]
