#!/bin/sh
# The SDL2 display path inside the sim: `redox-sim boot --config desktop --display sdl`
# under Xvfb. Orbital must open its window on the X server (seen with xwininfo) and a
# sim client's pattern must reach the screen. Skips (77) without xvfb-run or xwininfo.
SIM="$1"
for tool in xvfb-run xwininfo; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found (Debian packages xvfb, x11-utils); the SDL2 path in the sim is untested"
        exit 77
    fi
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/run.sh" <<'INNER'
#!/bin/sh
# Inside Xvfb: boot with the SDL2 display, look for its window while the client runs.
SIM="$1"; out="$2"
"$SIM" boot --config desktop --display sdl --timeout 60 --log-level quiet \
    --exec '/scheme/initfs/bin/orbital-check draw' --exec 'sleep 4' > "$out/boot.log" 2>&1 &
boot=$!
found=1
# Up to 40 s: a loaded machine boots slowly; stop looking once the boot is over.
for i in $(seq 1 160); do
    kill -0 $boot 2>/dev/null || break
    if xwininfo -root -tree 2>/dev/null | grep -q '"redox-sim orbital"'; then
        xwininfo -root -tree | grep '"redox-sim orbital"' > "$out/window.txt"
        found=0
        break
    fi
    sleep 0.25
done
wait $boot
echo $? > "$out/boot.rc"
exit $found
INNER
xvfb-run -a -s "-screen 0 1280x1024x24" sh "$tmp/run.sh" "$SIM" "$tmp"
found=$?
rc="$(cat "$tmp/boot.rc" 2>/dev/null)"
fail=0
if [ "$found" != 0 ]; then echo "FAIL: no X window named \"redox-sim orbital\" appeared"; fail=1; fi
if [ "$rc" != 0 ]; then echo "FAIL: boot exited with status $rc"; fail=1; fi
if ! grep -q 'orbital-check draw: ok' "$tmp/boot.log"; then echo "FAIL: orbital-check draw did not pass"; fail=1; fi
if [ "$fail" != 0 ]; then echo "--- boot log:"; cat "$tmp/boot.log"; exit 1; fi
echo "ok: SDL2 window $(sed 's/^ *//' "$tmp/window.txt" | head -1)"
echo "ok: orbital-check draw passed on the SDL2 display"
