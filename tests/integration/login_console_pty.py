#!/usr/bin/env python3
"""The login console on a host terminal, with a config that installs userutils:
log in as `user`, `ls -l /`, Ctrl-C a `sleep 30` (status 130, the shell stays),
log out (the sim ends with login's status 0).
usage: login_console_pty.py REDOX_SIM"""
import os, pty, re, select, sys, tempfile, time

sim = sys.argv[1]
cfg_dir = tempfile.mkdtemp()
cfg = os.path.join(cfg_dir, 'login.toml')
with open(cfg, 'w') as f:
    f.write('include = ["minimal.toml"]\n\n[packages]\nuserutils = {}\n')

pid, fd = pty.fork()
if pid == 0:
    os.execv(sim, [sim, 'boot', '--config', cfg, '--log-level', 'quiet', '--timeout', '60'])

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
    os.unlink(cfg)
    os.rmdir(cfg_dir)
    sys.exit(1)

PROMPT = rb'\$ \x1b\[0m'
if not wait_for(rb'login: ', 30): fail('no login prompt')
os.write(fd, b'user\n')
if not wait_for(rb'password: ', 10): fail('no password prompt')
os.write(fd, b'wrong\n')
if not wait_for(rb'Login incorrect\r?\nredox login: ', 10): fail('a wrong password was accepted')
os.write(fd, b'user\n')
if not wait_for(rb'password: ', 10): fail('no second password prompt')
os.write(fd, b'\n')
if not wait_for(PROMPT, 20): fail("no user's shell prompt after login")
os.write(fd, b'id; ls -l /\n')
if not wait_for(rb'uid=1000\(user\)[\s\S]*drwx------ 1 root [\s\S]*usr[\s\S]*' + PROMPT, 10):
    fail('id / ls -l / output or the prompt after it missing')
os.write(fd, b'sleep 30\n')
time.sleep(1.5)
os.write(fd, b'\x03')
if not wait_for(PROMPT, 10): fail('Ctrl-C did not bring the prompt back')
os.write(fd, b'echo status $?\n')
if not wait_for(rb'status 130', 10): fail('sleep not ended by SIGINT')
os.write(fd, b'exit\n')
wait_for(rb'$^', 15)  # until the sim ends
_, st = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(st)
if code != 0: fail(f'sim exit status {code}, expected 0')
os.unlink(cfg)
os.rmdir(cfg_dir)
print('ok   login-console')
