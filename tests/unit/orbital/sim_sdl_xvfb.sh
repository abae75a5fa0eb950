#!/bin/sh
# The SDL2 display path inside the sim: runs test-orbital-sim's [sdl] case (boot
# --display sdl, read back the SDL2 renderer's pixels) inside Xvfb with a screen
# larger than Orbital's 1024x768 window. Skips (77) without xvfb-run.
if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "SKIP: xvfb-run not found (Debian package xvfb); the SDL2 path in the sim is untested"
    exit 77
fi
exec xvfb-run -a -s "-screen 0 1280x1024x24" "$@" "[sdl]"
