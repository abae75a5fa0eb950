#!/bin/sh
# Runs a test program inside a virtual X server; skips (77) when there is none.
if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "SKIP: xvfb-run not found (Debian package xvfb); the SDL2 window path is untested"
    exit 77
fi
exec xvfb-run -a -s "-screen 0 800x600x24" "$@"
