"""Inputs and outputs of the published binary that only a real process shows: standard input
without end, standard output on a full device, a config on a FIFO. Each must end in one clear
line and the exit status of its kind (66 input, 73 output, 78 config), never 70 or a hang."""
import os
import subprocess
import time
import unittest

from harness import EXAMPLES, E2ETestCase, iridium

HELLO = os.path.join(EXAMPLES, "hello.iasm")


class CliInputTests(E2ETestCase):
    def test_endless_standard_input_is_cut_at_the_program_cap(self):
        yes = self.spawn(["yes", "nop"], stdout=subprocess.PIPE)
        out = iridium("run", "-", stdin=yes.stdout)
        self.assertEqual(out.returncode, 66, out.stderr)
        self.assertEqual(out.stderr, "iridium: cannot read standard input: larger than 16777216 bytes\n")

    def test_a_message_or_value_file_that_cannot_be_read_is_66(self):
        missing = self.path("no-such-file")
        for args in (["send", "127.0.0.1:1", "x.1"], ["call", "127.0.0.1:1", "x.1"], ["kv", "put", "127.0.0.1:1", "k"]):
            with self.subTest(args=args):
                out = iridium(*args, "--file", missing)
                self.assertEqual(out.returncode, 66, out.stderr)
                self.assertRegex(out.stderr, rf"^iridium: [a-z ]+: cannot read {missing}: no such file\n$")

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_standard_output_on_a_full_device_is_73(self):
        for args in (["run", HELLO], ["--help"], ["node", "--help"], ["version"], ["disasm", HELLO]):
            with self.subTest(args=args), open("/dev/full", "wb") as full:
                out = iridium(*args, stdout=full)
                self.assertEqual(out.returncode, 73, out.stderr)
                self.assertRegex(out.stderr, r"^iridium: cannot write [^\n]*\n$")

    def test_a_config_on_a_fifo_with_no_writer_is_given_up_on(self):
        fifo = self.path("node.toml")
        os.mkfifo(fifo)
        started = time.monotonic()
        out = iridium("node", "--config", fifo, data_root=self.path("data"))
        self.assertEqual(out.returncode, 78, out.stderr)
        self.assertIn("nothing to read after 10 s", out.stderr)
        self.assertLess(time.monotonic() - started, 50)


if __name__ == "__main__":
    unittest.main()
