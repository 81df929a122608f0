"""A voter whose disk fills while it runs. Three voters, each with its data directory on its own
small tmpfs, mounted in a private mount namespace (a `sleep` started with `unshare -m` holds it, and
every node runs in it through `nsenter`), so nothing is mounted where the rest of the machine sees
it. With the store up, a follower's tmpfs is filled to the last byte while writes go on through the
leader. Expected: the follower says so in its log, naming its directory; it stops voting and
acknowledging (its own callers hear "unavailable" with the reason); the other two go on taking
writes; once the space is freed and the node restarted, it rejoins and catches up from its own log
(nothing in it was corrupted) and the leader's. Root only (mount namespaces); skips otherwise."""
import json
import os
import shutil
import signal
import subprocess
import tempfile

from harness import STACK_TRACE, E2ETestCase, free_ports, iridium, live_aliases, wait_for

VOTERS = ("node1", "node2", "node3")
# Each voter's disk: room for its log and snapshots in this test, and quick to fill.
DISK = "4m"
COMMAND_TIMEOUT = 60


def mounts_unavailable():
    """Why this machine cannot mount a tmpfs in a private mount namespace, or None."""
    if os.getuid() != 0:
        return "needs root to mount a tmpfs"
    for tool in ("unshare", "nsenter", "mount"):
        if shutil.which(tool) is None:
            return f"no {tool} command"
    probe = tempfile.mkdtemp(prefix="iridium-mount-probe-")
    try:
        done = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
            capture_output=True,
        )
        return None if done.returncode == 0 else "mounting a tmpfs in a private mount namespace is not allowed here"
    finally:
        os.rmdir(probe)


class KvDiskFullTests(E2ETestCase):
    def setUp(self):
        reason = mounts_unavailable()
        if reason:
            self.skipTest(reason)
        super().setUp()
        # The namespace's holder; it is killed with the test's processes, and the mounts go with it.
        self.holder = self.spawn(["unshare", "-m", "--propagation", "private", "sleep", "3600"])
        ours = os.readlink("/proc/self/ns/mnt")
        wait_for(lambda: os.readlink(f"/proc/{self.holder.pid}/ns/mnt") != ours, 30, "the holder's own mount namespace")
        self.inside = ["nsenter", "-t", str(self.holder.pid), "-m", "--"]
        self.data = self.path("data")
        base = free_ports(len(VOTERS))
        self.addresses = {alias: f"127.0.0.1:{base + i}" for i, alias in enumerate(VOTERS)}
        self.nodes = {}
        for alias in VOTERS:
            os.makedirs(self.store_dir(alias))
            self.in_namespace("mount", "-t", "tmpfs", "-o", f"size={DISK}", "tmpfs", self.store_dir(alias))
        for alias in VOTERS:
            self.start_node(alias)
            if alias == "node1":
                # node1 makes the cookie the others read: let it listen first.
                wait_for(lambda: iridium("members", self.addresses["node1"], data_root=self.data).returncode == 0, 30, "node1 listens")
        wait_for(lambda: all(len(live_aliases(a, data_root=self.data)) == len(VOTERS) for a in self.addresses.values()), 60, "the mesh")

    def store_dir(self, alias):
        return self.path(f"store-{alias}")

    def in_namespace(self, *command, check=True):
        done = subprocess.run([*self.inside, *command], capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
        if check:
            self.assertEqual(done.returncode, 0, f"{' '.join(command)}: {done.stderr}")
        return done

    def start_node(self, alias):
        port = self.addresses[alias].rsplit(":", 1)[1]
        args = ["node", "--node-alias", alias, "-P", port, "--store-voters", ",".join(VOTERS), "--store-dir", self.store_dir(alias)]
        # Each node joins another, so any of them can be restarted alone (node1 too).
        args += ["--join", self.addresses["node2" if alias == "node1" else "node1"]]
        self.nodes[alias] = self.start(*args, data_root=self.data, log=alias, prefix=self.inside)

    def kv(self, *args):
        return iridium("kv", *args, data_root=self.data, timeout=COMMAND_TIMEOUT)

    def status(self, via):
        out = iridium("store", "status", self.addresses[via], "--json", data_root=self.data, timeout=COMMAND_TIMEOUT)
        return json.loads(out.stdout) if out.returncode == 0 else {}

    def put(self, via, key, value):
        out = self.kv("put", self.addresses[via], key, value)
        self.assertEqual(out.returncode, 0, f"kv put {key} through {via}: {out.stderr}")

    def test_a_follower_whose_disk_fills_stops_and_rejoins_after_a_restart(self):
        leader = wait_for(lambda: self.status("node1").get("leader"), 60, "a leader")
        victim = next(v for v in VOTERS if v != leader)
        value = "v" * 200
        for i in range(20):
            self.put(leader, f"before/{i}", f"{i}-{value}")
        # Fill the follower's disk (dd stops at "No space left on device").
        self.in_namespace("dd", "if=/dev/zero", f"of={self.store_dir(victim)}/filler", "bs=64k", check=False)
        said = f"cannot write its log in {self.store_dir(victim)}"
        written = [0]

        def victim_said_so():
            # Writes go on through the leader (and reach the follower) until the follower gives up.
            self.put(leader, f"during/{written[0]}", f"{written[0]}-{value}")
            written[0] += 1
            return said in self.read(f"{victim}.log")

        wait_for(victim_said_so, 120, f"{victim} logs that it cannot write its log")
        log = self.read(f"{victim}.log")
        print(f"\n  {victim}, after {written[0]} writes with its disk full: {next(line for line in log.splitlines() if said in line)}", flush=True)
        self.assertIn("no space left on device", log.lower(), "the log says why")
        self.assertIsNone(STACK_TRACE.search(log), f"a stack trace in {victim}'s log")
        self.assertIsNone(self.nodes[victim].poll(), f"{victim} ended instead of saying so")
        # The other two go on; the follower's own callers hear why it cannot answer.
        for i in range(10):
            self.put(leader, f"after/{i}", f"{i}-{value}")
        refused = self.kv("get", self.addresses[victim], "after/9")
        self.assertEqual(refused.returncode, 69, refused.stderr)
        self.assertIn(said, refused.stderr)
        # It no longer votes or acknowledges: the leader counts it unavailable.
        wait_for(
            lambda: any(v["name"] == victim and v["state"] == "unavailable" for v in self.status(leader).get("voters", [])),
            60,
            f"the leader sees {victim} unavailable",
        )
        # Space back, a restart: it rejoins from its own log and catches up.
        self.in_namespace("rm", f"{self.store_dir(victim)}/filler")
        self.nodes[victim].send_signal(signal.SIGTERM)
        self.nodes[victim].wait(timeout=COMMAND_TIMEOUT)
        self.start_node(victim)
        self.put(leader, "healed", "yes")
        wait_for(lambda: self.kv("get", self.addresses[victim], "healed", "--stale").stdout == "yes", 120, f"{victim} catches up")
        for key in ("before/19", f"during/{written[0] - 1}", "after/9"):
            out = self.kv("get", self.addresses[victim], key, "--stale")
            self.assertEqual(out.returncode, 0, f"{key} on {victim}: {out.stderr}")
        ours = self.status(victim)
        self.assertEqual(ours.get("commit_index"), self.status(leader).get("commit_index"))
        self.assertIsNone(STACK_TRACE.search(self.read(f"{victim}.log")), f"a stack trace in {victim}'s log")
