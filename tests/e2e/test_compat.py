"""A rolling upgrade from a build without encryption (protocol 1) to this one (protocol 2). Needs
the older binary: set IRIDIUM_OLD_BIN to it (skipped otherwise; CI has none). Run it when the
protocol or the handshake changes:
    IRIDIUM_OLD_BIN=/path/to/old/iridium python3 tests/e2e/run.py compat
RefusedTests: a new node refuses an old one and logs one line that says why (naming
--allow-plaintext-peers), both ways round (old dials new; new dials old, which hangs up on the
encrypted handshake); neither lists the other.
UpgradeTests: with --allow-plaintext-peers on the new nodes, three nodes mesh both ways round
(the seed's build a1, the other build b1 joining a1, a2 of the seed's build joining through b1, so
it learns a1 from b1's member list), every node answers `members` of its own build, every
plain-text connection is logged as a warning, and a Leave still reaches the others at once.
Only flags both builds accept are given to the old one: node --node-alias --server-bind-port
--join --data-root-dir, members --data-root-dir --timeout-ms."""
import os
import unittest

import harness
from harness import BIN, E2ETestCase, free_ports, live_aliases, wait_for

OLD = os.environ.get("IRIDIUM_OLD_BIN")
ALLOW = "--allow-plaintext-peers"


@unittest.skipUnless(OLD, "needs an older binary: set IRIDIUM_OLD_BIN")
class CompatTestCase(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.old, self.new = os.path.abspath(OLD), BIN
        self.data = self.path("data")

    def node(self, binary, alias, port, *extra, allow=True):
        options = ["--node-alias", alias, "--server-bind-port", str(port), *extra]
        if binary == self.new and allow:
            options.append(ALLOW)
        return self.start("node", *options, binary=binary, log=alias, data_root=self.data)

    def live(self, binary, port):
        return live_aliases(f"127.0.0.1:{port}", data_root=self.data, binary=binary)

    def listening(self, binary, port, label):
        wait_for(
            lambda: harness.members(f"127.0.0.1:{port}", data_root=self.data, binary=binary) is not None,
            20,
            f"{label}: the node on {port} listens",
        )


class RefusedTests(CompatTestCase):
    def test_an_old_node_dialing_a_new_one_is_refused_with_why(self):
        base = free_ports(2)
        self.node(self.new, "new", base, allow=False)
        self.listening(self.new, base, "new")
        self.node(self.old, "old", base + 1, "--join", f"127.0.0.1:{base}")
        wait_for(lambda: ALLOW in self.read("new.log"), 20, "the new node says why it refuses the old one")
        self.assertEqual(self.live(self.new, base), ["new"], "the new node admitted the old one")
        self.assertEqual(self.live(self.old, base + 1), ["old"], "the old node thinks it joined")
        refusal = [l for l in self.read("new.log").splitlines() if ALLOW in l][0]
        self.assertIn("older iridium", refusal)

    def test_a_new_node_dialing_an_old_one_says_why(self):
        base = free_ports(2)
        self.node(self.old, "old", base)
        self.listening(self.old, base, "old")
        self.node(self.new, "new", base + 1, "--join", f"127.0.0.1:{base}", allow=False)
        wait_for(lambda: "older iridium" in self.read("new.log"), 20, "the new node says the seed may be older")
        self.assertEqual(self.live(self.old, base), ["old"], "the old node admitted the new one")


class UpgradeTests(CompatTestCase):
    def round(self, seed, other, label):
        base = free_ports(3)
        a1 = self.node(seed, "a1", base)
        self.listening(seed, base, label)
        b1 = self.node(other, "b1", base + 1, "--join", f"127.0.0.1:{base}")
        a2 = self.node(seed, "a2", base + 2, "--join", f"127.0.0.1:{base + 1}")
        for port, binary in ((base, seed), (base + 1, other), (base + 2, seed)):
            wait_for(
                lambda: self.live(binary, port) == ["a1", "a2", "b1"],
                30,
                f"{label}: the node on {port} lists a1 a2 b1 (asked by its own build)",
            )
        new_logs = [f"{alias}.log" for alias, binary in (("a1", seed), ("b1", other), ("a2", seed)) if binary == self.new]
        for log in new_logs:
            self.assertIn("NOT encrypted", self.read(log), f"{label}: {log} does not warn of its plain-text peer")

        harness.stop(b1)
        wait_for(
            lambda: "node down: b1 (left" in self.read("a1.log") and "node down: b1 (left" in self.read("a2.log"),
            5,
            f"{label}: a1 and a2 drop b1 after its Leave",
        )
        harness.stop(a2)
        wait_for(lambda: "node down: a2 (left" in self.read("a1.log"), 5, f"{label}: a1 drops a2")
        harness.stop(a1)

    def test_old_seeds_new_joins(self):
        self.round(self.old, self.new, "old seeds, new joins")

    def test_new_seeds_old_joins(self):
        self.round(self.new, self.old, "new seeds, old joins")


if __name__ == "__main__":
    unittest.main()
