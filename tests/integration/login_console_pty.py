#!/usr/bin/env python3
"""The login console on a host terminal, with a config that installs userutils:
log in as `user` (the password is not echoed), `ls -l /`, Ctrl-C a `sleep 30`
(status 130, the shell stays), log out (back to the login prompt), and ^D
there ends the sim with status 0.
usage: login_console_pty.py REDOX_SIM"""
import os, sys, tempfile, time
from sim_console import Console

sim = sys.argv[1]
cfg_dir = tempfile.mkdtemp()
cfg = os.path.join(cfg_dir, 'login.toml')
with open(cfg, 'w') as f:
    f.write('include = ["minimal.toml"]\n\n[packages]\nuserutils = {}\n')

def cleanup():
    os.unlink(cfg)
    os.rmdir(cfg_dir)

c = Console([sim, 'boot', '--config', cfg, '--log-level', 'quiet', '--timeout', '60'], cleanup)

PROMPT = rb'\$ \x1b\[0m'
if not c.wait_for(rb'login: ', 30): c.fail('no login prompt')
c.send(b'user\n')
if not c.wait_for(rb'password: ', 10): c.fail('no password prompt')
c.send(b'wrong\n')
if not c.wait_for(rb'Login incorrect\r*\nredox login: ', 10): c.fail('a wrong password was accepted')
if b'wrong' in c.out: c.fail('the password was echoed')
c.send(b'user\n')
if not c.wait_for(rb'password: ', 10): c.fail('no second password prompt')
c.send(b'\n')
if not c.wait_for(PROMPT, 20): c.fail("no user's shell prompt after login")
c.send(b'id; ls -l /\n')
if not c.wait_for(rb'uid=1000\(user\)[\s\S]*drwx------ 1 root [\s\S]*usr[\s\S]*' + PROMPT, 10):
    c.fail('id / ls -l / output or the prompt after it missing')
c.send(b'sleep 30\n')
time.sleep(1.5)
c.send(b'\x03')
if not c.wait_for(PROMPT, 10): c.fail('Ctrl-C did not bring the prompt back')
c.send(b'echo status $?\n')
if not c.wait_for(rb'status 130', 10): c.fail('sleep not ended by SIGINT')
c.send(b'exit\n')
if not c.wait_for(rb'redox login: ', 10): c.fail('logout did not return to the login prompt')
c.send(b'\x04')
code = c.exit_status(15)
if code != 0: c.fail(f'sim exit status {code}, expected 0')
cleanup()
print('ok   login-console')
