"""Inputs and outputs of the published binary that only a real process shows: standard input
without end, standard output on a full device, a config on a FIFO. Each must end in a clear
line and the exit status of its kind (66 input, 73 output, 78 config), never 70 or a hang.
The binary is $IRIDIUM_BIN (default artifacts/iridium from the repository root)."""

import os
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, os.environ.get("IRIDIUM_BIN", "artifacts/iridium"))
HELLO = os.path.join(ROOT, "examples", "hello.iasm")


def iridium(*args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=60):
    """Runs the binary; returns (status, stdout, stderr) as text."""
    done = subprocess.run([BIN, *args], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout)
    out = done.stdout.decode("utf-8", "replace") if done.stdout is not None else ""
    return done.returncode, out, done.stderr.decode("utf-8", "replace")


class EndlessStandardInput(unittest.TestCase):
    def test_yes_into_run_is_cut_at_the_program_cap(self):
        yes = subprocess.Popen(["yes", "nop"], stdout=subprocess.PIPE)
        try:
            status, _, err = iridium("run", "-", stdin=yes.stdout)
        finally:
            yes.kill()
            yes.wait()
        self.assertEqual(status, 66, err)
        self.assertEqual(err, "iridium: cannot read standard input: larger than 16777216 bytes\n")


@unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
class FullStandardOutput(unittest.TestCase):
    def check(self, *args):
        with open("/dev/full", "wb") as full:
            status, _, err = iridium(*args, stdout=full)
        self.assertEqual(status, 73, err)
        self.assertTrue(err.startswith("iridium: cannot write "), err)
        self.assertNotIn("internal error", err)

    def test_a_programs_output(self):
        self.check("run", HELLO)

    def test_help_and_version(self):
        self.check("--help")
        self.check("node", "--help")
        self.check("version")

    def test_a_listing(self):
        self.check("disasm", HELLO)


class ConfigOnAFifo(unittest.TestCase):
    def test_a_fifo_with_no_writer_is_given_up_on(self):
        with tempfile.TemporaryDirectory() as work:
            fifo = os.path.join(work, "node.toml")
            os.mkfifo(fifo)
            started = time.monotonic()
            status, _, err = iridium("node", "--config", fifo, "--data-root-dir", os.path.join(work, "data"))
            self.assertEqual(status, 78, err)
            self.assertIn("nothing to read after 10 s", err)
            self.assertLess(time.monotonic() - started, 50)


if __name__ == "__main__":
    unittest.main()
