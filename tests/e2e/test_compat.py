"""Do two builds of iridium speak the same cluster protocol? Needs an older binary: set
IRIDIUM_OLD_BIN to it (skipped otherwise; CI has none). Run it when the protocol or exec code changes:
    IRIDIUM_OLD_BIN=/path/to/old/iridium python3 tests/e2e/run.py compat
MixedMeshTests: for each way round (OLD seeds, then NEW seeds) three nodes mesh: a1 (seed's build),
b1 (the other build) joining a1, and a2 (seed's build) joining through b1, so it learns a1 from
b1's member list. Every node is asked for its members with both builds' `members`; b1 leaves
(SIGTERM: Leave) and the others must drop it at once (newer builds list it as down; both builds'
`members` must read that), and a2 leaves too. Only flags both builds accept are used: node
--node-alias --server-bind-port --join --data-root-dir, members --data-root-dir --timeout-ms.
MixedExecTests: a cluster mixing a build without exec (OLD) and one with it (NEW, the binary under
test): the mesh stays whole through several heartbeats (NEW's load reports travel in Data bodies
OLD drops), exec on the OLD member is refused with a message (exit 69), exec through the OLD node
says it does not answer exec (exit 69), and the NEW members still run programs."""
import os
import time
import unittest

import harness
from harness import BIN, EXAMPLES, E2ETestCase, free_ports, iridium, live_aliases, wait_for

OLD = os.environ.get("IRIDIUM_OLD_BIN")
HELLO = os.path.join(EXAMPLES, "hello.iasm")


@unittest.skipUnless(OLD, "needs an older binary: set IRIDIUM_OLD_BIN")
class CompatTestCase(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.old, self.new = os.path.abspath(OLD), BIN
        self.data = self.path("data")

    def node(self, binary, alias, port, *extra):
        options = ["--node-alias", alias, "--server-bind-port", str(port), *extra]
        return self.start("node", *options, binary=binary, log=alias, data_root=self.data)

    def live(self, binary, port):
        return live_aliases(f"127.0.0.1:{port}", data_root=self.data, binary=binary)


class MixedMeshTests(CompatTestCase):
    def round(self, seed, other, label):
        base = free_ports(3)
        a1 = self.node(seed, "a1", base)
        wait_for(
            lambda: harness.members(f"127.0.0.1:{base}", data_root=self.data, binary=seed) is not None,
            20,
            f"{label}: a1 listens",
        )
        b1 = self.node(other, "b1", base + 1, "--join", f"127.0.0.1:{base}")
        a2 = self.node(seed, "a2", base + 2, "--join", f"127.0.0.1:{base + 1}")
        for binary in (seed, other):
            for port in (base, base + 1, base + 2):
                wait_for(
                    lambda: self.live(binary, port) == ["a1", "a2", "b1"],
                    30,
                    f"{label}: the node on {port} lists a1 a2 b1 (asked by {binary})",
                )

        harness.stop(b1)
        wait_for(
            lambda: "node down: b1 (left" in self.read("a1.log") and "node down: b1 (left" in self.read("a2.log"),
            5,
            f"{label}: a1 and a2 drop b1 after its Leave",
        )
        # Newer nodes now list b1 as down (and send its details after the list): both builds' clients must read that.
        for binary in (seed, other):
            self.assertEqual(
                self.live(binary, base), ["a1", "a2"], f"{label}: a1 still lists b1 as live (asked by {binary})"
            )
        self.assertIn(
            "left the cluster (2 peers told)", self.read("b1.log"), f"{label}: b1 did not tell both peers it left"
        )
        harness.stop(a2)
        wait_for(lambda: "node down: a2 (left" in self.read("a1.log"), 5, f"{label}: a1 drops a2")
        harness.stop(a1)

    def test_old_seeds_new_joins(self):
        self.round(self.old, self.new, "old seeds, new joins")

    def test_new_seeds_old_joins(self):
        self.round(self.new, self.old, "new seeds, old joins")


class MixedExecTests(CompatTestCase):
    def test_exec_in_a_mixed_cluster(self):
        base = free_ports(3)
        self.node(self.new, "new1", base)
        self.node(self.old, "old1", base + 1, "--join", f"127.0.0.1:{base}")
        self.node(self.new, "new2", base + 2, "--join", f"127.0.0.1:{base}")
        ports = (base, base + 1, base + 2)
        wait_for(lambda: all(len(self.live(self.new, p)) == 3 for p in ports[:2]), 20, "old and new mesh")
        time.sleep(4)  # several heartbeats, each with a load report to every peer
        for port in ports:
            self.assertEqual(len(self.live(self.new, port)), 3, f"the node on {port} no longer sees all 3 after 4 s")
        for alias in ("new1", "old1", "new2"):
            self.assertNotIn("node down", self.read(f"{alias}.log"), f"{alias} saw a node go down")

        out = iridium("exec", f"127.0.0.1:{base}", HELLO, "--on", "old1", data_root=self.data)
        self.assertEqual(out.returncode, 69, f"exec on the old member: {out.stderr}")
        self.assertIn("older iridium", out.stderr)
        out = iridium("exec", f"127.0.0.1:{base + 1}", HELLO, data_root=self.data)
        self.assertEqual(out.returncode, 69, f"exec through the old node: {out.stderr}")
        self.assertIn("does not run programs for exec", out.stderr)
        out = iridium("exec", f"127.0.0.1:{base}", HELLO, "--on", "new2", data_root=self.data)
        self.assertEqual(out.returncode, 0, f"exec on new2: {out.stderr}")
        self.assertEqual(out.stdout, "Hello, world!\n", "the new members still run programs")
        for port in ports:
            self.assertEqual(
                len(self.live(self.new, port)), 3, f"the node on {port} lost a member after the exec requests"
            )


if __name__ == "__main__":
    unittest.main()
