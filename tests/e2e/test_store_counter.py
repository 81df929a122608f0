"""examples/store-counter.iasm on three store voters on loopback: `iridium exec` of it once on each
voter prints 1, 2, 3 (KGET, then KCAS from absent or from the old count, through whichever voter
leads). A fourth node given the voters' list without being in it is a client of the store: its
programs count on (through a voter). A node without the list has no store: its programs hear
"unavailable" and change nothing. A voter cut off from the majority answers "unavailable" instead of hanging, and Ctrl-C of
an exec stops a program that keeps asking it (tests/Iridium.Vm.Tests interrupt a wait itself). A
store instruction with a record outside the heap is a located fault, not a crash."""
import os
import signal
import subprocess
import unittest

from harness import EXAMPLES, E2ETestCase, free_ports, iridium, read_line, stop, wait_for

COUNTER = os.path.join(EXAMPLES, "store-counter.iasm")
VOTERS = ("a", "b", "c")

# KGET of a key no one writes: prints R[c], -1 once the store answers (-2 while it cannot).
PROBE = """.data
key: .asciiz 'probe'
.code
load $1 #4
load $2 @key
strh $1 $2 $3
load $0 #0
setm $0 $3
load $4 #16
load $5 #8
kget $0 $4 $5
prti $5
load $6 #10
prtc $6
hlt
"""

# KGET after KGET, for ever, saying once that it has started: a program that keeps asking the store.
PROBE_FOREVER = PROBE.replace("load $4 #16", "load $7 #10\nprtc $7\nload $4 #16").replace(
    "kget $0 $4 $5", "again: load $5 #8\nkget $0 $4 $5\ndjmpe @again\nload $8 @again\njmp $8"
)

# KPUT with a key record whose length (-5) puts it outside the heap: fault HEAP.
BAD_RECORD = """load $0 #-5
load $1 #0
setm $1 $0
kput $1 $1
hlt
"""


class StoreCounterTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.data = self.path("data")
        os.makedirs(self.data)
        base = free_ports(4)
        self.nodes = {}
        self.voters = {}
        for i, alias in enumerate(VOTERS):
            args = ["node", "--node-alias", alias, "-P", str(base + i),
                    "--store-voters", ",".join(VOTERS), "--store-dir", self.path(f"store-{alias}")]  # fmt: skip
            if i > 0:
                args += ["--join", f"127.0.0.1:{base}"]
            self.voters[alias] = self.start(*args, log=alias, data_root=self.data)
            self.nodes[alias] = f"127.0.0.1:{base + i}"
        self.plain = f"127.0.0.1:{base + 3}"
        self.wait_for_mesh(list(self.nodes.values()))
        probe = self.write("probe.iasm", PROBE)
        # Every voter's programs reach the store: a leader is elected and every voter knows it.
        for address in self.nodes.values():
            wait_for(
                lambda a=address: self.exec(a, probe).stdout == "-1\n", 60, f"the store answers programs on {address}"
            )

    def exec(self, via, path):
        return iridium("exec", via, path, data_root=self.data)

    def test_one_run_on_each_voter_counts_1_2_3(self):
        printed = []
        for alias in VOTERS:
            out = self.exec(self.nodes[alias], COUNTER)
            self.assertEqual(out.returncode, 0, f"exec on {alias}: {out.stderr}")
            printed.append(out.stdout)
        self.assertEqual(printed, ["1\n", "2\n", "3\n"])

    def test_a_node_that_is_not_a_voter_reaches_the_store_through_the_voters(self):
        self.start("node", "--node-alias", "d", "-P", self.plain.split(":")[1], "--join", self.nodes["a"],
                   "--store-voters", ",".join(VOTERS), log="d", data_root=self.data)  # fmt: skip
        self.wait_for_mesh([*self.nodes.values(), self.plain])
        self.assertEqual(self.exec(self.nodes["a"], COUNTER).stdout, "1\n")
        wait_for(lambda: self.exec(self.plain, self.write("probe.iasm", PROBE)).stdout == "-1\n", 60,
                 "the store answers programs on d")  # fmt: skip
        out = self.exec(self.plain, COUNTER)
        self.assertEqual((out.returncode, out.stdout), (0, "2\n"), out.stderr)
        self.assertEqual(self.exec(self.nodes["c"], COUNTER).stdout, "3\n", "d's run counted")

    def test_a_node_without_the_store_answers_unavailable(self):
        self.start("node", "--node-alias", "d", "-P", self.plain.split(":")[1], "--join", self.nodes["a"],
                   log="d", data_root=self.data)  # fmt: skip
        self.wait_for_mesh([*self.nodes.values(), self.plain])
        self.assertEqual(self.exec(self.nodes["a"], COUNTER).stdout, "1\n")
        # No store is attached there, so the instructions answer without waiting (no wall-clock bound
        # is asserted here: tests/Iridium.Vm.Tests shows the answer comes without a wait at all).
        out = self.exec(self.plain, COUNTER)
        self.assertEqual((out.returncode, out.stdout), (0, "store-counter: the store is unavailable\n"), out.stderr)
        self.assertEqual(self.exec(self.nodes["b"], COUNTER).stdout, "2\n", "the non-voter's run changed nothing")

    def test_a_voter_without_a_majority_answers_unavailable_and_ctrl_c_stops_its_program(self):
        for alias in ("b", "c"):
            stop(self.voters[alias], signal.SIGKILL)
        # Within the store timeout (5 s) the voter left alone says it cannot answer.
        out = self.exec(self.nodes["a"], self.write("probe.iasm", PROBE))
        self.assertEqual((out.returncode, out.stdout), (0, "-2\n"), out.stderr)
        self.assertEqual(self.exec(self.nodes["a"], COUNTER).stdout, "store-counter: the store is unavailable\n")

        waiting = self.start("exec", self.nodes["a"], self.write("forever.iasm", PROBE_FOREVER), data_root=self.data,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
        self.assertEqual(read_line(waiting.stdout, 30, "the waiting program starts"), "\n")
        waiting.send_signal(signal.SIGINT)
        self.assertEqual(waiting.wait(timeout=30), 130, "Ctrl-C of the exec stops the program")
        waiting.stdout.close()

    def test_a_record_outside_the_heap_is_a_located_fault(self):
        out = self.exec(self.nodes["b"], self.write("bad.iasm", BAD_RECORD))
        self.assertEqual(out.returncode, 17, out.stderr)
        self.assertIn("fault HEAP at pc=", out.stderr)
        self.assertIn("KPUT $1 $1", out.stderr)
        self.assertEqual(self.exec(self.nodes["b"], COUNTER).stdout, "1\n", "the node serves on")


if __name__ == "__main__":
    unittest.main()
