"""Processes across members of a real 3-node cluster: `iridium exec` runs cross-pingpong.iasm,
whose workers each spawn a partner on the next member and ping-pong a counter with it; the
exec ends when the root has collected every counter, and no partner is left on any node."""
import json
import os

from harness import PROGRAMS, E2ETestCase, iridium, wait_for

PINGPONG = os.path.join(PROGRAMS, "cross-pingpong.iasm")


class CrossNodeProcessTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        nodes = self.start_cluster(3)
        self.addresses = [nodes[f"node{i}"][1] for i in (1, 2, 3)]
        self.wait_for_mesh(self.addresses)

    def listed(self, via):
        out = iridium("ps", via, "--json", data_root=self.data)
        self.assertEqual(out.returncode, 0, f"ps {via}: {out.stderr}")
        return json.loads(out.stdout)

    def test_ping_pong_across_members_through_exec(self):
        for on in ("node1", "node2", "node3"):
            out = iridium("exec", self.addresses[0], PINGPONG, "--on", on, data_root=self.data, timeout=120)
            self.assertEqual(out.returncode, 0, f"exec on {on}: stdout {out.stdout!r} stderr {out.stderr!r}")
            # 2 pairs x 500 round trips, each counted once by the partner on the next member.
            self.assertEqual(out.stdout, "1000\n", f"exec on {on}")
        # Every partner was told to stop: nothing is left running anywhere.
        wait_for(lambda: self.listed(self.addresses[1]) == [], 30, "no process left on any node")
