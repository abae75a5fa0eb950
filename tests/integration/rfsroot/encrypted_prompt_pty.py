#!/usr/bin/env python3
"""`redox-sim boot --image ENCRYPTED.img` on a host terminal without --password-file:
it asks for the password (not echoed), says so when it is wrong and asks again, then
boots and runs the command; three wrong answers end it with one error and status 1.
usage: encrypted_prompt_pty.py REDOX_SIM COREUTILS"""
import os, shutil, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from sim_console import Console

sim, coreutils = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
os.environ['XDG_CACHE_HOME'] = os.path.join(tmp, 'cache')
cleanup = lambda: shutil.rmtree(tmp, ignore_errors=True)
tree = os.path.join(tmp, 'tree')
for d in ('usr/bin', 'etc', 'tmp', 'root'):
    os.makedirs(os.path.join(tree, d))
shutil.copy(coreutils, os.path.join(tree, 'usr/bin/coreutils'))
os.symlink('coreutils', os.path.join(tree, 'usr/bin/cat'))
with open(os.path.join(tree, 'etc/hostname'), 'w') as f:
    f.write('unlocked-on-a-terminal\n')
with open(os.path.join(tmp, 'pw'), 'w') as f:
    f.write('typed secret\n')
img = os.path.join(tmp, 'enc.img')
# Room for coreutils (tens of MiB when sanitized) and the file system's own blocks.
size = '%dM' % (os.path.getsize(coreutils) // (1 << 20) + 32)
r = subprocess.run([sim, 'fs', 'ar', img, tree, '--size', size, '--encrypt', '--password-file',
                    os.path.join(tmp, 'pw')], capture_output=True)
if r.returncode != 0:
    print('FAIL fs ar --encrypt:', r.stdout, r.stderr)
    cleanup()
    sys.exit(1)

argv = [sim, 'boot', '--image', img, '--log-level', 'quiet', '--timeout', '60', '--exec', 'cat /etc/hostname']
c = Console(argv, cleanup)
if not c.wait_for(rb'password for .*enc\.img: ', 20): c.fail('no password prompt')
c.send(b'not it\n')
if not c.wait_for(rb'wrong password\r?\n.*password for ', 20): c.fail('a wrong password was not refused')
if b'not it' in c.out: c.fail('the password was echoed')
c.send(b'typed secret\n')
if not c.wait_for(rb'unlocked-on-a-terminal', 60): c.fail('no boot after the right password')
st = c.exit_status(30)
if st != 0: c.fail('the sim ended with status %d' % st)
print('ok   prompt-unlocks')

c = Console(argv, cleanup)
for i in range(3):
    if not c.wait_for(rb'password for ', 20): c.fail('no prompt %d' % (i + 1))
    c.send(b'wrong %d\n' % i)
if not c.wait_for(rb'boot: --image .*: wrong password', 20): c.fail('no error after three wrong passwords')
st = c.exit_status(20)
if st == 0: c.fail('three wrong passwords still booted')
print('ok   three-wrong-passwords')
cleanup()
