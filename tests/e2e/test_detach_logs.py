"""Groups of the published binary on a real 3-node cluster: `exec --detach` prints the root's id
and exits 0 while the group runs on; `logs` shows its output and `logs --follow` follows it to its
end; `ps --json` shows state, mailbox, dropped, parent and group; a group spread over three nodes
(root, child on the next member, grandchild on the one after) is stopped everywhere by
`kill --group` of its grandchild, and by Ctrl-C of its exec."""
import json
import subprocess

from harness import E2ETestCase, iridium, read_line, wait_for

# Prints a line, waits for one message, prints it, halts.
WAITER = """.data
hello: .asciiz 'started'
got: .asciiz 'got '
.code
prts @hello
load $4 #10
prtc $4
load $7 #-1
load $8 #0
recv $9 $7 $8
prts @got
prth $8 $7
prtc $4
hlt
"""

# The root spawns a child on member 1, which spawns a grandchild on member 2 (members are indexed
# by alias: node1 0, node2 1, node3 2); the grandchild prints a line; all three wait for ever.
SPREAD = """.data
up: .asciiz 'grandchild up'
.code
load $1 @child
load $2 #1
spawn $1 $0 $2
load $19 @wait
jmp $19
child: load $1 @grand
load $2 #2
spawn $1 $0 $2
load $19 @wait
jmp $19
grand: prts @up
load $4 #10
prtc $4
wait: load $7 #-1
load $8 #0
recv $9 $7 $8
jmp $19
"""


class DetachLogsGroupTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        nodes = self.start_cluster(3)
        self.node1, self.node2, self.node3 = (nodes[f"node{i}"][1] for i in (1, 2, 3))
        self.wait_for_mesh([self.node1, self.node2, self.node3])

    def cli(self, *args, **kwargs):
        return iridium(*args, data_root=self.data, **kwargs)

    def listed(self, via):
        out = self.cli("ps", via, "--json")
        self.assertEqual(out.returncode, 0, f"ps {via}: {out.stderr}")
        return json.loads(out.stdout)

    def group(self, root, via=None):
        return sorted((p for p in self.listed(via or self.node3) if p["group"] == root), key=lambda p: p["node"])

    def test_a_detached_exec_runs_on_and_logs_show_and_follow_it(self):
        out = self.cli("exec", self.node1, self.write("waiter.iasm", WAITER), "--on", "node2", "--detach")
        self.assertEqual(out.returncode, 0, out.stderr)
        root = out.stdout.strip()
        self.assertRegex(root, r"^node2\.\d+$")
        self.assertEqual(out.stdout, root + "\n", "only the id")

        # The exec client has gone; the group waits in RECV on node2.
        wait_for(lambda: [p["state"] for p in self.group(root)] == ["waiting"], 20, "the root waiting, listed by ps")
        row = self.group(root)[0]
        self.assertEqual((row["parent"], row["mailbox"], row["dropped"], row["node"]), (None, 0, 0, "node2"))

        now = self.cli("logs", self.node1, root)
        self.assertEqual((now.returncode, now.stdout), (0, "started\n"), now.stderr)
        self.assertIn(f"{root} is running", now.stderr)

        follow = self.start("logs", self.node3, root, "--follow", data_root=self.data,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        self.assertEqual(self.cli("send", self.node1, root, "hi").returncode, 0)
        stdout, stderr = follow.communicate(timeout=30)
        self.assertEqual((follow.returncode, stdout), (0, "started\ngot hi\n"), stderr)
        self.assertIn(f"{root} halted with status 0", stderr)

        missing = self.cli("logs", self.node1, "node2.99999")
        self.assertEqual(missing.returncode, 1, missing.stderr)
        self.assertIn("no detached group node2.99999", missing.stderr)

    def test_kill_group_stops_a_group_spread_over_three_nodes(self):
        out = self.cli("exec", self.node2, self.write("spread.iasm", SPREAD), "--on", "node1", "--detach")
        self.assertEqual(out.returncode, 0, out.stderr)
        root = out.stdout.strip()
        wait_for(lambda: [p["node"] for p in self.group(root)] == ["node1", "node2", "node3"], 30, "the group on three nodes")
        first, child, grandchild = self.group(root)
        self.assertEqual((first["id"], first["parent"]), (root, None))
        self.assertEqual((child["parent"], grandchild["parent"]), (root, child["id"]))
        self.assertTrue(all(p["state"] == "waiting" for p in (first, child, grandchild)))

        killed = self.cli("kill", self.node2, grandchild["id"], "--group")
        self.assertEqual(killed.returncode, 0, killed.stderr)
        self.assertIn(f"killed group {root}", killed.stdout)
        wait_for(lambda: self.listed(self.node1) == [], 30, "no process of the group left on any node")
        ended = self.cli("logs", self.node1, root)
        self.assertEqual((ended.returncode, ended.stdout), (0, "grandchild up\n"), ended.stderr)
        self.assertIn("killed", ended.stderr)

        nothing = self.cli("kill", self.node1, grandchild["id"], "--group")
        self.assertEqual(nothing.returncode, 1, nothing.stderr)

    def test_ctrl_c_of_an_exec_stops_its_group_on_three_nodes(self):
        exec_ = self.start("exec", self.node1, self.write("spread.iasm", SPREAD), data_root=self.data,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        # The grandchild's line travels node3 -> node2 -> node1 -> client; "waiting" on node3 only
        # says it was printed, so the line is read before Ctrl-C (a stop does not wait for output
        # still in flight between members).
        self.assertEqual(read_line(exec_.stdout, 30, "the grandchild's line"), "grandchild up\n")
        wait_for(lambda: [p["state"] for p in self.listed(self.node3)] == ["waiting"] * 3, 30, "the group on three nodes, waiting")
        self.assertEqual(len({p["group"] for p in self.listed(self.node2)}), 1, "one group")
        exec_.send_signal(2)
        self.assertEqual(exec_.wait(timeout=30), 130)
        self.assertEqual(exec_.stdout.read(), "", "nothing after the stop")
        exec_.stdout.close()
        wait_for(lambda: self.listed(self.node2) == [], 30, "no process of the group left on any node")


if __name__ == "__main__":
    import unittest

    unittest.main()
