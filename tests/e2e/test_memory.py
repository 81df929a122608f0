"""Do VM heaps come back? One `iridium node -r` serves 16 remote sessions that each fill a 64 MiB
heap (every page written), while 4 spawned VMs do the same; then every session closes. The node's
RSS must come back to within 64 MiB of its idle RSS, twice in a row. First, on a node with a small
budget, the limits: a session's ALOC past --max-heap-bytes and past the node's
--max-total-heap-bytes fault HEAP with a message saying which (and the node logs the second).
Prints the RSS figures."""
import os
import shutil
import time
import unittest

from harness import PROGRAMS, E2ETestCase, RemoteSession, free_ports, rss_mib, wait_for

MIB = 1 << 20
COOKIE = "memory-check-cookie"
SESSIONS, SPAWNS, ROUNDS = 16, 4, 2


class MemoryTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        os.makedirs(self.path("programs"))
        for name in ("fill_heap.iasm", "aloc_64mib.iasm"):
            shutil.copy(os.path.join(PROGRAMS, name), self.path("programs", name))

    def start_node(self, budget):
        """A node serving the remote REPL with 64 MiB VM heaps and BUDGET for all of them."""
        base = free_ports(2)
        ports = ["-P", str(base), "-r", "-p", str(base + 1)]
        limits = ["--max-heap-bytes", str(64 * MIB), "--max-total-heap-bytes", str(budget), "--threads", "2"]
        env = dict(os.environ, IRIDIUM_COOKIE=COOKIE)
        node = self.start(
            "node", "--node-alias", "memory-check", *ports, *limits, log="node", data_root=self.work, env=env
        )

        def serves():
            try:
                RemoteSession(base + 1, COOKIE).close()
                return True
            except OSError:
                return node.poll() is not None

        wait_for(serves, 30, "the node's remote REPL serves")
        self.assertIsNone(node.poll(), "the node exited")
        return node, base + 1

    def test_heap_limits_are_named(self):
        # Room for one 64 MiB heap, not two.
        _, port = self.start_node(96 * MIB)
        with RemoteSession(port, COOKIE) as first, RemoteSession(port, COOKIE) as second:
            out = first.run("!load_file aloc_64mib.iasm")
            self.assertIn("heap cap of 67108864 bytes (--max-heap-bytes)", out, "ALOC past the VM's cap")
            self.assertIn(
                "VM stopped: code 0",
                first.run("!load_file fill_heap.iasm"),
                "the first 64 MiB heap did not fit in the budget",
            )
            out = second.run("!load_file fill_heap.iasm")
            self.assertIn(
                "bytes all VM heaps may use together (--max-total-heap-bytes)", out, "ALOC past the node's budget"
            )
        self.assertIn(
            "--max-total-heap-bytes",
            self.read("node.log"),
            "the node's log does not say its heap budget refused an ALOC",
        )

    def test_heaps_come_back(self):
        # Every VM of a round fits in the budget.
        node, port = self.start_node((SESSIONS + SPAWNS + 1) * 64 * MIB)
        time.sleep(1)  # not an assertion: lets the fresh node settle before its idle RSS is read
        idle = rss_mib(node.pid)
        print(f"\n  idle RSS: {idle:.1f} MiB")
        for round_ in range(1, ROUNDS + 1):
            sessions = [RemoteSession(port, COOKIE) for _ in range(SESSIONS)]
            try:
                for s in sessions:
                    self.assertIn(
                        "VM stopped: code 0",
                        s.run("!load_file fill_heap.iasm"),
                        f"round {round_}: a session could not fill its heap",
                    )
                peak = rss_mib(node.pid)
                for _ in range(SPAWNS):
                    out = sessions[0].run("!spawn fill_heap.iasm")
                    self.assertIn("spawned vm", out, f"round {round_}: spawn refused")
                # Each spawn reports to session 0 when it ends; wait for the 4 reports.
                reports = [out.count("GracefulStop{0}")]

                def all_reported():
                    nonlocal peak
                    reports[0] += sessions[0].run("").count("GracefulStop{0}")
                    peak = max(peak, rss_mib(node.pid))
                    return reports[0] >= SPAWNS

                wait_for(all_reported, 60, f"round {round_}: all {SPAWNS} spawns report", interval=0.05)
            finally:
                for s in sessions:
                    s.close()
            # The heaps come back when the sessions end; the node collects right after.
            try:
                wait_for(lambda: rss_mib(node.pid) <= idle + 64, 15, "RSS back near idle", interval=0.25)
            except AssertionError:
                pass  # judged below, with the figures
            time.sleep(1)  # not an assertion: the figure is read once the collection is over
            after = rss_mib(node.pid)
            print(
                f"  round {round_}: peak RSS {peak:.1f} MiB "
                f"({SESSIONS} sessions x 64 MiB, then {SPAWNS} spawns x 64 MiB); "
                f"after closing: {after:.1f} MiB ({after - idle:+.1f} MiB against idle)"
            )
            self.assertGreaterEqual(
                peak,
                idle + SESSIONS * 64 * 0.9,
                f"round {round_}: the sessions did not take their memory (peak {peak:.1f} MiB): "
                "the check would measure nothing",
            )
            self.assertLessEqual(
                after, idle + 64, f"round {round_}: RSS {after:.1f} MiB is more than 64 MiB above idle ({idle:.1f} MiB)"
            )


if __name__ == "__main__":
    unittest.main()
