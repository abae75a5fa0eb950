#!/usr/bin/env bash
# PCI drivers in the sim against the device models: pcid lists the functions,
# pcid-spawner starts the matching drivers, disk (with a GPT partition)/network/usb schemes work end to
# end (host endpoints in host_endpoints.py), a device fault is one log line and EIO
# while the sim runs on, a malformed pcid.d file is named by file:line, and RedoxFS
# boots as the root from an NVMe and from an AHCI disk.
# usage: drivers.sh REDOX_SIM COREUTILS
SIM="$1" COREUTILS="$2"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../lib.sh"
export XDG_CACHE_HOME="${XDG_CACHE_HOME:-$tmp/cache}"
boot() { timeout 120 "$SIM" boot --timeout 90 "$@"; }

# Bad input: one line, non-zero exit, no boot.
out="$("$SIM" boot --device nvme 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'nvme needs a disk image' <<<"$out"
check device-needs-image $? "rc=$rc out=$out"
out="$("$SIM" boot --vfio 0000:7f:1f.7 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q '0000:7f:1f.7' <<<"$out"
check vfio-preflight-one-line $? "rc=$rc out=$out"

# One sim with all four models.
mkdir -p "$tmp/share"
truncate -s 1M "$tmp/fault.img" "$tmp/ahci.img"
printf 'nvme-sector-0' | dd of="$tmp/fault.img" conv=notrunc status=none
python3 "$here/make_gpt.py" "$tmp/ahci.img" 64 2000  # one partition: 1937 sectors
python3 -c "
f = bytes.fromhex('ffffffffffff') + bytes.fromhex('525400123456') + b'\x88\xb5' + b'ping' + bytes(46)
open('$tmp/share/frame.bin', 'wb').write(f)"
python3 "$here/host_endpoints.py" "$tmp/net.sock" "$tmp/kbd.sock" "$tmp/share" 2>"$tmp/endpoints.log" &
endpoints=$!
for _ in $(seq 50); do [ -e "$tmp/share/endpoints.ready" ] && break; sleep 0.1; done
net=/scheme/network.pci-00-04.0
out="$(boot --share "$tmp/share" \
  --device "nvme=$tmp/fault.img,remove-after=2" --device "ahci=$tmp/ahci.img" \
  --device "e1000=$tmp/net.sock" --device "xhci=$tmp/kbd.sock" \
  --exec 'ls /scheme/pci' --exec 'ls /scheme' --exec 'ps' \
  --exec 'echo written-through-ahcid > /scheme/disk.pci-00-03.0/0' \
  --exec 'echo in-partition > /scheme/disk.pci-00-03.0/0p0' --exec 'ls -l /scheme/disk.pci-00-03.0' \
  --exec "netframe mac $net" --exec "netframe send $net /scheme/host/frame.bin" \
  --exec "netframe recv $net /scheme/host/reply.bin" \
  --exec 'cat /scheme/usb.pci-00-05.0/port1/descriptors' --exec 'cat /scheme/usb.pci-00-05.0/port2/descriptors' \
  --exec 'inputdump 8' \
  --exec 'cat /scheme/sys/irq' \
  --exec 'cat /scheme/disk.pci-00-02.0/0 > /scheme/null || echo nvme-read-failed' \
  --exec 'cat /scheme/disk.pci-00-02.0/0 > /scheme/null || echo nvme-read-failed-again' \
  --exec 'echo sim-still-running' \
  --exec "echo '[[drivers]' > /etc/pcid.d/broken.toml" --exec 'pcid-spawner' 2>&1)"; rc=$?
kill $endpoints 2>/dev/null; wait $endpoints 2>/dev/null

[ "$(grep -c '^0000--00--0[2-5].0$' <<<"$out")" = 4 ]; check pcid-lists-functions $? "out=$out"
for s in disk.pci-00-02.0 disk.pci-00-03.0 network.pci-00-04.0 usb.pci-00-05.0; do
  grep -qx "$s" <<<"$out"; check "scheme-$s" $? "out=$out"
done
for d in nvmed ahcid e1000d xhcid usbhidd; do
  grep -q " $d\( \|$\)" <<<"$out"; check "process-$d" $? "out=$out"
done
grep -q 'pcid-spawner: 0000--00--02.0: started /scheme/initfs/bin/nvmed' <<<"$out" &&
  grep -q 'pcid-spawner: 0000--00--04.0: started /usr/lib/drivers/e1000d' <<<"$out" &&
  grep -q 'pcid-spawner: 0000--00--05.0: started /usr/lib/drivers/xhcid' <<<"$out"
check spawner-initfs-then-root $? "out=$out"
[ "$(head -c 21 "$tmp/ahci.img")" = written-through-ahcid ]; check ahci-write-reaches-image $? "image=$(head -c 32 "$tmp/ahci.img" | od -c | head -2)"
grep -q ' 1048576 .* 0$' <<<"$out" && grep -q ' 991744 .* 0p0$' <<<"$out"; check disk-and-partition-sizes $? "out=$out"
[ "$(dd if="$tmp/ahci.img" bs=512 skip=64 count=1 status=none | head -c 12)" = in-partition ]
check gpt-partition-write-lands-at-its-offset $? "sector 64: $(dd if="$tmp/ahci.img" bs=512 skip=64 count=1 status=none | od -c | head -2)"
grep -q 'e1000d network.pci-00-04.0: MAC 52:54:00:12:34:56, link up' <<<"$out" && grep -qx '52:54:00:12:34:56' <<<"$out"
check e1000-mac-link $? "out=$out"
cmp -s "$tmp/share/frame.bin" "$tmp/share/sent.bin"; check e1000-frame-out $? "$(cat "$tmp/endpoints.log")"
[ "$(head -c 6 "$tmp/share/reply.bin" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 525400123456 ] &&
  [ "$(dd if="$tmp/share/reply.bin" bs=1 skip=14 count=4 status=none)" = pong ]
check e1000-frame-in $? "reply=$(od -An -tx1 "$tmp/share/reply.bin" 2>&1 | head -2)"
grep -q '^interface 0 alt=0 class=03:01:01 boot-keyboard$' <<<"$out" && grep -q '^endpoint 81 interrupt-in max-packet=8' <<<"$out"
check xhci-enumerates-keyboard $? "out=$out"
grep -q '^key 0x23 press U+68$' <<<"$out" || grep -q '^key 0x17 press U+69$' <<<"$out"
check usb-keyboard-reaches-inputd $? "out=$out"
grep -q '^interface 0 alt=0 class=03:01:02 boot-mouse$' <<<"$out" && [ "$(grep -c " usbhidd\\( \\|$\\)" <<<"$out")" = 2 ]
check xhci-enumerates-mouse-two-usbhidd $? "out=$out"
grep -q '^mouse_relative 5 -3$' <<<"$out" && grep -q '^button [01] 0 0$' <<<"$out"
check usb-mouse-reaches-inputd $? "out=$out"
# Interrupts went through the kernel's irq scheme: MSI/MSI-X vectors of nvmed,
# ahcid and xhcid, and e1000's INTx line, each counted with its binder's pid.
[ "$(awk '$1 ~ /^cpu-00\/[0-9]+$/ && $2 > 0 && $3 ~ /^[0-9,]+$/' <<<"$out" | wc -l)" -ge 3 ] &&
  awk '$1 ~ /^[0-9]+$/ && $1 < 16 && $2 > 0 && $3 ~ /^[0-9,]+$/ {ok=1} END {exit !ok}' <<<"$out"
check interrupts-through-irq-scheme $? "out=$out"
[ "$(grep -c '^nvmed disk.pci-00-02.0: ' <<<"$out")" = 1 ] && grep -qx nvme-read-failed <<<"$out" &&
  grep -qx nvme-read-failed-again <<<"$out" && grep -qx sim-still-running <<<"$out"
check device-fault-eio-one-line $? "out=$out"
[ $rc = 1 ] && grep -q '^pcid-spawner: /etc/pcid.d/broken.toml:1:' <<<"$out"
check malformed-toml-file-line $? "rc=$rc out=$out"

# RedoxFS as the root, on an NVMe and on an AHCI disk (a tree without a shell: the
# --exec lines run as plain commands).
tree="$tmp/tree"
mkdir -p "$tree/usr/bin" "$tree/etc" "$tree/tmp" "$tree/root"
chmod 1777 "$tree/tmp"
cp "$COREUTILS" "$tree/usr/bin/coreutils"
for c in echo cat cp ls true ps; do ln -s coreutils "$tree/usr/bin/$c"; done
echo redox-on-a-disk > "$tree/etc/hostname"
for kind in nvme ahci; do
  img="$tmp/root-$kind.img"
  # Room for coreutils (tens of MiB when sanitized) and the file system's own blocks.
  mib=$(( $(stat -c %s "$COREUTILS") / 1048576 + 32 ))
  made="$("$SIM" mkfs "$img" --size "${mib}M" 2>&1 && "$SIM" fs ar "$img" "$tree" 2>&1)"
  check "redoxfs-image-on-$kind" $? "out=$made"
  out="$(boot --device "$kind=$img" --root disk --exec 'cat /etc/hostname' \
    --exec 'cp /etc/hostname /root/note' --exec 'ps' 2>&1)"; rc=$?
  [ $rc = 0 ] && grep -qx redox-on-a-disk <<<"$out" && grep -q " ${kind}d\$" <<<"$out"
  check "redoxfs-root-on-$kind" $? "rc=$rc out=$out"
  got="$("$SIM" fs cat "$img" /root/note 2>&1)"
  [ "$got" = redox-on-a-disk ]; check "redoxfs-root-on-$kind-persists" $? "got=$got"
done
# A client's batch of reads on each kind of disk: single reads' bytes, and the
# batch goes to the controller together (nvmed queues it, ahcid issues a wave
# of command slots: few interrupts).
head -c 4M /dev/urandom > "$tmp/batch.img"
for kind in nvme ahci; do
  out="$(boot --device "$kind=$tmp/batch.img" --exec 'simtest disk-batch /scheme/disk.pci-00-02.0/0' 2>&1)"; rc=$?
  [ $rc = 0 ] && grep -qx 'ok disk-batch' <<<"$out"; check "$kind-batched-reads-issued-together" $? "rc=$rc out=$out"
done
truncate -s 1M "$tmp/junk.img"
out="$("$SIM" boot --device "nvme=$tmp/junk.img" --root disk 2>&1)"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'junk.img: .*not a RedoxFS image' <<<"$out"
check root-disk-not-redoxfs-one-line $? "rc=$rc out=$out"
out="$("$SIM" boot --root disk 2>&1)"; rc=$?
[ $rc != 0 ] && grep -q 'needs --device nvme=IMAGE' <<<"$out"; check root-disk-needs-a-disk $? "rc=$rc out=$out"

finish
