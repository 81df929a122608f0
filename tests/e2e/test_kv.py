"""The replicated store end to end: three voters and one node that is not a voter on loopback.
`iridium kv` works through every node (the non-voter forwards to a voter); a kill -9 of the leader
loses no acknowledged write and the writes go on; with the majority gone the store says
"unavailable" (exit 69) in time; absent keys, mismatches and bad input have their exit statuses."""
import json
import os
import signal
import time

from harness import E2ETestCase, free_ports, iridium, wait_for

VOTERS = "node1,node2,node3"
# The store's timeout is 5 s; a command may take that long plus the client's margin.
COMMAND_TIMEOUT = 60


class KvTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.data = self.path("data")
        base = free_ports(5)
        self.addresses = {f"node{i}": f"127.0.0.1:{base + i - 1}" for i in range(1, 5)}
        self.pids = {}
        for i in range(1, 5):
            alias = f"node{i}"
            args = ["node", "--node-alias", alias, "-P", str(base + i - 1), "--store-voters", VOTERS, "--store-dir", self.path(f"store-{alias}")]
            if i > 1:
                args += ["--join", self.addresses["node1"]]
            self.pids[alias] = self.start(*args, data_root=self.data, log=alias).pid
            if i == 1:
                # node1 makes the cookie the others read: let it listen first.
                wait_for(lambda: iridium("members", self.addresses["node1"], data_root=self.data).returncode == 0, 30, "node1 listens")
        self.wait_for_mesh(list(self.addresses.values()), seconds=60)
        self.leader = wait_for(lambda: self.status("node4").get("leader"), 60, "the store elects a leader (seen through node4)")

    def kv(self, *args, stdin=None):
        return iridium("kv", *args, data_root=self.data, timeout=COMMAND_TIMEOUT, **({"input": stdin} if stdin is not None else {}))

    def status(self, via):
        out = iridium("store", "status", self.addresses[via], "--json", data_root=self.data, timeout=COMMAND_TIMEOUT)
        return json.loads(out.stdout) if out.returncode == 0 else {}

    def assert_kv(self, expected_status, *args, stdout=None, stdin=None):
        out = self.kv(*args, stdin=stdin)
        self.assertEqual(out.returncode, expected_status, f"kv {' '.join(args)}: stdout {out.stdout!r} stderr {out.stderr!r}")
        self.assertNotIn("internal error", out.stderr)
        if stdout is not None:
            self.assertEqual(out.stdout, stdout, f"kv {' '.join(args)}")
        return out

    def test_every_operation_through_every_node_with_its_exit_status(self):
        for alias, address in self.addresses.items():
            self.assert_kv(0, "put", address, f"k/{alias}", f"v-{alias}")
        for alias, address in self.addresses.items():
            for key_of in self.addresses:
                self.assert_kv(0, "get", address, f"k/{key_of}", stdout=f"v-{key_of}")
        # Compare-and-set through each node in turn: each swap sees the one before.
        self.assert_kv(0, "cas", self.addresses["node4"], "counter", "--absent", "1")
        self.assert_kv(1, "cas", self.addresses["node1"], "counter", "--absent", "1")
        for n, alias in enumerate(["node1", "node2", "node3", "node4"], start=1):
            self.assert_kv(0, "cas", self.addresses[alias], "counter", "--expect", str(n), str(n + 1))
            self.assert_kv(1, "cas", self.addresses[alias], "counter", "--expect", str(n), "stale")
        self.assert_kv(0, "get", self.addresses["node2"], "counter", stdout="5")
        self.assert_kv(0, "get", self.addresses["node4"], "counter", "--stale")
        # A value from standard input and from a file: any bytes.
        self.assert_kv(0, "put", self.addresses["node4"], "k/stdin", "-", stdin="from stdin\n")
        self.assert_kv(0, "get", self.addresses["node3"], "k/stdin", stdout="from stdin\n")
        listed = json.loads(self.assert_kv(0, "list", self.addresses["node4"], "k/", "--json").stdout)
        self.assertEqual([e["key"] for e in listed["entries"]], ["k/node1", "k/node2", "k/node3", "k/node4", "k/stdin"])
        self.assertFalse(listed["truncated"])
        cut = json.loads(self.assert_kv(0, "list", self.addresses["node1"], "k/", "--json", "--limit", "2").stdout)
        self.assertEqual(len(cut["entries"]), 2)
        self.assertTrue(cut["truncated"])
        text = self.assert_kv(0, "list", self.addresses["node2"], "k/node1").stdout
        self.assertEqual(text, "k/node1\tv-node1\n")
        # Deletes: through each node, then absent everywhere.
        for alias, address in self.addresses.items():
            self.assert_kv(0, "del", address, f"k/{alias}")
            self.assert_kv(1, "del", address, f"k/{alias}")
            self.assert_kv(1, "get", self.addresses["node1"], f"k/{alias}", stdout="")

        # Bad input: a located message, never an internal error.
        out = self.assert_kv(65, "put", self.addresses["node4"], "x" * 1025, "v")
        self.assertIn("1024", out.stderr)
        self.assert_kv(65, "put", self.addresses["node2"], "big", "-", stdin="v" * (64 * 1024 + 1))
        self.assert_kv(2, "get", self.addresses["node1"])
        self.assert_kv(2, "cas", self.addresses["node1"], "k", "new")
        self.assert_kv(2, "cas", self.addresses["node1"], "k", "--absent", "--expect", "old", "new")
        self.assert_kv(2, "get", "nowhere", "k")
        self.assert_kv(66, "put", self.addresses["node1"], "k", "--file", self.path("no-such-file"))
        out = iridium("store", "add", self.addresses["node1"], "node5", data_root=self.data)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("fixed by --store-voters", out.stderr)

        status = self.status("node4")
        self.assertIn(status["voter"], ["node1", "node2", "node3"])
        self.assertEqual(sorted(v["name"] for v in status["voters"]), ["node1", "node2", "node3"])
        self.assertEqual([v["name"] for v in status["voters"] if v["leader"]], [status["leader"]])

    def test_a_node_without_the_store_says_so(self):
        port = free_ports(1)
        self.start("node", "--node-alias", "plain", "-P", str(port), "--join", self.addresses["node1"], data_root=self.data, log="plain")
        address = f"127.0.0.1:{port}"
        wait_for(lambda: iridium("members", address, data_root=self.data).returncode == 0, 30, "plain listens")
        out = self.assert_kv(69, "get", address, "k")
        self.assertIn("--store-voters", out.stderr)
        out = iridium("store", "status", address, data_root=self.data, timeout=COMMAND_TIMEOUT)
        self.assertEqual(out.returncode, 69, out.stderr)

    def test_killing_the_leader_loses_no_acknowledged_write_and_a_lost_majority_is_unavailable(self):
        acknowledged = {}
        for i in range(10):
            self.assert_kv(0, "put", self.addresses["node4"], f"before/{i}", f"b{i}")
            acknowledged[f"before/{i}"] = f"b{i}"
        leader = self.leader
        os.kill(self.pids[leader], signal.SIGKILL)
        survivors = [a for a in ("node1", "node2", "node3") if a != leader] + ["node4"]

        # Writes go on through every surviving node; an attempt that ends in 69 may or may not have
        # happened, so only the acknowledged ones are checked (and each key is written once).
        deadline = time.monotonic() + 90
        written = 0
        attempt = 0
        while written < 20:
            self.assertLess(time.monotonic(), deadline, f"only {written} writes acknowledged after the leader's kill")
            via = survivors[attempt % len(survivors)]
            key, value = f"after/{attempt}", f"a{attempt}"
            out = self.kv("put", self.addresses[via], key, value)
            self.assertIn(out.returncode, (0, 69), f"put through {via}: {out.stderr}")
            if out.returncode == 0:
                acknowledged[key] = value
                written += 1
            attempt += 1
        new_leader = wait_for(lambda: self.status("node4").get("leader"), 60, "a new leader")
        self.assertNotEqual(new_leader, leader)
        for via in survivors:
            for key, value in acknowledged.items():
                self.assert_kv(0, "get", self.addresses[via], key, stdout=value)

        # One voter of three left: no majority. Writes and reads say "unavailable", in time.
        second = [a for a in ("node1", "node2", "node3") if a != leader][0]
        os.kill(self.pids[second], signal.SIGKILL)
        for via in [a for a in survivors if a != second]:
            started = time.monotonic()
            out = self.assert_kv(69, "put", self.addresses[via], "lonely", "v")
            self.assertIn("unavailable", out.stderr)
            self.assert_kv(69, "get", self.addresses[via], "before/1")
            self.assertLess(time.monotonic() - started, 40, f"unavailable through {via} took too long")


class StoreDataDirectoryTests(E2ETestCase):
    def test_a_voter_that_cannot_create_its_data_directory_says_so_and_exits_73(self):
        # A regular file where a directory must be: no one, root included, can create the store there.
        blocker = self.write("blocker", "not a directory\n")
        store_dir = os.path.join(blocker, "store")
        port = free_ports(1)
        node = self.start(
            "node", "--node-alias", "solo", "-P", str(port), "--store-voters", "solo", "--store-dir", store_dir,
            data_root=self.path("data"), log="solo",
        )
        status = node.wait(timeout=60)
        log = self.read("solo.log")
        self.assertEqual(status, 73, log)
        self.assertIn(f"store: cannot open the voter's data in {store_dir}", log)
        self.assertNotIn("internal error", log)
        self.assertEqual(open(blocker).read(), "not a directory\n", "the file in the way was changed")
