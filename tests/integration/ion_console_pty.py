#!/usr/bin/env python3
"""The sim's console on a host terminal: Ctrl-C ends the foreground program
(status 130) and not the shell or the sim; `exit N` ends the sim with N.
usage: ion_console_pty.py REDOX_SIM"""
import os, pty, re, select, sys, time

sim = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sim, [sim, 'boot', '--config', 'minimal', '--log-level', 'quiet', '--timeout', '90'])

out = b''

def wait_for(pattern, timeout):
    """Reads the terminal until `pattern` appears after what was seen so far."""
    global out
    start = len(out)
    end = time.time() + timeout
    while time.time() < end:
        if re.search(pattern, out[start:]):
            return True
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            out += d
    return re.search(pattern, out[start:]) is not None

def fail(what):
    print('FAIL', what, repr(out.decode(errors='replace')))
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    sys.exit(1)

PROMPT = rb'# \x1b\[0m'
if not wait_for(PROMPT, 60): fail('no prompt')
os.write(fd, b'sleep 60\n')
time.sleep(1.5)
os.write(fd, b'\x03')
if not wait_for(PROMPT, 10): fail('Ctrl-C did not bring the prompt back')
os.write(fd, b'echo status $?\n')
if not wait_for(rb'status 130', 10): fail('foreground program not ended by SIGINT')
os.write(fd, b'exit 4\n')
wait_for(rb'$^', 10)  # until the sim ends
_, st = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(st)
if code != 4: fail(f'sim exit status {code}, expected 4')
print('ok   console-ctrl-c')
