#!/usr/bin/env python3
"""The host side of the sim's device models, for tests/integration/drivers.sh.

host_endpoints.py NET_SOCKET KBD_SOCKET OUT_DIR binds two unix datagram sockets:
  NET_SOCKET: the e1000 wire. The first frame the sim sends is saved as OUT_DIR/sent.bin
              and answered with a frame to its source MAC whose payload says "pong".
  KBD_SOCKET: the xhci keyboard and mouse. After xhcid's hello byte, every 300 ms
              until the sim goes away: the keys "h" and "i" (HID usages 0x0b, 0x0c)
              are pressed, and the mouse moves by (5, -3) with the left button
              alternately down and up (a datagram 0xFF BUTTONS DX DY WHEEL).
Runs until both peers are gone or 120 s pass; prints one line per event to stderr.
"""
import os
import select
import socket
import sys
import time

net_path, kbd_path, out_dir = sys.argv[1:4]
socks = {}
for name, path in (("net", net_path), ("kbd", kbd_path)):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    socks[name] = s
open(os.path.join(out_dir, "endpoints.ready"), "w").close()

kbd_peer = None
deadline = time.time() + 120
next_key = 0.0
cycle = 0
while time.time() < deadline:
    ready, _, _ = select.select(list(socks.values()), [], [], 0.1)
    for s in ready:
        data, peer = s.recvfrom(4096)
        if s is socks["net"]:
            with open(os.path.join(out_dir, "sent.bin"), "wb") as f:
                f.write(data)
            reply = data[6:12] + bytes.fromhex("020000000002") + data[12:14] + b"pong" + data[18:]
            s.sendto(reply, peer)
            print("host: frame of %d bytes answered" % len(data), file=sys.stderr)
        else:
            kbd_peer = peer
    if kbd_peer is not None and time.time() >= next_key:
        try:
            socks["kbd"].sendto(bytes([0x0B, 0x0C]), kbd_peer)
            socks["kbd"].sendto(bytes([0xFF, 1 - cycle % 2, 5, 0xFD, 0]), kbd_peer)
            cycle += 1
        except OSError:
            break  # xhcid is gone: the sim has ended
        next_key = time.time() + 0.3
