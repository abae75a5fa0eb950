#!/usr/bin/env python3
"""The host terminal as the console's keyboard and screen size:
- keys typed on the terminal reach inputd as key events: `inputdump` (a consumer
  on a new VT, which it activates) prints them, and while its VT is active the
  shell gets nothing; an arrow written in two parts is one key, ESC alone is Esc;
- Alt+F2 typed on the terminal switches back to the console's VT 2, Alt+F4 to
  another consumer's VT;
- resizing the terminal (TIOCSWINSZ on the master) sends SIGWINCH to the
  foreground job and `stty size` shows the new size.
usage: console_input_pty.py REDOX_SIM"""
import fcntl, os, struct, sys, termios, time
from sim_console import Console

sim = sys.argv[1]
# The console waits up to ESCDELAY ms for the rest of a key a read cut off: long
# here, so the parts of a split key below stay well inside it on a loaded host.
os.environ['ESCDELAY'] = '1000'
c = Console([sim, 'boot', '--config', 'minimal', '--log-level', 'quiet', '--timeout', '120'])
PROMPT = rb'# \x1b\[0m'
DUMP = b'/scheme/initfs/bin/inputdump'
ALT_F2, ALT_F4 = b'\x1b[1;3Q', b'\x1b[1;3S'

if not c.wait_for(PROMPT, 60): c.fail('no prompt')

# Keys from the terminal as inputd events, read by a consumer of another VT.
c.send(DUMP + b' 12\n')
if not c.wait_for(rb'inputdump: ready', 10): c.fail('inputdump did not start')
c.send(b'aZ')
if not c.wait_for(rb'key 0x1e press U\+61\r*\nkey 0x1e release U\+61\r*\nkey 0x2a press\r*\n'
                  rb'key 0x2c press U\+5A\r*\nkey 0x2c release U\+5A\r*\nkey 0x2a release', 10):
    c.fail('typed a and Z did not reach the consumer as key events')
c.send(b'\x1b[A')
if not c.wait_for(rb'key 0x48 press\r*\nkey 0x48 release', 10): c.fail('the Up arrow did not arrive as key 0x48')
# The same arrow in two reads (a slow line): still one key, not Esc, [ and A.
c.send(b'\x1b[')
time.sleep(0.3)
c.send(b'A')
if not c.wait_for(rb'^[\r\n]*key 0x48 press\r*\nkey 0x48 release\r*\n', 10):
    c.fail('an Up arrow written in two parts did not arrive as one key 0x48')
# ESC with nothing after it is the Esc key, once the decoder stopped waiting.
c.send(b'\x1b')
if not c.wait_for(rb'^[\r\n]*key 0x01 press U\+1B\r*\nkey 0x01 release U\+1B[\s\S]*' + PROMPT, 10):
    c.fail('ESC alone did not arrive as the Esc key, or no prompt after inputdump')
# inputdump's VT is still active: what is typed now goes there, not to the shell.
mark = len(c.out)
c.send(b'echo lost | tr a-z A-Z\n')
time.sleep(1.5)
c.wait_for(rb'$^', 0.5)
if b'LOST' in c.out[mark:] or b'lost' in c.out[mark:]: c.fail('keys reached the console while another VT was active')

# Alt+F2 on the terminal: the console's VT has the keyboard again.
c.send(ALT_F2)
time.sleep(0.5)
c.send(b'echo back | tr a-z A-Z\n')
if not c.wait_for(rb'\nBACK\r*\n[\s\S]*' + PROMPT, 10): c.fail('Alt+F2 did not bring the keyboard back to the console')

# Switching away and back while a consumer waits on its own VT.
c.send(DUMP + b' 3\n')
if not c.wait_for(rb'inputdump: ready', 10): c.fail('second inputdump did not start')
c.send(ALT_F2)
if not c.wait_for(rb'key 0x5b press', 10): c.fail('the Super press of Alt+F2 did not reach the old VT')
c.send(b'q')
if not c.wait_for(rb'q', 10): c.fail('after Alt+F2 the console did not echo a key')
c.send(ALT_F4)
if not c.wait_for(rb'key 0x3e press\r*\nkey 0x3e release[\s\S]*' + PROMPT, 10):
    c.fail('Alt+F4 did not switch to VT 4, or no prompt after the second inputdump')
c.send(ALT_F2)
time.sleep(0.5)
c.send(b'\x7fecho again | tr a-z A-Z\n')  # Backspace erases the q typed on VT 2
if not c.wait_for(rb'\nAGAIN\r*\n[\s\S]*' + PROMPT, 10):
    c.fail('the console did not get the keyboard back after Alt+F4, Alt+F2')

# Host terminal resize: SIGWINCH to the foreground job, the new size on the pty.
c.send(b'/scheme/initfs/bin/ptytest winch\n')
if not c.wait_for(rb'winch: waiting', 10): c.fail('ptytest winch did not start')
fcntl.ioctl(c.fd, termios.TIOCSWINSZ, struct.pack('HHHH', 33, 101, 0, 0))
if not c.wait_for(rb'winch: SIGWINCH rows 33 cols 101[\s\S]*' + PROMPT, 10):
    c.fail('no SIGWINCH with the new size in the sim')
c.send(b'stty size\n')
if not c.wait_for(rb'\n33 101\r*\n', 10): c.fail('stty size does not show 33 101')
fcntl.ioctl(c.fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
time.sleep(1)
c.send(b'stty\n')
if not c.wait_for(rb'rows 40; columns 120;', 10): c.fail('stty does not show the second size 40x120')
c.send(b'exit 0\n')
code = c.exit_status(15)
if code != 0: c.fail(f'sim exit status {code}, expected 0')
print('ok   console-input')
