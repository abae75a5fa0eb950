#!/usr/bin/env python3
"""The sim's console on a host terminal: Ctrl-C ends the foreground program
(status 130) and not the shell or the sim; `exit N` ends the sim with N.
usage: ion_console_pty.py REDOX_SIM"""
import sys, time
from sim_console import Console

sim = sys.argv[1]
c = Console([sim, 'boot', '--config', 'minimal', '--log-level', 'quiet', '--timeout', '90'])

PROMPT = rb'# \x1b\[0m'
if not c.wait_for(PROMPT, 60): c.fail('no prompt')
c.send(b'sleep 60\n')
time.sleep(1.5)
c.send(b'\x03')
if not c.wait_for(PROMPT, 10): c.fail('Ctrl-C did not bring the prompt back')
c.send(b'echo status $?\n')
if not c.wait_for(rb'status 130', 10): c.fail('foreground program not ended by SIGINT')
c.send(b'exit 4\n')
code = c.exit_status(10)
if code != 4: c.fail(f'sim exit status {code}, expected 4')
print('ok   console-ctrl-c')
