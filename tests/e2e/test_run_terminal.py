"""`iridium run` behaves like a Unix program: on a terminal its output appears line by line as the
program prints it; into a pipe it arrives while the program runs (flushed at least every 100 ms);
Ctrl-C and SIGTERM stop the run at an instruction boundary with `iridium: interrupted at pc=N
(INSTRUCTION)` and exit status 130, and everything printed before the interruption is written.

The binary is $IRIDIUM_BIN (default artifacts/iridium from the repository root; see harness.py)."""

import fcntl
import glob
import json
import os
import pty
import re
import select
import signal
import subprocess
import tempfile
import termios
import time
import unittest

from harness import BIN

# The first instruction prints; the line ends two instructions later; then a loop that never ends.
FIRST_LINE_THEN_FOREVER = """.data
msg: .asciiz 'started'
.code
        prts @msg
        load $3 #10
        prtc $3
        load $0 #1
        load $1 #2
top:    lt $0 $1            ; always true
        djmpe @top
"""

# Prints 0, 1, 2, ... one per line, for ever: $0 says how far it got when it was stopped.
COUNT_FOREVER = """.data
.code
        load $3 #10
        load $4 @top
top:    prti $0
        prtc $3
        inc $0
        jmp $4
"""

# Waits in RECV from its first instructions on, for ever (the run's root becomes a process).
WAIT_AT_ONCE = """.data
.code
        load $7 #-1
        load $8 #0
        recv $9 $7 $8
        hlt
"""

INTERRUPTED = re.compile(rb"iridium: interrupted at pc=\d+ \([A-Z]+[^)]*\)")

# How long the first line may take from the moment the process is started (the run's promise),
# and how many tries a loaded machine gets before that counts as a failure.
FIRST_LINE_LIMIT = 0.2
FIRST_LINE_TRIES = 3
# Everything else: generous, for a loaded machine.
DEADLINE = 30.0


def read_until(fd, wanted, deadline):
    """Reads from fd until `wanted` has arrived or the deadline (monotonic) passes; returns what was read."""
    data = b""
    while wanted not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not chunk:
            break
        data += chunk
    return data


def read_to_end(fd, deadline):
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


def signal_handler_ready(process):
    """True once the run's SIGINT/SIGTERM handler exists (the runtime's thread for it is named),
    or the process has ended."""
    for comm in glob.glob(f"/proc/{process.pid}/task/*/comm"):
        try:
            with open(comm, encoding="utf-8") as f:
                if f.read().startswith(".NET SigHandler"):
                    return True
        except OSError:
            pass
    return process.poll() is not None


def controlling_terminal():
    """In the child: a new session whose controlling terminal is stdin (the pty), so the
    terminal's Ctrl-C (byte 0x03) sends SIGINT to it as a shell's foreground job."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class RunTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(BIN, os.X_OK):
            raise AssertionError(f"no iridium binary at {BIN} (publish it or set IRIDIUM_BIN)")
        cls.scratch = tempfile.TemporaryDirectory()
        cls.first_line = cls.assemble("first_line", FIRST_LINE_THEN_FOREVER)
        cls.count = cls.assemble("count", COUNT_FOREVER)
        cls.wait_at_once = cls.assemble("wait_at_once", WAIT_AT_ONCE)

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    @classmethod
    def assemble(cls, name, source):
        """Assembled ahead, so the start-up measured is the run's, not the assembler's."""
        path = os.path.join(cls.scratch.name, name + ".iasm")
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        image = os.path.join(cls.scratch.name, name + ".ir")
        subprocess.run([BIN, "asm", path, "-o", image], check=True, timeout=DEADLINE)
        return image

    def stop(self, process):
        if process.poll() is None:
            process.kill()
        process.wait(timeout=DEADLINE)

    def start_on_terminal(self):
        """`iridium run` on a new pseudo-terminal: (process, the terminal's master side, start time)."""
        master, slave = pty.openpty()
        started = time.monotonic()
        try:
            process = subprocess.Popen([BIN, "run", self.first_line], stdin=slave, stdout=slave, stderr=slave,
                                       preexec_fn=controlling_terminal, close_fds=True)
        finally:
            os.close(slave)
        self.addCleanup(os.close, master)
        self.addCleanup(self.stop, process)
        return process, master, started

    def test_on_a_terminal_the_first_line_appears_at_once_and_ctrl_c_interrupts(self):
        timings = []
        for _ in range(FIRST_LINE_TRIES):
            process, master, started = self.start_on_terminal()
            seen = read_until(master, b"started\r\n", started + DEADLINE)
            arrived = time.monotonic() - started
            self.assertIn(b"started\r\n", seen, "the first line never appeared")
            self.assertIsNone(process.poll(), "the program should still be looping")
            timings.append(arrived)
            if arrived <= FIRST_LINE_LIMIT:
                break
            self.stop(process)
        else:
            self.fail(f"the first line took {', '.join(f'{t * 1000:.0f} ms' for t in timings)} "
                      f"from start in {FIRST_LINE_TRIES} tries (limit {FIRST_LINE_LIMIT * 1000:.0f} ms)")

        os.write(master, b"\x03")  # Ctrl-C, as typed
        self.assertEqual(130, process.wait(timeout=DEADLINE))
        rest = read_to_end(master, time.monotonic() + 2)
        self.assertRegex(rest, INTERRUPTED)

    def test_into_a_pipe_the_first_line_arrives_while_the_program_runs_and_sigterm_interrupts(self):
        process = subprocess.Popen([BIN, "run", self.first_line], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self.stop, process)
        seen = read_until(process.stdout.fileno(), b"started\n", time.monotonic() + DEADLINE)
        self.assertEqual(b"started\n", seen)
        self.assertIsNone(process.poll(), "the program should still be looping")

        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=DEADLINE)
        self.assertEqual(130, process.returncode)
        self.assertEqual(b"", out)
        self.assertRegex(err, INTERRUPTED)

    def test_everything_printed_before_an_interruption_is_written(self):
        state_path = os.path.join(self.scratch.name, "count-state.json")
        process = subprocess.Popen([BIN, "run", self.count, "--state-json", state_path],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self.stop, process)
        # Let it print more than one buffer's worth, then stop it with that output still flowing.
        early = read_until(process.stdout.fileno(), b"\n30000\n", time.monotonic() + DEADLINE)
        self.assertIn(b"\n30000\n", early)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=DEADLINE)
        self.assertEqual(130, process.returncode)
        self.assertRegex(err, INTERRUPTED)

        with open(state_path, encoding="utf-8") as f:
            state = json.load(f)
        self.assertEqual("Interrupted", state["event"]["kind"])
        counter = state["registers"][0]
        lines = (early + out).split(b"\n")
        complete = [int(line) for line in lines[:-1]]
        # Every number the program finished printing is there, in order, with no gap: up to the
        # counter's value when it was stopped (minus one if it stopped before printing that one).
        self.assertEqual(list(range(len(complete))), complete)
        self.assertIn(len(complete) - 1, (counter - 1, counter))
        self.assertIn(lines[-1], (b"", str(counter).encode()))

    def test_a_program_that_waits_from_its_start_is_interrupted_cleanly(self):
        # The handler is armed only for a program that goes on (a short one never pays for its
        # thread), but before a RECV blocks, even one in the run's first slice.
        process = subprocess.Popen([BIN, "run", self.wait_at_once], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self.stop, process)
        deadline = time.monotonic() + DEADLINE
        while not signal_handler_ready(process) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertIsNone(process.poll(), "the program should still be waiting")
        self.assertTrue(signal_handler_ready(process), "the waiting run never armed its signal handler")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=DEADLINE)
        self.assertEqual(130, process.returncode)
        self.assertEqual(b"", out)
        self.assertRegex(err, INTERRUPTED)


if __name__ == "__main__":
    unittest.main()
