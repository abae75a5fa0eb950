#!/usr/bin/env bash
# Booting on RedoxFS, checked from the outside: the default root is a cached image
# that stays pristine, `--image` boots an image made by `redox-sim mkfs` + `fs ar`
# and keeps what the sim writes across boots, `--root ramfs` still works, bad images
# and options give one clear line.
# Usage: rootfs_boot.sh REDOX_SIM SIMTEST_EXE COREUTILS_EXE
set -u
SIM="$1" SIMTEST="$2" COREUTILS="$3"
. "$(dirname "$0")/../lib.sh"
export XDG_CACHE_HOME="$tmp/cache"

boot() { timeout 120 "$SIM" boot --log-level quiet --timeout 100 "$@"; }
images() { ls "$XDG_CACHE_HOME/redox-sim" 2>/dev/null | grep -c '^root-.*\.img$'; }

# The default root: RedoxFS from a cached image built on first use.
out="$(boot --exec 'ps' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -q ' redoxfs$' <<<"$out" && ! grep -q ' ramfs$' <<<"$out" && [ "$(images)" = 1 ]
check default-root-is-redoxfs $? "rc=$rc images=$(images) out=$out"

img="$(ls "$XDG_CACHE_HOME"/redox-sim/root-*.img 2>/dev/null | head -1)"
sum_before="$(sha256sum "$img" 2>/dev/null | cut -d' ' -f1)"
out="$(boot --exec 'simtest persist-write' 2>&1)"; rc=$?
sum_after="$(sha256sum "$img" 2>/dev/null | cut -d' ' -f1)"
[ $rc = 0 ] && [ -n "$sum_before" ] && [ "$sum_before" = "$sum_after" ] && [ "$(images)" = 1 ]
check cached-image-pristine $? "rc=$rc before=$sum_before after=$sum_after images=$(images) out=$out"

out="$(boot --exec 'simtest persist-absent' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qx 'ok persist-absent' <<<"$out"; check fresh-copy-each-boot $? "rc=$rc out=$out"

out="$("$SIM" fsck "$img" 2>&1)"; rc=$?
[ $rc = 0 ]; check cached-image-fsck $? "rc=$rc out=$out"

out="$(boot --root ramfs --exec 'ps' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -q ' ramfs$' <<<"$out" && ! grep -q ' redoxfs$' <<<"$out"; check root-ramfs $? "rc=$rc out=$out"

# --image: an image made with mkfs + fs ar, booted twice.
tree="$tmp/tree"
mkdir -p "$tree/usr/bin" "$tree/etc" "$tree/tmp" "$tree/root"
chmod 1777 "$tree/tmp"
cp "$SIMTEST" "$tree/usr/bin/simtest"
cp "$COREUTILS" "$tree/usr/bin/coreutils"
for c in echo cat ls true; do ln -s coreutils "$tree/usr/bin/$c"; done
echo redox > "$tree/etc/hostname"
"$SIM" mkfs "$tmp/own.img" --size 64M >/dev/null 2>&1 && "$SIM" fs ar "$tmp/own.img" "$tree" >/dev/null 2>&1
check mkfs-and-ar $? "could not make the image"

out="$(boot --image "$tmp/own.img" --exec 'cat /etc/hostname' --exec 'simtest persist-write' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qx redox <<<"$out"; check image-boot $? "rc=$rc out=$out"

out="$(boot --image "$tmp/own.img" --exec 'simtest persist-check' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qx 'ok persist-check' <<<"$out"; check image-persists $? "rc=$rc out=$out"

out="$("$SIM" fs cat "$tmp/own.img" /persist/late 2>&1)"; rc=$?
[ $rc = 0 ] && [ "$out" = "written last" ]; check image-readable-on-host $? "rc=$rc out=$out"

out="$("$SIM" fsck "$tmp/own.img" 2>&1)"; rc=$?
[ $rc = 0 ]; check image-fsck-after-boots $? "rc=$rc out=$out"

# A full disk: ENOSPC, the space comes back after unlink, the image stays consistent.
out="$(boot --image "$tmp/own.img" --exec 'simtest rootfs-full' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qx 'ok rootfs-full' <<<"$out"; check image-full $? "rc=$rc out=$out"
out="$("$SIM" fsck "$tmp/own.img" 2>&1)"; rc=$?
[ $rc = 0 ]; check image-fsck-after-full $? "rc=$rc out=$out"
# A small cached root: what the programs of this build take (much more in a
# sanitized build) plus 48 MiB to fill.
used_kb="$(boot --exec 'df' 2>/dev/null | awk '$NF == "/" {print $3}')"
small=$(( ${used_kb:-65536} / 1024 + 48 ))
printf 'include = ["minimal.toml"]\n[general]\nfilesystem_size = %d\n' "$small" > "$tmp/s64.toml"
out="$(boot --config "$tmp/s64.toml" --exec 'simtest rootfs-full' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qx 'ok rootfs-full' <<<"$out"; check cached-root-full $? "rc=$rc out=$out"

# An image in use (as a running boot holds it) is refused, not served twice.
flock "$tmp/own.img" sleep 60 & holder=$!
sleep 0.5
out="$("$SIM" boot --image "$tmp/own.img" 2>&1)"; rc=$?
kill $holder 2>/dev/null; wait $holder 2>/dev/null
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'in use' <<<"$out"; check image-in-use $? "rc=$rc out=$out"

# Bad input: one line, non-zero exit, nothing booted.
out="$("$SIM" boot --image "$tmp/missing.img" 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'missing.img' <<<"$out"; check image-missing $? "rc=$rc out=$out"

head -c 2000000 /dev/urandom > "$tmp/garbage.img"
out="$("$SIM" boot --image "$tmp/garbage.img" 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'garbage.img' <<<"$out"; check image-garbage $? "rc=$rc out=$out"

# A size too small for this build's programs: the root grows to hold them, as
# the ramfs root does, and leaves no half-built image in the cache.
printf 'include = ["minimal.toml"]\n[general]\nfilesystem_size = 8\n' > "$tmp/small.toml"
out="$(boot --config "$tmp/small.toml" --exec 'df' 2>&1)"; rc=$?
size_kb="$(awk '$NF == "/" {print $2}' <<<"$out")"
[ $rc = 0 ] && [ "${size_kb:-0}" -gt $((16 * 1024)) ] && ! ls "$XDG_CACHE_HOME"/redox-sim/*.tmp* >/dev/null 2>&1
check root-grows-for-programs $? "rc=$rc out=$out"

out="$("$SIM" boot --root nfs 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'nfs' <<<"$out"; check root-bad $? "rc=$rc out=$out"

out="$("$SIM" boot --root ramfs --image "$tmp/own.img" 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ]; check image-with-ramfs $? "rc=$rc out=$out"

finish
