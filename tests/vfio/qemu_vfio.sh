#!/usr/bin/env bash
# Real VFIO against QEMU's emulated devices. Boots a small Linux guest (QEMU, software
# emulation, emulated intel-iommu with interrupt remapping), binds QEMU's e1000, NVMe,
# AHCI and qemu-xhci (+ usb-kbd) to vfio-pci, and runs this build's redox-sim inside
# it (the host's / shared read-only over 9p, a scratch directory shared read-write).
# One `boot --vfio` sim drives all four devices:
#   - nvmed, ahcid: the sim's root is RedoxFS on the QEMU NVMe disk (--root disk=...),
#     the AHCI disk's RedoxFS is served beside it; a file written to each is read
#     with `redox-sim fs cat` on the host after the guest powered off;
#   - e1000d: link up, an ARP request for QEMU's user-network gateway goes out and
#     the gateway's ARP reply comes back;
#   - xhcid enumerates QEMU's usb-kbd and usb-mouse; key presses and mouse motion
#     typed through QEMU's monitor reach inputd (inputdump) through usbhidd.
# A second, smaller guest has no IOMMU: vfio in its unsafe noiommu mode, QEMU's NVMe
# bound to vfio-pci there, and a sim whose root is RedoxFS on it (the driver's DMA
# buffers are pinned pages at guest physical addresses). It needs a guest kernel
# built with CONFIG_VFIO_NOIOMMU, which Debian's are not: then it is one SKIP line.
# One PASS/FAIL line per check, then `N passed, M failed`; exit 1 on any failure.
#
# usage: qemu_vfio.sh REDOX_SIM
# Needs root (apt-get, the guest chroots into this host's /). Installs what is missing
# (unless REDOX_VFIO_SKIP_STATUS is set, below):
# qemu-system-x86, busybox-static, cpio, kmod; Debian's kernel image is downloaded and
# unpacked (not installed) into ${XDG_CACHE_HOME:-~/.cache}/redox-sim/vfio-kernel.
# REDOX_VFIO_KEEP=1 keeps the scratch directory (logs, disk images) and prints it;
# all.log there has the sim's output with the guest's uptime on each line.
# REDOX_VFIO_BENCH=PATH (a release bench-drivers) also measures, after the checks,
# 4 KiB random reads on QEMU's NVMe: nvmed's core over VFIO at QD1 and QD32, the
# disk scheme from inside a sim of that release build (diskbench, QD1 and QD32),
# then O_DIRECT pread through the guest kernel's nvme driver on the same device.
set -uo pipefail
SIM="$(realpath "${1:?usage: qemu_vfio.sh REDOX_SIM}")"
die() { echo "qemu_vfio: $*" >&2; exit 2; }
# REDOX_VFIO_SKIP_STATUS=77 (the meson test): what this machine lacks is a skip with
# its reason, and nothing is installed.
skip_status="${REDOX_VFIO_SKIP_STATUS:-}"
if [ "$(id -u)" != 0 ]; then
  why="needs root: the guest chroots into the host's / and packages may need installing"
  [ -n "$skip_status" ] && { echo "qemu_vfio: SKIP: $why"; exit "$skip_status"; }
  die "$why"
fi
[ -x "$SIM" ] || die "$SIM: not an executable"
# One guest at a time on this machine: software emulation wants every core, and two
# test runs (two worktrees, two builds) would each take twice as long.
exec 9>"${TMPDIR:-/tmp}/redox-sim-vfio.lock"
flock -w 600 9 || die "another run's QEMU guest held ${TMPDIR:-/tmp}/redox-sim-vfio.lock for 10 minutes"

passn=0 failn=0
check() { # NAME STATUS DETAIL
  if [ "$2" = 0 ]; then passn=$((passn+1)); echo "PASS $1"; else failn=$((failn+1)); echo "FAIL $1: $3"; fi
}
secs() { echo "$(( $1 / 1000 )).$(printf %03d $(( $1 % 1000 )))"; }
now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
t_start=$(now_ms)

# 1. Packages: QEMU, a static busybox for the initramfs, kmod for modinfo/depmod.
need=()
for p in qemu-system-x86 busybox-static cpio kmod; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ] && [ -n "$skip_status" ]; then
  echo "qemu_vfio: SKIP: ${need[*]} not installed (tools/dev test-vfio installs them)"
  exit "$skip_status"
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "qemu_vfio: installing ${need[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; } \
    >/dev/null || die "apt-get install ${need[*]} failed"
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing after installing qemu-system-x86"

# 2. The guest kernel: Debian's linux-image, unpacked into a cache outside the tree.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/redox-sim/vfio-kernel"
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$kpkg" ]; then  # no apt lists: the newest kernel already unpacked will do
  kpkg=$(ls "$cache"/*/boot/vmlinuz-* 2>/dev/null | sed 's|.*/vmlinuz-|linux-image-|' | sort -V | tail -1)
  [ -n "$kpkg" ] || die "apt-cache knows no linux-image-amd64 (run apt-get update)"
fi
kver=${kpkg#linux-image-}
kdir="$cache/$kver"
if [ ! -e "$kdir/boot/vmlinuz-$kver" ]; then
  echo "qemu_vfio: downloading and unpacking $kpkg into $kdir"
  rm -rf "$kdir" "$cache/deb" && mkdir -p "$cache/deb" || die "cannot create $cache"
  (cd "$cache/deb" && apt-get download -q "$kpkg" >/dev/null 2>&1) || die "apt-get download $kpkg failed"
  dpkg-deb -x "$cache"/deb/"$kpkg"_*.deb "$kdir.part" && depmod -b "$kdir.part" "$kver" \
    && mv "$kdir.part" "$kdir" || die "unpacking $kpkg failed"
  rm -rf "$cache/deb"
fi

noiommu_why=""
grep -q '^CONFIG_VFIO_NOIOMMU=y' "$kdir/boot/config-$kver" 2>/dev/null ||
  noiommu_why="$kpkg is built without CONFIG_VFIO_NOIOMMU: vfio cannot make noiommu groups"

# 3. Scratch directory: shared read-write with the guest at the same path.
work="$(mktemp -d /tmp/redox-vfio.XXXXXX)"
if [ "${REDOX_VFIO_KEEP:-0}" = 1 ]; then echo "qemu_vfio: scratch directory $work"
else trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work/net" "$work/initramfs"/{bin,lib/modules,proc,sys,dev,mnt/host}

# The initramfs: busybox, the vfio and 9p modules, an /init that binds the devices
# to vfio-pci, mounts the host and runs guest.sh in a chroot of the host's /.
ir="$work/initramfs"
cp /bin/busybox "$ir/bin/busybox"
mods="irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci netfs fscache 9pnet virtio_ring virtio
virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet_virtio 9p"
for m in $mods; do
  f=$(modinfo -b "$kdir" -k "$kver" -F filename "$m" 2>/dev/null) || die "module $m missing from $kpkg"
  case "$f" in
    *.ko) cp "$f" "$ir/lib/modules/$m.ko" ;;
    *.ko.xz) xz -dc "$f" > "$ir/lib/modules/$m.ko" ;;
    *) die "module $m: unsupported file $f" ;;
  esac
done
echo $mods > "$ir/lib/modules/order"
bench="${REDOX_VFIO_BENCH:+$(realpath "$REDOX_VFIO_BENCH")}"
# The release redox-sim beside that bench-drivers (build-release/bench/drivers/..).
simrel="${bench:+$(realpath "$(dirname "$bench")/../../redox-sim")}"
if [ -n "$bench" ]; then
  # The kernel's nvme driver and what it needs, for the pread baseline (built-in ones are skipped).
  nvme_mods=""
  for m in crct10dif_common crc-t10dif crct10dif_generic crc64 crc64-rocksoft crc64_rocksoft_generic t10-pi nvme-core nvme; do
    f=$(modinfo -b "$kdir" -k "$kver" -F filename "$m" 2>/dev/null) || continue
    case "$f" in *.ko) cp "$f" "$ir/lib/modules/$m.ko" && nvme_mods="$nvme_mods $m" ;; esac
  done
  echo $nvme_mods > "$ir/lib/modules/nvme-order"
fi
devices="0000:00:02.0 0000:00:03.0 0000:00:04.0 0000:00:05.0"
cat > "$ir/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
# redoxsim_noiommu on the command line: no IOMMU, vfio's unsafe noiommu mode,
# huge pages for the driver's DMA buffers (physically contiguous up to 2 MiB).
noiommu=0; script=guest.sh
grep -q redoxsim_noiommu /proc/cmdline && noiommu=1 script=guest-noiommu.sh
for m in \$(cat /lib/modules/order); do
  p=""; [ \$noiommu = 1 ] && [ \$m = vfio ] && p=enable_unsafe_noiommu_mode=1
  insmod /lib/modules/\$m.ko \$p || echo "GUEST insmod \$m failed"
done
[ \$noiommu = 1 ] && echo 16 > /proc/sys/vm/nr_hugepages
for a in $devices; do
  [ -e /sys/bus/pci/devices/\$a ] || continue
  echo vfio-pci > /sys/bus/pci/devices/\$a/driver_override
  [ -e /sys/bus/pci/devices/\$a/driver ] && echo \$a > /sys/bus/pci/devices/\$a/driver/unbind
  echo \$a > /sys/bus/pci/drivers_probe
  echo "GUEST bound \$a \$(basename \$(readlink /sys/bus/pci/devices/\$a/driver))"
done
h=/mnt/host
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose host \$h || echo "GUEST 9p mount of the host failed"
mount -t proc proc \$h/proc; mount -t sysfs sysfs \$h/sys; mount -t devtmpfs devtmpfs \$h/dev
mkdir -p \$h/dev/shm \$h/dev/pts; mount -t tmpfs tmpfs \$h/dev/shm; mount -t devpts devpts \$h/dev/pts
mount -t tmpfs tmpfs \$h/tmp; mount -t tmpfs tmpfs \$h/run
mkdir -p \$h$work && mount -t 9p -o trans=virtio,version=9p2000.L,cache=mmap work \$h$work || echo "GUEST 9p mount of $work failed"
echo "GUEST vfio nodes: \$(ls /dev/vfio | tr '\n' ' ')"
echo "GUEST running \$script at uptime \$(cut -d' ' -f1 /proc/uptime)s"
chroot \$h /bin/bash $work/\$script
if [ \$noiommu = 0 ] && [ -e /lib/modules/nvme-order ]; then
  echo "GUEST bench started at uptime \$(cut -d' ' -f1 /proc/uptime)s"
  chroot \$h $bench --nvme-vfio 0000:00:03.0 > \$h$work/bench.out 2>&1
  # The same reads from inside a sim of the same (release) build: diskbench
  # through nvmed's disk scheme, with pcid holding the function.
  chroot \$h env HOME=/root XDG_CACHE_HOME=/tmp/cache $simrel boot --config minimal --log-level quiet --timeout 200 --vfio 0000:00:03.0 \\
    --exec 'diskbench /scheme/disk.pci-00-03.0/0 1' --exec 'diskbench /scheme/disk.pci-00-03.0/0 32' \\
    >> \$h$work/bench.out 2>&1
  for m in \$(cat /lib/modules/nvme-order); do insmod /lib/modules/\$m.ko; done
  echo > /sys/bus/pci/devices/0000:00:03.0/driver_override
  echo 0000:00:03.0 > /sys/bus/pci/drivers/vfio-pci/unbind
  echo 0000:00:03.0 > /sys/bus/pci/drivers_probe
  for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/nvme0n1 ] && break; sleep 1; done
  chroot \$h $bench --pread-direct /dev/nvme0n1 >> \$h$work/bench.out 2>&1
fi
echo "GUEST done at uptime \$(cut -d' ' -f1 /proc/uptime)s"
poweroff -f
INIT
chmod +x "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.cpio.gz" || die "building the initramfs failed"

# What runs in the guest: one sim per scenario; stdout+stderr in NAME.out, status in
# NAME.rc, seconds in NAME.secs. NAME.started tells the host when to type.
cat > "$work/guest-head.sh" <<GUEST
export PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_CACHE_HOME=/tmp/cache HOME=/root
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
run() { # NAME SIM-ARGS...
  local name=\$1; shift
  local t0=\$(cut -d' ' -f1 /proc/uptime)
  echo "GUEST \$name started" > /dev/console
  touch "$work/\$name.started"
  # NAME.log: each line with the guest's uptime when it came, to see where the time goes.
  timeout 280 "$SIM" boot --timeout 240 "\$@" 2>&1 < /dev/null | tee "$work/\$name.out" |
    while IFS= read -r l; do read -r up _ < /proc/uptime; echo "\$up \$l"; done > "$work/\$name.log"
  echo \${PIPESTATUS[0]} > "$work/\$name.rc"
  awk -v a=\$t0 -v b=\$(cut -d' ' -f1 /proc/uptime) 'BEGIN { printf "%.2f\\n", b - a }' > "$work/\$name.secs"
  echo "GUEST \$name finished: status \$(cat "$work/\$name.rc") after \$(cat "$work/\$name.secs") s" > /dev/console
}
GUEST
cp "$work/guest-head.sh" "$work/guest-noiommu.sh"
cat >> "$work/guest-noiommu.sh" <<GUEST
run noiommu --vfio 0000:00:03.0 --root disk=/scheme/disk.pci-00-03.0/0 \\
  --exec 'cat /etc/hostname' --exec 'cp /etc/hostname /root/note' --exec 'cat /root/note' \\
  --exec 'cat /scheme/sys/iomem' --exec 'cat /scheme/sys/irq'
GUEST
cp "$work/guest-head.sh" "$work/guest.sh"
cat >> "$work/guest.sh" <<GUEST
net=/scheme/network.pci-00-02.0 usb=/scheme/usb.pci-00-05.0
# Who holds what once every driver runs: pcid keeps the VFIO fds (container,
# group, device); a driver has none and only maps its BARs (a vfio-device
# mapping it got through memory:physical). One line per process: NAME FDS MAPS.
( for i in \$(seq 1 600); do
    up=1; for n in pcid nvmed ahcid e1000d xhcid; do pgrep -x \$n > /dev/null || up=0; done
    if [ \$up = 1 ]; then
      sleep 1
      for n in pcid nvmed ahcid e1000d xhcid; do
        p=\$(pgrep -x \$n | head -1)
        echo "\$n \$(ls -l /proc/\$p/fd 2>/dev/null | grep -c vfio) \$(grep -c 'vfio-device' /proc/\$p/maps)"
      done > "$work/vfio-holders.txt"
      break
    fi
    sleep 0.2
  done ) &
run all --vfio 0000:00:02.0 --vfio 0000:00:03.0 --vfio 0000:00:04.0 --vfio 0000:00:05.0 \\
  --root disk=/scheme/disk.pci-00-03.0/0 --share "$work/net" \\
  --exec 'cat /etc/hostname' --exec 'cp /etc/hostname /root/note' --exec 'cat /root/note' \\
  --exec 'cat /scheme/ahci/etc/hostname' --exec 'cp /etc/hostname /scheme/ahci/root/note' --exec 'ps' \\
  --exec "netframe mac \$net" --exec "netframe send \$net /scheme/host/arp.bin" \\
  --exec "netframe recv \$net /scheme/host/reply.bin" \\
  --exec "ls \$usb" --exec "cat \$usb/port5/descriptors" --exec "cat \$usb/port6/descriptors" --exec 'inputdump 8' \\
  --exec 'cat /scheme/sys/irq' --exec 'cat /scheme/sys/iomem'
GUEST

# The ARP request: who has 10.0.2.2 (QEMU's user-network gateway)? tell 10.0.2.15.
mac=525400123456
python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex(sys.argv[2]).ljust(60, b"\0"))' "$work/net/arp.bin" \
  "ffffffffffff${mac}0806""000108000604""0001${mac}0a00020f""0000000000000a000202" || die "cannot write $work/net/arp.bin"

# One sim drives all four devices: its root is RedoxFS on the NVMe disk, the AHCI
# disk's RedoxFS is served as `ahci`. Every program a sim spawns is read whole from
# its root, and the guest emulates every instruction of that copy: the root links
# its programs to initfs (this build's files over 9p, cached by the guest) instead
# of holding copies, and has no shell (the --exec lines run as plain commands).
# From base: the drivers' pcid.d entries and the init.d line that starts them.
tree="$work/tree"
mkdir -p "$tree/usr/bin" "$tree/usr/lib/drivers" "$tree/usr/lib/init.d" "$tree/usr/lib/pcid.d" "$tree/etc" "$tree/tmp" "$tree/root"
chmod 1777 "$tree/tmp"
"$SIM" config print base > "$work/base.toml" && python3 - "$work/base.toml" "$tree" <<'PY' || die "cannot take the drivers' files from the base config"
import sys, tomllib
files = tomllib.load(open(sys.argv[1], "rb"))["files"]
wanted = [f for f in files if f["path"].startswith("/usr/lib/pcid.d/") or f["path"] == "/usr/lib/init.d/01_drivers"]
assert any(f["path"].startswith("/usr/lib/pcid.d/") for f in wanted), "no pcid.d entries in base"
for f in wanted:
    open(sys.argv[2] + f["path"], "w").write(f["data"])
PY
for c in echo cat cp ls true ps; do ln -s /scheme/initfs/bin/coreutils "$tree/usr/bin/$c"; done
for p in pcid-spawner netframe inputdump inputd; do ln -s "/scheme/initfs/bin/$p" "$tree/usr/bin/$p"; done
for p in e1000d nvmed ahcid xhcid usbhidd; do ln -s "/scheme/initfs/bin/$p" "$tree/usr/lib/drivers/$p"; done
printf 'export PATH /usr/bin\nnotify_parallel /usr/bin/inputd\n' > "$tree/usr/lib/init.d/00_base"
printf 'notify /scheme/initfs/bin/redoxfs /scheme/disk.pci-00-04.0/0 ahci\n' > "$tree/usr/lib/init.d/02_ahci"
for kind in nvme ahci; do
  echo "redox-on-vfio-$kind" > "$tree/etc/hostname"
  made="$("$SIM" mkfs "$work/$kind.img" --size 32M 2>&1 && "$SIM" fs ar "$work/$kind.img" "$tree" 2>&1)"
  check "redoxfs-image-for-$kind" $? "$made"
  [ -s "$work/$kind.img" ] || truncate -s 32M "$work/$kind.img"  # the other checks still run
done
# The noiommu guest has the NVMe disk only.
[ -z "$noiommu_why" ] && {
rm -f "$tree/usr/lib/init.d/02_ahci"
echo redox-on-noiommu-nvme > "$tree/etc/hostname"
made="$("$SIM" mkfs "$work/noiommu.img" --size 32M 2>&1 && "$SIM" fs ar "$work/noiommu.img" "$tree" 2>&1)"
check redoxfs-image-for-noiommu $? "$made"
[ -s "$work/noiommu.img" ] || truncate -s 32M "$work/noiommu.img"
}

# 4. The guest. The monitor socket is where the host types.
mon="$work/monitor.sock"
t_vm=$(now_ms)
timeout 600 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m 2G -nodefaults -display none -no-reboot \
  -serial "file:$work/serial.log" -monitor "unix:$mon,server,nowait" \
  -kernel "$kdir/boot/vmlinuz-$kver" -initrd "$work/initramfs.cpio.gz" \
  -append "console=ttyS0 intel_iommu=on panic=-1 loglevel=4 no_timer_check" \
  -device intel-iommu,intremap=on \
  -netdev user,id=n0,restrict=on -device e1000,netdev=n0,mac=52:54:00:12:34:56,addr=02.0 \
  -drive file="$work/nvme.img",if=none,id=nvm,format=raw -device nvme,serial=redoxsim01,drive=nvm,addr=03.0 \
  -device ahci,id=ahci0,addr=04.0 -drive file="$work/ahci.img",if=none,id=sata,format=raw \
  -device ide-hd,drive=sata,bus=ahci0.0 \
  -device qemu-xhci,id=xhci0,addr=05.0 -device usb-kbd,bus=xhci0.0,port=1 -device usb-mouse,bus=xhci0.0,port=2 \
  -fsdev local,id=hostfs,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostfs,mount_tag=host,addr=06.0 \
  -fsdev local,id=workfs,path="$work",security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=workfs,mount_tag=work,addr=07.0 \
  < /dev/null > "$work/qemu.out" 2>&1 &
qemu=$!
monitor() { # COMMAND: one line to QEMU's human monitor
  python3 - "$mon" "$1" <<'PY' 2>/dev/null
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n"); time.sleep(0.05); s.close()
PY
}
# Once inputdump listens, every 0.7 s: type 'a', move the mouse by (5, -3) and
# press or release its left button. Input before an interrupt endpoint is armed
# is lost; a later round arrives.
typed=0
while kill -0 $qemu 2>/dev/null; do
  if [ -e "$work/all.started" ] && [ ! -e "$work/all.rc" ] && grep -q 'inputdump: ready' "$work/all.out" 2>/dev/null; then
    monitor "sendkey a 100" && monitor "mouse_move 5 -3" && monitor "mouse_button $(( (typed + 1) % 2 ))" && typed=$((typed+1))
  fi
  sleep 0.7
done
wait $qemu; qrc=$?
vm_ms=$(( $(now_ms) - t_vm ))
[ $qrc = 0 ] && grep -q '^GUEST done' "$work/serial.log"
check guest-ran "$?" "qemu status $qrc; $(tail -5 "$work/qemu.out"); serial: $(tail -15 "$work/serial.log")"
for a in $devices; do
  grep -q "^GUEST bound $a vfio-pci" "$work/serial.log"; check "bound-to-vfio-pci-$a" $? "$(grep "GUEST bound $a" "$work/serial.log")"
done

o="$(cat "$work/all.out" 2>/dev/null)"
st="status $(cat "$work/all.rc" 2>/dev/null || echo none)"
grep -q 'e1000d network.pci-00-02.0: MAC 52:54:00:12:34:56, link up' <<<"$o" && grep -qx '52:54:00:12:34:56' <<<"$o"
check e1000-mac-link-up $? "$st: $o"
# The reply: ARP (0806), opcode 2, sender 10.0.2.2, addressed to our MAC and IP.
reply="$(od -An -tx1 -v "$work/net/reply.bin" 2>/dev/null | tr -d ' \n')"
[ "${reply:0:12}" = "$mac" ] && [ "${reply:24:4}" = 0806 ] && [ "${reply:40:4}" = 0002 ] &&
  [ "${reply:56:8}" = 0a000202 ] && [ "${reply:64:12}" = "$mac" ] && [ "${reply:76:8}" = 0a00020f ]
check e1000-arp-to-gateway-answered $? "reply frame: ${reply:-none}; $st"
grep -q '^interface 0 alt=0 class=03:01:01 boot-keyboard$' <<<"$o" && grep -q '^endpoint 81 interrupt-in' <<<"$o"
check xhci-enumerates-usb-kbd $? "$st: $o"
grep -q '^key 0x1e press U+61$' <<<"$o"
check usb-kbd-key-reaches-inputd $? "typed $typed times; $st: $o"
grep -q '^interface 0 alt=0 class=03:01:02 boot-mouse$' <<<"$o"
check xhci-enumerates-usb-mouse $? "$st: $o"
grep -q '^mouse_relative 5 -3$' <<<"$o" && grep -q '^button [01] 0 0$' <<<"$o"
check usb-mouse-reaches-inputd $? "moved $typed times; $st: $o"
# The devices' interrupts reached the drivers through the kernel's irq scheme:
# MSI/MSI-X vectors (NVMe, AHCI, xHCI) and e1000's INTx line, counted, with binders.
[ "$(awk '$1 ~ /^cpu-00\/[0-9]+$/ && $2 > 0 && $3 ~ /^[0-9,]+$/' <<<"$o" | wc -l)" -ge 3 ] &&
  awk '$1 ~ /^[0-9]+$/ && $1 < 16 && $2 > 0 && $3 ~ /^[0-9,]+$/ {ok=1} END {exit !ok}' <<<"$o"
check interrupts-through-irq-scheme $? "$st: $(grep -E '^(cpu-00/)?[0-9]+ ' <<<"$o")"
# pcid owns the VFIO devices; the drivers reach them through schemes only.
h="$(cat "$work/vfio-holders.txt" 2>/dev/null)"
awk '$1 == "pcid" && $2 > 0 {p = 1} $1 != "pcid" && $2 == 0 && $3 > 0 {d++} END {exit !(p && d == 4)}' <<<"$h"
check vfio-held-by-pcid-only $? "name, vfio fds, vfio-device maps: ${h:-none recorded}"
# Every function's BARs lie in the physical address space (mmio), and DMA
# ranges are mapped into the IOMMU.
[ "$(grep -c ' mmio pid ' <<<"$o")" -ge 4 ] && grep -q ' dma pid [0-9]* iommu$' <<<"$o"
check bars-and-dma-in-iomem $? "$st: $(grep -E ' (mmio|dma) pid ' <<<"$o")"
# The root: its hostname, a file written and read back, nvmed in ps.
[ "$(grep -cx redox-on-vfio-nvme <<<"$o")" = 2 ] && grep -q ' nvmed$' <<<"$o"
check redoxfs-root-on-nvme-over-vfio $? "$st: $o"
grep -qx redox-on-vfio-ahci <<<"$o" && grep -q ' ahcid$' <<<"$o"
check redoxfs-on-ahci-over-vfio $? "$st: $o"
for kind in nvme ahci; do
  got="$("$SIM" fs cat "$work/$kind.img" /root/note 2>&1)"
  [ "$got" = redox-on-vfio-nvme ]; check "redoxfs-write-on-$kind-read-on-host" $? "got: $got"
done
[ "$(cat "$work/all.rc" 2>/dev/null)" = 0 ]; check sim-exit-0 $? "$st: $o"

# 5. The guest without an IOMMU: NVMe over a noiommu group.
vm2_ms=0
if [ -n "$noiommu_why" ]; then echo "SKIP noiommu guest: $noiommu_why"; else
t_vm2=$(now_ms)
timeout 600 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m 2G -nodefaults -display none -no-reboot \
  -serial "file:$work/serial-noiommu.log" \
  -kernel "$kdir/boot/vmlinuz-$kver" -initrd "$work/initramfs.cpio.gz" \
  -append "console=ttyS0 panic=-1 loglevel=4 no_timer_check redoxsim_noiommu" \
  -drive file="$work/noiommu.img",if=none,id=nvm,format=raw -device nvme,serial=redoxsim02,drive=nvm,addr=03.0 \
  -fsdev local,id=hostfs,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostfs,mount_tag=host,addr=06.0 \
  -fsdev local,id=workfs,path="$work",security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=workfs,mount_tag=work,addr=07.0 \
  < /dev/null > "$work/qemu-noiommu.out" 2>&1
qrc=$?
vm2_ms=$(( $(now_ms) - t_vm2 ))
[ $qrc = 0 ] && grep -q '^GUEST done' "$work/serial-noiommu.log"
check noiommu-guest-ran "$?" "qemu status $qrc; $(tail -5 "$work/qemu-noiommu.out"); serial: $(tail -15 "$work/serial-noiommu.log")"
grep -q '^GUEST bound 0000:00:03.0 vfio-pci' "$work/serial-noiommu.log" &&
  grep -q '^GUEST vfio nodes: .*noiommu-' "$work/serial-noiommu.log"
check nvme-in-a-noiommu-group $? "$(grep -E '^GUEST (bound|vfio)' "$work/serial-noiommu.log")"
o="$(cat "$work/noiommu.out" 2>/dev/null)"
st="status $(cat "$work/noiommu.rc" 2>/dev/null || echo none)"
# The root on the disk: its hostname read, a file written and read back; the
# BARs placed, no IOMMU in iomem; the NVMe vectors counted interrupts.
[ "$(grep -cx redox-on-noiommu-nvme <<<"$o")" = 2 ] && [ "$(cat "$work/noiommu.rc" 2>/dev/null)" = 0 ]
check redoxfs-root-on-nvme-over-noiommu $? "$st: $o"
grep -q ' mmio pid ' <<<"$o" && ! grep -q ' iommu$' <<<"$o" &&
  awk '$1 ~ /^cpu-00\/[0-9]+$/ && $2 > 0 {ok = 1} END {exit !ok}' <<<"$o"
check noiommu-bars-and-interrupts $? "$st: $(grep -E ' (mmio|dma) pid |^cpu-00/' <<<"$o")"
got="$("$SIM" fs cat "$work/noiommu.img" /root/note 2>&1)"
[ "$got" = redox-on-noiommu-nvme ]; check redoxfs-write-over-noiommu-read-on-host $? "got: $got"
fi

[ -n "$bench" ] && sed 's/^/qemu_vfio: bench: /' "$work/bench.out"
echo "qemu_vfio: guest $(secs $vm_ms) s (booted in $(sed -n 's/^GUEST running guest.sh at uptime //p' "$work/serial.log")," \
  "sim $(cat "$work/all.secs" 2>/dev/null) s), noiommu guest $(secs $vm2_ms) s," \
  "total $(secs $(( $(now_ms) - t_start ))) s"
echo "$passn passed, $failn failed"
[ $failn = 0 ]
