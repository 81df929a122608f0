"""Processes across members under node faults, on three real nodes: a process on node1 monitors a
worker on node2 and one on node3. node2 is killed with SIGKILL and node3 frozen with SIGSTOP: each
monitor gets reason 4 (node lost) within the failure timeout, and the watcher runs on. Then node3
is thawed and node2 restarted with the same alias: they rejoin, no process of the group is left on
any node (the frozen node's worker is stopped once it finds its group's node lost), and node1's
memory returns near where it was idle."""
import json
import os
import signal
import subprocess
import time

from harness import E2ETestCase, adopt, iridium, read_line, rss_mib, wait_for

FAILURE_TIMEOUT_S = 3.0  # the nodes' default failure timeout

# Spawns a worker on member 1 (node2) and one on member 2 (node3), monitors both, says so, then
# prints the reason of each down notice (R[b] = -1 - reason) and halts after two.
WATCHER = """.data
watching: .asciiz 'watching'
refused:  .asciiz 'spawn refused'
down:     .asciiz 'down '
.code
        load $30 #10
        load $1 @worker
        load $0 #0
        load $2 #1
        spawn $1 $0 $2
        djmpe @first
        load $4 @no
        jmp $4
first:  monitor $2
        load $3 #2
        spawn $1 $0 $3
        djmpe @second
        load $4 @no
        jmp $4
second: monitor $3
        prts @watching
        prtc $30
        load $21 #2
notice: load $7 #-1
        load $8 #0
        recv $9 $7 $8
        load $0 #-1
        sub $0 $7 $10
        prts @down
        prti $10
        prtc $30
        dec $21
        load $0 #0
        gt $21 $0
        djmpe @notice
        hlt
no:     prts @refused
        prtc $30
        hlt
worker: load $7 #-1
        load $8 #0
        recv $9 $7 $8
        hlt
"""


class ProcessFaultTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        nodes = self.start_cluster(3)
        self.pids = {alias: pid for alias, (pid, _) in nodes.items()}
        self.address = {alias: address for alias, (_, address) in nodes.items()}
        self.wait_for_mesh(list(self.address.values()))
        self.addCleanup(self.thaw_everything)

    def thaw_everything(self):
        for pid in self.pids.values():
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass

    def listed(self, via):
        out = iridium("ps", via, "--json", data_root=self.data)
        self.assertEqual(out.returncode, 0, f"ps {via}: {out.stderr}")
        return json.loads(out.stdout)

    def test_monitors_hear_lost_nodes_and_nothing_is_left_after_they_return(self):
        node1 = self.address["node1"]
        command_of_node2 = open(f"/proc/{self.pids['node2']}/cmdline", "rb").read().split(b"\0")[:-1]
        wait_for(lambda: self.listed(node1) == [], 30, "an idle cluster")
        idle_rss = rss_mib(self.pids["node1"])

        watcher = self.start("exec", node1, self.write("watcher.iasm", WATCHER), data_root=self.data,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
        self.assertEqual(read_line(watcher.stdout, 60, "the watcher's first line"), "watching\n")
        self.assertEqual(sorted(p["node"] for p in self.listed(node1)), ["node1", "node2", "node3"])

        os.kill(self.pids["node2"], signal.SIGKILL)
        killed = time.monotonic()
        self.assertEqual(read_line(watcher.stdout, FAILURE_TIMEOUT_S + 30, "the notice of node2's worker"), "down 4\n")
        self.assertLessEqual(time.monotonic() - killed, FAILURE_TIMEOUT_S + 5, "a killed node is noticed at once or by the failure timeout")

        os.kill(self.pids["node3"], signal.SIGSTOP)
        frozen = time.monotonic()
        self.assertEqual(read_line(watcher.stdout, FAILURE_TIMEOUT_S + 30, "the notice of node3's worker"), "down 4\n")
        self.assertLessEqual(time.monotonic() - frozen, FAILURE_TIMEOUT_S + 5, "a frozen node is noticed by the failure timeout")
        self.assertEqual(watcher.wait(timeout=30), 0, "the watcher runs on and halts")
        watcher.stdout.close()

        # node3 thaws: its worker belonged to a group on a node it has lost, so it is stopped.
        os.kill(self.pids["node3"], signal.SIGCONT)
        # node2 comes back under its alias, with the same command line.
        restarted = subprocess.Popen(command_of_node2, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(self.path("node2-restarted.log"), "ab"))  # fmt: skip
        adopt(restarted.pid)
        self.processes_to_end = restarted
        self.addCleanup(self.end_restarted)
        self.wait_for_mesh(list(self.address.values()), seconds=60)
        for alias, address in self.address.items():
            wait_for(lambda: self.listed(address) == [], 30, f"no process left, as {alias} lists them")
        # What the group cost node1 is given back (the runtime keeps no trace of it).
        wait_for(lambda: rss_mib(self.pids["node1"]) <= idle_rss + 12, 30,
                 f"node1's RSS back near idle ({idle_rss:.1f} MiB before the watcher)")  # fmt: skip

    def end_restarted(self):
        process = self.processes_to_end
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    import unittest

    unittest.main()
