#!/usr/bin/env bash
# Encrypted roots: a config with general.encrypt_disk boots from an encrypted cached
# image that holds no plaintext (nor the password, in the image or its name), reads
# back with the host tools and the password, and only root in the sim may read the
# password redoxfs was handed. `--image` boots an encrypted image with
# --password-file; a wrong or missing password is one line and a non-zero exit.
# Usage: encrypted_root.sh REDOX_SIM SIMTEST_EXE COREUTILS_EXE
set -u
SIM="$1" SIMTEST="$2" COREUTILS="$3"
. "$(dirname "$0")/../lib.sh"
export XDG_CACHE_HOME="$tmp/cache"
cache="$XDG_CACHE_HOME/redox-sim"

boot() { timeout 120 "$SIM" boot --log-level quiet --timeout 100 "$@" </dev/null; }
images() { ls "$cache" 2>/dev/null | grep -c '^root-.*\.img$'; }
one_line() { [ "$(wc -l <<<"$1")" = 1 ]; }

marker="plaintext-marker-$RANDOM$RANDOM"
printf 'include = ["minimal.toml"]\n[general]\nencrypt_disk = "pw-%s"\n[[files]]\npath = "/etc/marker"\ndata = "%s"\n' \
  "$marker" "$marker" > "$tmp/enc.toml"
printf 'pw-%s\n' "$marker" > "$tmp/pw"
printf 'not-it\n' > "$tmp/wrong"

out="$(boot --config "$tmp/enc.toml" --exec 'cat /etc/marker' --exec 'ps' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -q "$marker" <<<"$out" && grep -q ' redoxfs$' <<<"$out" && [ "$(images)" = 1 ]
check encrypted-config-boots $? "rc=$rc images=$(images) out=$out"

img="$(ls "$cache"/root-*.img 2>/dev/null | head -1)"
# Neither the file's bytes nor the password (which contains the marker) are anywhere
# in the cache: not in the image, the password memo or the file names.
leaks="$(grep -rla -- "$marker" "$cache" 2>/dev/null; ls "$cache" | grep -- "$marker")"
[ -n "$img" ] && [ -z "$leaks" ]; check cache-holds-no-plaintext $? "img=$img leaks=$leaks"


out="$("$SIM" fs ls "$img" /etc --password-file "$tmp/pw" 2>&1)"; rc=$?
[ $rc = 0 ] && grep -q ' marker$' <<<"$out"; check fs-ls-with-password $? "rc=$rc out=$out"
out="$("$SIM" fs cat "$img" /etc/marker --password-file "$tmp/pw" 2>&1)"; rc=$?
[ $rc = 0 ] && [ "$out" = "$marker" ]; check fs-cat-with-password $? "rc=$rc out=$out"
out="$("$SIM" fsck "$img" --password-file "$tmp/pw" 2>&1)"; rc=$?
[ $rc = 0 ] && grep -q '0 errors' <<<"$out"; check fsck-with-password $? "rc=$rc out=$out"

out="$("$SIM" fs ls "$img" --password-file "$tmp/wrong" 2>&1)"; rc=$?
[ $rc != 0 ] && one_line "$out" && grep -q 'wrong password' <<<"$out"; check fs-ls-wrong-password $? "rc=$rc out=$out"
out="$("$SIM" fs ls "$img" 2>&1 </dev/null)"; rc=$?
[ $rc != 0 ] && one_line "$out" && grep -q 'encrypted' <<<"$out"; check fs-ls-no-password $? "rc=$rc out=$out"

# The second boot reuses the cached image; the password reaches redoxfs in initfs,
# readable by root only.
out="$(boot --config "$tmp/enc.toml" --exec 'cat /etc/marker' \
  --exec '/scheme/initfs/bin/su user -c "cat /scheme/initfs/etc/redoxfs.password"' 2>&1)"; rc=$?
[ "$(images)" = 1 ] && [ -e "$img" ] && grep -q "$marker" <<<"$out"
check encrypted-image-cached $? "rc=$rc images=$(images) out=$out"
[ $rc != 0 ] && grep -q 'Permission denied' <<<"$out" && [ "$(grep -c -- "$marker" <<<"$out")" = 1 ]
check password-root-only $? "rc=$rc out=$out"

# A changed password makes a new image (the old one still opens only with the old).
sed -i 's/^encrypt_disk = .*/encrypt_disk = "another"/' "$tmp/enc.toml"
out="$(boot --config "$tmp/enc.toml" --exec 'cat /etc/marker' 2>&1)"; rc=$?
new="$(ls -t "$cache"/root-*.img | head -1)"
printf 'another\n' > "$tmp/pw2"
[ $rc = 0 ] && [ "$(images)" = 2 ] && [ "$new" != "$img" ] && "$SIM" fs ls "$new" --password-file "$tmp/pw2" >/dev/null 2>&1
check new-password-new-image $? "rc=$rc images=$(images) out=$out"

# --image: an encrypted image made with fs ar --encrypt, booted twice.
tree="$tmp/tree"
mkdir -p "$tree/usr/bin" "$tree/etc" "$tree/tmp" "$tree/root"
chmod 1777 "$tree/tmp"
cp "$SIMTEST" "$tree/usr/bin/simtest"
cp "$COREUTILS" "$tree/usr/bin/coreutils"
for c in echo cat ls true; do ln -s coreutils "$tree/usr/bin/$c"; done
echo "$marker" > "$tree/etc/hostname"
out="$("$SIM" fs ar "$tmp/enc.img" "$tree" --size 64M --encrypt --password-file "$tmp/pw" 2>&1)"; rc=$?
[ $rc = 0 ] && ! grep -qa -- "$marker" "$tmp/enc.img"; check fs-ar-encrypted $? "rc=$rc out=$out"

out="$(boot --image "$tmp/enc.img" --password-file "$tmp/pw" --exec 'cat /etc/hostname' --exec 'simtest persist-write' 2>&1)"
rc=$?
[ $rc = 0 ] && grep -qx -- "$marker" <<<"$out"; check image-boot-encrypted $? "rc=$rc out=$out"
out="$(boot --image "$tmp/enc.img" --password-file "$tmp/pw" --exec 'simtest persist-check' 2>&1)"; rc=$?
[ $rc = 0 ] && grep -qx 'ok persist-check' <<<"$out"; check image-encrypted-persists $? "rc=$rc out=$out"
out="$("$SIM" fsck "$tmp/enc.img" --password-file "$tmp/pw" 2>&1)"; rc=$?
[ $rc = 0 ] && ! grep -qa 'written last' "$tmp/enc.img"; check image-encrypted-fsck $? "rc=$rc out=$out"

out="$(boot --image "$tmp/enc.img" --password-file "$tmp/wrong" --exec true 2>&1)"; rc=$?
[ $rc != 0 ] && one_line "$out" && grep -q 'wrong password' <<<"$out" && grep -q 'enc.img' <<<"$out"
check image-wrong-password $? "rc=$rc out=$out"
out="$(boot --image "$tmp/enc.img" --exec true 2>&1)"; rc=$?
[ $rc != 0 ] && one_line "$out" && grep -q 'password-file' <<<"$out"; check image-no-password $? "rc=$rc out=$out"
out="$(boot --password-file "$tmp/pw" --exec true 2>&1)"; rc=$?
[ $rc != 0 ] && one_line "$out"; check password-file-without-image $? "rc=$rc out=$out"

finish
