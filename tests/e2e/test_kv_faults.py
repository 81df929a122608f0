"""The replicated store's guarantees on real processes under faults. Three voters and one node that
is not a voter; four clients, each a thread running `iridium kv get|put|cas` one after another
through a node picked at random (the non-voter forwards), recording when each command was started
and when it ended, and what it answered. Voters take a snapshot every 25 entries (and drop the
log before it), so faults also land on snapshots and compaction. Meanwhile the test injects one kind of fault:

  leader kills    kill -9 of the leader, four times, each restarted from its data directory
  all killed      kill -9 of every node at once, then all restarted; twice
  paused voter    SIGSTOP of the leader, then of a follower, for longer than an election; SIGCONT
  partition       (network namespaces, root only) one voter's link down, then up; once a follower,
                  once the leader

Afterwards every key is read through every voter, and the whole history goes to the
linearizability checker (linearizability.py: the in-process tests' checker, ported). A history
that is linearizable, with those final reads in it, has lost no acknowledged write. What the
commands answered decides how an operation is recorded: a put or cas that exited 0 (or a cas
that exited 1: not swapped) is definite; any other end of a write (69 "may or may not have
happened", a client killed at its deadline) is recorded as never returned (it may take effect at
any time after its call, or never); a get that did not answer a value or "no key" observed nothing
and is left out. Each run prints its operations and faults."""
import json
import os
import random
import re
import signal
import subprocess
import threading
import time

import linearizability
from harness import BIN, E2ETestCase, free_ports, iridium, live_aliases, wait_for
from test_netns import NET, bridge_hosts, kill_everything_in, netns_unavailable, run

VOTERS = ("node1", "node2", "node3")
NODES = VOTERS + ("node4",)
KEYS = ("x", "y", "z")
CLIENTS = 4
# A command may wait out the store's timeout (5 s) and a connection's; one that takes longer than
# this is killed and its operation recorded as never returned.
COMMAND_DEADLINE_S = 20
# Steps the checker may take on one key (a few seconds): a history it cannot decide fails the test.
CHECK_BUDGET = 5_000_000
# Snapshots (and the log compaction after each) every few entries, so that the kills land on them too.
SNAPSHOT_EVERY = 25
# The nodes' election timeout is 1-2 s.
PAUSE_S = 4.0


def lost_write(history, key, final):
    """The last acknowledged write of KEY that FINAL (its value at the end) contradicts: one that
    was called after the write of FINAL had returned. None when there is none."""
    writes = [op for op in history if op["key"] == key and op["kind"] != "get" and (op["kind"] == "put" or op.get("succeeded") or op["return"] is None)]
    wrote_final = [op for op in writes if op["value"] == final]
    if not wrote_final:  # absent at the end (the clients never delete), or a value nobody wrote
        acknowledged = [op for op in writes if op["return"] is not None]
        return acknowledged[-1] if acknowledged else None if final is None else f"{final!r}, never written"
    ended = min(op["return"] or float("inf") for op in wrote_final)
    later = [op for op in writes if op["return"] is not None and op["call"] > ended and op["value"] != final]
    return later[-1] if later else None


class _Clients:
    """CLIENTS threads doing get, put and cas on KEYS through random nodes until stopped."""

    def __init__(self, case, kv):
        self.case, self.kv = case, kv
        self.history, self.lock = [], threading.Lock()
        self.stopping = threading.Event()
        self.outcomes = {}  # (kind, exit status) -> count
        self.unanswered = {}  # why commands did not answer (numbers left out) -> count
        self.not_sent = 0  # commands that could not connect to their node
        self.crashes = []  # stderr of commands that crashed or said "internal error"
        self.threads = [threading.Thread(target=self._client, args=(c,), daemon=True) for c in range(CLIENTS)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(COMMAND_DEADLINE_S * 3)

    def count(self, **kinds):
        with self.lock:
            return sum(1 for op in self.history if all(op.get(k) == v for k, v in kinds.items()))

    def acknowledged_writes(self):
        with self.lock:
            return sum(1 for op in self.history if op["kind"] != "get" and op["return"] is not None)

    def record(self, op):
        with self.lock:
            self.history.append(op)

    def _client(self, client):
        rng = random.Random(client * 7919 + 17)
        known = {}  # the value this client last saw or wrote per key (None: absent): its cas's guess
        n = 0
        while not self.stopping.is_set():
            n += 1
            node, key = rng.choice(NODES), rng.choice(KEYS)
            value = f"c{client}-{n}"
            kind = rng.choice(("get", "put", "cas", "cas"))
            op = {"client": client, "key": key, "kind": kind}
            if kind == "get":
                args = ("get", node, key)
            elif kind == "put":
                args = ("put", node, key, value)
                op["value"] = value
            else:
                expected = known.get(key)
                op.update(value=value, expected=expected)
                args = ("cas", node, key, value, *(("--absent",) if expected is None else ("--expect", expected)))
            op["call"] = time.monotonic_ns()
            status, stdout, stderr = self.kv(*args)
            returned = time.monotonic_ns()
            with self.lock:
                self.outcomes[(kind, status)] = self.outcomes.get((kind, status), 0) + 1
                if status not in (0, 1, 69, None) or "internal error" in stderr or "   at " in stderr:
                    self.crashes.append(f"kv {' '.join(args)}: exit {status}: {stderr}")
            if status not in (0, 1):
                with self.lock:
                    why = re.sub(r"[0-9.]+:[0-9]+|[0-9.]+ s", "#", stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {status}")
                    self.unanswered[why] = self.unanswered.get(why, 0) + 1
            if status == 69 and "cannot connect to" in stderr:
                # The node is down: the command never sent its request, so nothing happened.
                with self.lock:
                    self.not_sent += 1
                time.sleep(0.2)
                continue
            if status not in (0, 1):
                time.sleep(0.2)  # the store is unavailable for now: no need to pile up operations that may or may not have happened
            if kind == "get":
                if status == 0:
                    op.update(observed=stdout, **{"return": returned})
                elif status == 1 and "no key" in stderr:
                    op.update(observed=None, **{"return": returned})
                else:
                    continue  # no answer: observed nothing
                known[key] = op["observed"]
            elif status == 0:
                op["return"] = returned
                op["succeeded"] = True
                known[key] = value
            elif kind == "cas" and status == 1 and "does not hold the expected value" in stderr:
                op["return"] = returned
                op["succeeded"] = False
                known.pop(key, None)  # some other value: the next get of the key learns it
            else:
                op["return"] = None  # may or may not have happened
            self.record(op)


class KvFaultTests(E2ETestCase):
    """Loopback: the faults a process can suffer. (The partition is in KvPartitionTests.)"""

    prefix = {}  # alias -> the command prefix that runs a command where that node is (loopback: none)

    def setUp(self):
        super().setUp()
        self.data = self.path("data")
        self.nodes = {}  # alias -> Popen
        self.faults = []
        self.addresses = self.node_addresses()
        for alias in NODES:
            self.start_node(alias)
            if alias == "node1":
                # node1 makes the cookie the others read: let it listen first.
                wait_for(lambda: self.kv_status("node1", "members") == 0, 30, "node1 listens")
        self.wait_for_store()

    def node_addresses(self):
        base = free_ports(len(NODES))
        return {alias: f"127.0.0.1:{base + i}" for i, alias in enumerate(NODES)}

    def node_args(self, alias):
        port = self.addresses[alias].rsplit(":", 1)[1]
        args = ["node", "--node-alias", alias, "-P", port, "--store-voters", ",".join(VOTERS)]
        args += ["--store-dir", self.path(f"store-{alias}"), "--store-snapshot-every", str(SNAPSHOT_EVERY)]
        # Each node joins another, so any of them can be restarted alone or in any order.
        seed = "node2" if alias == "node1" else "node1"
        return args + ["--join", self.addresses[seed]]

    def start_node(self, alias):
        self.nodes[alias] = self.start(*self.node_args(alias), data_root=self.data, log=alias, prefix=self.prefix.get(alias, ()))

    def kill(self, alias):
        os.kill(self.nodes[alias].pid, signal.SIGKILL)
        self.nodes[alias].wait(timeout=30)

    def kv_status(self, via, *args):
        return iridium(*args, self.addresses[via], data_root=self.data, timeout=30, prefix=self.prefix.get(via, ())).returncode

    def kv(self, *args):
        """Runs `iridium kv VERB NODE ARGS...` through NODE: (exit status or None when killed at the deadline, stdout, stderr)."""
        verb, via, rest = args[0], args[1], args[2:]
        try:
            out = iridium(
                "kv", verb, self.addresses[via], *rest, data_root=self.data, timeout=COMMAND_DEADLINE_S, prefix=self.prefix.get(via, ())
            )
            return out.returncode, out.stdout, out.stderr
        except subprocess.TimeoutExpired:
            return None, "", ""

    def status(self, via):
        out = iridium(
            "store", "status", self.addresses[via], "--json", data_root=self.data, timeout=30, prefix=self.prefix.get(via, ())
        )
        return json.loads(out.stdout) if out.returncode == 0 else {}

    def leader(self, seconds=60):
        """The leader every running voter agrees on."""

        def agreed():
            seen = {self.status(v).get("leader") for v in VOTERS if self.nodes[v].poll() is None}
            return seen.pop() if len(seen) == 1 and None not in seen else None

        return wait_for(agreed, seconds, "the voters agree on a leader", interval=0.2)

    def wait_for_store(self):
        wait_for(lambda: all(len(live_aliases(self.addresses[a], data_root=self.data, prefix=self.prefix.get(a, ()))) == len(NODES) for a in NODES), 60, "every node lists all four")
        return self.leader()

    def fault(self, description):
        self.faults.append(description)

    def run_with(self, scenario, inject):
        clients = _Clients(self, self.kv)
        clients.start()
        # Some history before the first fault.
        wait_for(lambda: clients.acknowledged_writes() >= 8, 60, "the clients' first writes")
        started = time.monotonic()
        inject(clients)
        self.leader()
        # And some after the last, on the healed store.
        after = clients.acknowledged_writes()
        wait_for(lambda: clients.acknowledged_writes() >= after + 8, 60, "writes after the faults")
        clients.stop()
        self.assertFalse(any(t.is_alive() for t in clients.threads), "a client did not stop")
        # Every key through every voter, on the healed store: an acknowledged write that was lost
        # shows as a read no order explains. (A read the store does not answer yet is tried again.)
        final = {}
        for via in VOTERS:
            for key in KEYS:

                def read():
                    call = time.monotonic_ns()
                    status, stdout, stderr = self.kv("get", via, key)
                    if status not in (0, 1):
                        return None
                    op = {"client": 99, "key": key, "kind": "get", "call": call, "return": time.monotonic_ns(), "observed": stdout if status == 0 else None}
                    clients.record(op)
                    return op

                final.setdefault(key, set()).add(wait_for(read, 60, f"the final read of {key} through {via}")["observed"])
        history = clients.history
        # Kept where E2E_HISTORY_DIR says (for a look or a second checker), else with the work directory.
        keep = os.environ.get("E2E_HISTORY_DIR") or self.work
        os.makedirs(keep, exist_ok=True)
        with open(os.path.join(keep, f"history-{scenario}.json"), "w") as f:
            json.dump(history, f)
        report = (
            f"{scenario}: {len(history)} operations ({clients.count(kind='get')} gets, "
            f"{clients.acknowledged_writes()} writes acknowledged, {clients.count(**{'return': None})} may or may not have happened; "
            f"{clients.not_sent} not sent to a node that was down) "
            f"in {time.monotonic() - started:.1f} s of faults; faults: {len(self.faults)} ({', '.join(self.faults)})"
        )
        print(f"\n  {report}", flush=True)
        for why, count in sorted(clients.unanswered.items(), key=lambda item: -item[1]):
            print(f"    {count} x {why}", flush=True)
        self.assertEqual(clients.crashes, [], "commands crashed")
        verdict = linearizability.check(history, budget=CHECK_BUDGET)
        if verdict is not None:
            key, ops = verdict
            self.fail(f"{report}\nnot linearizable on key {key}; no order explains:\n  " + "\n  ".join(map(linearizability.describe, ops)))
        self.assertGreaterEqual(clients.acknowledged_writes(), 16)
        # The faults met snapshots and compaction: every voter has taken at least one.
        for via in VOTERS:
            self.assertGreater(self.status(via).get("snapshot_bytes", 0), 0, f"{via} took no snapshot")
        # Said outright (the checker implies it): every voter ends with the same value per key, and
        # no acknowledged write was overwritten by a write that had returned before it was called.
        for key, values in final.items():
            self.assertEqual(len(values), 1, f"the voters end with different values of {key}: {values}")
            self.assertIsNone(lost_write(history, key, values.pop()), f"{key}: an acknowledged write was lost")

    # ---- the scenarios

    def wait_for_voters(self):
        """Every voter running and agreeing on a leader (a restarted one has caught up with the term)."""
        wait_for(lambda: all(self.status(v).get("leader") for v in VOTERS), 60, "every voter sees a leader", interval=0.2)
        return self.leader()

    def test_the_leader_killed_repeatedly(self):
        def inject(clients):
            for _ in range(4):
                leader = self.wait_for_voters()
                before = clients.acknowledged_writes()
                self.kill(leader)
                self.fault(f"kill -9 {leader}")
                # The others elect a new leader and take writes before the old one comes back.
                wait_for(lambda: clients.acknowledged_writes() >= before + 3, 60, f"writes after {leader} was killed")
                self.start_node(leader)

        self.run_with("leader-kills", inject)

    def test_every_node_killed_and_restarted(self):
        def inject(clients):
            for _ in range(2):
                before = clients.acknowledged_writes()
                for alias in NODES:
                    self.kill(alias)
                self.fault("kill -9 of all four nodes")
                time.sleep(0.5)  # not an assertion: the clients meet a cluster that is down for a while
                for alias in NODES:
                    self.start_node(alias)
                self.wait_for_store()
                wait_for(lambda: clients.acknowledged_writes() >= before + 5, 60, "writes after the restart")

        self.run_with("all-killed", inject)

    def test_a_voter_paused_past_an_election(self):
        def inject(clients):
            for role in ("the leader", "a follower"):
                leader = self.wait_for_voters()
                paused = leader if role == "the leader" else next(v for v in VOTERS if v != leader)
                before = clients.acknowledged_writes()
                os.kill(self.nodes[paused].pid, signal.SIGSTOP)
                self.fault(f"SIGSTOP of {role} ({paused}) for {PAUSE_S:.0f} s")
                since = time.monotonic()
                try:
                    # The others (electing a leader of their own first, if need be) take writes while it sleeps.
                    wait_for(lambda: clients.acknowledged_writes() >= before + 3, 60, f"writes while {paused} is stopped")
                    time.sleep(max(0.0, PAUSE_S - (time.monotonic() - since)))
                finally:
                    os.kill(self.nodes[paused].pid, signal.SIGCONT)

        self.run_with("paused-voter", inject)


class KvPartitionTests(KvFaultTests):
    """One voter partitioned away with network namespaces (as test_netns does): each node in its own
    namespace on a bridge, the clients of a node in its namespace. Root only; skips otherwise."""

    def setUp(self):
        reason = netns_unavailable()
        if reason:
            self.skipTest(reason)
        self.tag = f"irk{random.randint(0, 0xFFFFF):05x}"
        self.namespaces = []
        self.addCleanup(self.remove_network)
        self.make_network()
        self.prefix = {alias: ["ip", "netns", "exec", self.ns(i)] for i, alias in enumerate(NODES, start=1)}
        super().setUp()

    def ns(self, i):
        return f"{self.tag}n{i}"

    def make_network(self):
        bridge_hosts(self.tag, len(NODES), self.namespaces)

    def remove_network(self):
        self._end_processes()
        kill_everything_in(self.namespaces)
        for n in self.namespaces:
            subprocess.run(["ip", "netns", "del", n], capture_output=True)

    def link(self, alias, state):
        """ALIAS's port on the switch: up or down."""
        run("ip", "-n", f"{self.tag}sw", "link", "set", f"{self.tag}s{NODES.index(alias) + 1}", state)

    def node_addresses(self):
        base = free_ports(1)  # one port, the same in every namespace
        return {alias: f"{NET}.{i}:{base}" for i, alias in enumerate(NODES, start=1)}

    def node_args(self, alias):
        host = self.addresses[alias].rsplit(":", 1)[0]
        return super().node_args(alias) + ["-H", "0.0.0.0", "--advertise-host", host]

    def test_one_voter_partitioned_away_then_healed(self):
        def inject(clients):
            for role in ("a follower", "the leader"):
                leader = self.leader()
                away = leader if role == "the leader" else next(v for v in VOTERS if v != leader)
                before = clients.acknowledged_writes()
                self.link(away, "down")
                self.fault(f"partition of {role} ({away})")
                try:
                    # The majority side takes writes; the clients of the voter cut off hear "unavailable".
                    wait_for(lambda: clients.acknowledged_writes() >= before + 5, 60, f"writes with {away} cut off")
                    time.sleep(2)  # not an assertion: the partition lasts past an election
                finally:
                    self.link(away, "up")
                self.wait_for_store()

        self.run_with("partition", inject)

    # The process faults run on loopback (KvFaultTests); here only the partition.
    test_the_leader_killed_repeatedly = None
    test_every_node_killed_and_restarted = None
    test_a_voter_paused_past_an_election = None
