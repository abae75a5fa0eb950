"""A booted sim on a host terminal (a pty), for the console tests: start it,
read until a pattern shows up, type, and fail with what the terminal showed."""
import os, pty, re, select, sys, time


class Console:
    def __init__(self, argv, cleanup=None):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(argv[0], argv)
        self.out = b''
        self.cleanup = cleanup

    def wait_for(self, pattern, timeout):
        """Reads the terminal until `pattern` appears after what was seen so far."""
        start = len(self.out)
        end = time.time() + timeout
        while time.time() < end:
            if re.search(pattern, self.out[start:]):
                return True
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    d = os.read(self.fd, 4096)
                except OSError:
                    break
                if not d:
                    break
                self.out += d
        return re.search(pattern, self.out[start:]) is not None

    def send(self, data):
        os.write(self.fd, data)

    def fail(self, what):
        print('FAIL', what, repr(self.out.decode(errors='replace')))
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass
        if self.cleanup:
            self.cleanup()
        sys.exit(1)

    def exit_status(self, timeout):
        """Waits for the sim to end; its exit status."""
        self.wait_for(rb'$^', timeout)
        _, st = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(st)
