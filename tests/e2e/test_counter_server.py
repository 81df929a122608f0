"""examples/counter-server.iasm on a 2-node cluster, used from the shell as the README shows:
`iridium call HOST:PORT counter@ALIAS` answers 1, 2, 3... (relayed when the server is on another
member), `iridium send` exits 0, a name nobody holds is exit 69, a process that never answers is
exit 75, and stopping the exec stops the server."""
import os
import subprocess
import unittest

from harness import EXAMPLES, E2ETestCase, iridium, read_line, wait_for

COUNTER = os.path.join(EXAMPLES, "counter-server.iasm")
SILENT = ".data\nname: .asciiz 'silent'\n.code\nreg @name\nload $1 #10\nprtc $1\nload $19 @wait\nwait: load $7 #-1\nload $8 #0\nrecv $9 $7 $8\njmp $19\n"


class CounterServerTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        nodes = self.start_cluster(2)
        self.node1, self.node2 = (nodes[f"node{i}"][1] for i in (1, 2))
        self.wait_for_mesh([self.node1, self.node2])

    def cli(self, *args, **kwargs):
        return iridium(*args, data_root=self.data, **kwargs)

    def serve(self, path, on):
        """An exec of PATH on node ON, running in the background until the test stops it."""
        return self.start("exec", self.node1, path, "--on", on, data_root=self.data,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip

    def test_each_call_gets_the_next_count(self):
        server = self.serve(COUNTER, "node2")
        # Refused (exit 69) until the server has registered its name.
        wait_for(lambda: self.cli("call", self.node2, "counter@node2", "hello").returncode == 0, 20, "counter registered")
        answers = [self.cli("call", via, "counter@node2", "hello") for via in (self.node1, self.node2, self.node1)]
        for out in answers:
            self.assertEqual(out.returncode, 0, f"call: {out.stderr}")
        # The first call above (in wait_for) got 1.
        self.assertEqual([out.stdout for out in answers], ["2", "3", "4"])

        self.assertEqual(self.cli("send", self.node1, "counter@node2", "x").returncode, 0, "send queues")
        self.assertEqual(self.cli("call", self.node1, "counter@node2", "--file", COUNTER).stdout, "6", "a file as the message")

        missing = self.cli("call", self.node1, "nobody@node2")
        self.assertEqual(missing.returncode, 69, missing.stderr)
        self.assertIn("no process is registered as 'nobody@node2' on node2", missing.stderr)

        server.send_signal(2)  # Ctrl-C of the exec stops the server
        self.assertEqual(server.wait(timeout=20), 130)
        server.stdout.close()
        gone = self.cli("call", self.node1, "counter@node2")
        self.assertEqual(gone.returncode, 69, "the server is gone")

    def test_a_process_that_never_answers_is_exit_75(self):
        server = self.serve(self.write("silent.iasm", SILENT), "node1")
        self.assertEqual(read_line(server.stdout, 20, "silent started"), "\n")
        out = self.cli("call", self.node1, "silent@node1", "hi", "--timeout-ms", "300")
        self.assertEqual(out.returncode, 75, out.stderr)
        self.assertIn("did not answer within 300 ms", out.stderr)
        server.send_signal(2)
        self.assertEqual(server.wait(timeout=20), 130)
        server.stdout.close()


if __name__ == "__main__":
    unittest.main()
