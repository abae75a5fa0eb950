#!/bin/sh
# Host input into the SDL2 window reaches a sim client through the whole chain:
# X events (xdotool) -> displayd's SDL2 backend -> inputd producer -> orbital's VT
# consumer -> the focused window of orbital-events, which prints them; a resize of
# the host window becomes a new display mode and a Screen event. Runs inside
# Xvfb; skips (77) without xvfb-run or xdotool. $1 is redox-sim.
if ! command -v xvfb-run >/dev/null 2>&1 || ! command -v xdotool >/dev/null 2>&1; then
    echo "SKIP: xvfb-run or xdotool not found (Debian packages xvfb, xdotool); SDL2 input in the sim is untested"
    exit 77
fi
if [ -z "$INSIDE_XVFB" ]; then
    INSIDE_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x1024x24" "$0" "$@"
fi
sim=$1
out=$(mktemp /tmp/orbital-sdl-input-XXXXXX)
trap 'rm -f "$out"' EXIT
"$sim" boot --config desktop --display sdl --timeout 90 --log-level quiet --exec 'sleep 12' >"$out" 2>&1 &
pid=$!
i=0
until grep -q "desktop ready" "$out"; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
        echo "FAIL: the desktop did not come up"; cat "$out"; exit 1
    fi
    sleep 0.1
done
sleep 1
win=$(xdotool search --name "redox-sim orbital" | head -1)
[ -n "$win" ] || { echo "FAIL: no SDL2 window named 'redox-sim orbital'"; cat "$out"; exit 1; }
# orbital-events shows its window at (40,320), 360x56: click into it, type, scroll.
xdotool windowfocus --sync "$win"
xdotool mousemove --window "$win" 100 340 click 1
sleep 0.3
xdotool key --window "$win" a
sleep 0.3
xdotool click 5
sleep 0.3
# Resizing the host window resizes the display: every window hears of the new screen.
xdotool windowsize "$win" 1100 800
wait $pid
status=$?
cat "$out"
[ $status -eq 0 ] || { echo "FAIL: redox-sim exited with $status"; exit 1; }
# The events in this order, with these payloads.
want="event: Button left=1 middle=0 right=0
event: Button left=0 middle=0 right=0
event: Key scancode=0x1E pressed
event: TextInput U+61
event: Key scancode=0x1E released
event: Scroll 0,-1
event: Screen 1100x800"
got=$(grep -E "^event: (Button|Key|TextInput|Scroll|Screen)" "$out")
if [ "$got" != "$want" ]; then
    echo "FAIL: events were:"; echo "$got"; echo "want:"; echo "$want"; exit 1
fi
echo "ok: host input reached the sim client through displayd, inputd and orbital"
