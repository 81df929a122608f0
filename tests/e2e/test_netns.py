"""Nodes on hosts reached by address, with the faults only real networks have. Four network
namespaces on a bridge (in a fifth, the "switch"), each with its own address and one node: bind
0.0.0.0, --advertise-host, seeds by IP, one node seeded by dns:NAME:PORT through a DNS responder
of ours, `members` asked from another namespace. Then:
  partition  n3's link down: both sides mark the other down within the failure timeout + 1 s;
             link up: the mesh heals without a restart (figures printed);
  flapping   n3's link down 1 s, up 1 s, five times, default heartbeat settings: links that do not
             cross n3 never go down, n3's go down no more often than the link did, and the mesh
             heals (node up/down log lines counted);
  delay      two more nodes whose advertised addresses are a TCP proxy of ours adding 200 ms each
             way (no tc netem here): they form a cluster and stay up; ping shows the delay;
  scratch    the scratch image's tree in a namespace, with only the /etc/resolv.conf a Kubernetes
             pod gets: glibc resolves the dns: seed with no nsswitch.conf, hosts file or NSS library;
  hosts      tools/cluster.sh deploy/start/status/stop across three of the namespaces as hosts,
             with stand-ins for ssh and scp that run the command in the namespace.
Needs root and `ip netns`; skips, saying so, otherwise. Every namespace, /etc/netns entry and
process a test makes is removed (by name and PID) when it ends."""
import filecmp
import glob
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest
from datetime import datetime, timezone

import harness
from harness import BIN, CLUSTER_SH, FIXTURES, ROOT, E2ETestCase, iridium, wait_for

NET = "10.77.0"
PORT = 2254
DNS_NAME = "seeds.iridium.test"
COUNT = 4
FAILURE_TIMEOUT_S = 3.0  # the nodes' default failure timeout
NETNS_FIXTURES = os.path.join(FIXTURES, "netns")
ROOTFS_SH = os.path.join(ROOT, "tools", "container", "rootfs.sh")


def run(*command):
    subprocess.run(command, check=True, capture_output=True, timeout=30)


def bridge_hosts(tag, count, namespaces):
    """A switch namespace TAGsw with a bridge, and COUNT host namespaces TAGn1.. each wired to it by a
    veth pair (TAGvI in the host, TAGsI on the switch) with address NET.I. Every namespace made is
    appended to NAMESPACES at once, so a failure half-way still leaves them for the cleanup."""
    sw = f"{tag}sw"
    run("ip", "netns", "add", sw)
    namespaces.append(sw)
    run("ip", "-n", sw, "link", "set", "lo", "up")
    run("ip", "-n", sw, "link", "add", "br0", "type", "bridge")
    run("ip", "-n", sw, "link", "set", "br0", "up")
    for i in range(1, count + 1):
        n = f"{tag}n{i}"
        run("ip", "netns", "add", n)
        namespaces.append(n)
        run("ip", "-n", n, "link", "set", "lo", "up")
        run("ip", "link", "add", f"{tag}v{i}", "type", "veth", "peer", "name", f"{tag}s{i}")
        run("ip", "link", "set", f"{tag}v{i}", "netns", n)
        run("ip", "link", "set", f"{tag}s{i}", "netns", sw)
        run("ip", "-n", n, "addr", "add", f"{NET}.{i}/24", "dev", f"{tag}v{i}")
        run("ip", "-n", n, "link", "set", f"{tag}v{i}", "up")
        run("ip", "-n", sw, "link", "set", f"{tag}s{i}", "master", "br0", "up")
    return sw


def kill_everything_in(namespaces):
    """SIGKILL for whatever still runs in NAMESPACES (as `ip netns pids` lists them)."""
    for n in namespaces:
        out = subprocess.run(["ip", "netns", "pids", n], capture_output=True, text=True)
        for pid in out.stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass


def netns_unavailable():
    """Why this machine cannot run these tests, or None."""
    if os.getuid() != 0:
        return "needs root for ip netns"
    if shutil.which("ip") is None:
        return "no ip command"
    probe = f"irdprobe{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode != 0:
        return "ip netns add is not allowed here"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def first_line_time(since, pattern, path):
    """The time (epoch s) of the first log line at or after SINCE matching PATTERN, or None."""
    regex = re.compile(pattern)
    if not os.path.exists(path):
        return None
    for line in open(path, errors="replace"):
        stamp, _, rest = line.partition(" ")
        try:
            t = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
        if t >= since and regex.search(rest):
            return t
    return None


class NetnsTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        reason = netns_unavailable()
        if reason:
            self.skipTest(reason)
        self.tag = f"ird{random.randint(0, 0xFFFFF):05x}"  # short: interface names are at most 15 characters
        self.namespaces = []
        self.addCleanup(self.remove_network)
        self.env = dict(os.environ, IRIDIUM_COOKIE=f"netns-test-{self.tag}")
        self.make_network()

    # ---- the network

    def ns(self, i):
        return f"{self.tag}n{i}"

    def in_ns(self, i):
        """The prefix that runs a command in namespace I."""
        return ["ip", "netns", "exec", self.ns(i)]

    @property
    def switch(self):
        return f"{self.tag}sw"

    def make_network(self):
        sw = bridge_hosts(self.tag, COUNT, self.namespaces)
        run("ip", "-n", sw, "addr", "add", f"{NET}.254/24", "dev", "br0")
        for i in range(1, COUNT + 1):
            n = self.ns(i)
            # `ip netns exec` mounts /etc/netns/NAME/* over /etc: this namespace's resolver is ours.
            os.makedirs(f"/etc/netns/{n}", exist_ok=True)
            with open(f"/etc/netns/{n}/resolv.conf", "w") as f:
                f.write(f"nameserver {NET}.254\n")
        # The DNS name lists n1..n3 (n4 joins through it).
        self.run_fixture(
            sw, "dns_stub.py", f"{NET}.254", "53", DNS_NAME, "600", f"{NET}.1", f"{NET}.2", f"{NET}.3", log="dns"
        )

    def run_fixture(self, namespace, script, *args, log):
        """A Python helper of fixtures/netns/, run in NAMESPACE in the background."""
        command = ["ip", "netns", "exec", namespace, sys.executable, "-u", os.path.join(NETNS_FIXTURES, script), *args]
        return self.spawn(command, log=log)

    def remove_network(self):
        # Nodes that tools/cluster.sh started record their pid on their "host".
        for path in glob.glob(self.path("home*", "iridium", "*", "node.pid")):
            try:
                harness.adopt(int(open(path).read()))
            except ValueError:
                pass
        self._end_processes()
        # Anything still running in our namespaces goes too.
        kill_everything_in(self.namespaces)
        for n in self.namespaces:
            subprocess.run(["ip", "netns", "del", n], capture_output=True)
            shutil.rmtree(f"/etc/netns/{n}", ignore_errors=True)
        try:
            os.rmdir("/etc/netns")
        except OSError:
            pass

    def link(self, i, state):
        """The switch port of node I: up or down."""
        run("ip", "-n", self.switch, "link", "set", f"{self.tag}s{i}", state)

    # ---- nodes

    def start_node(self, i, alias, port, advertise, *extra):
        """A node in namespace I; `ip netns exec` execs the binary, so the PID is the node's."""
        address = ["-H", "0.0.0.0", "-P", str(port), "--advertise-host", advertise]
        return self.start("node", "--node-alias", alias, *address, *extra, prefix=self.in_ns(i), log=alias,
                          data_root=self.path("data"), env=self.env)  # fmt: skip

    def up_count(self, i, address):
        """How many members ADDRESS lists as self or up, asked from namespace I."""
        return len(
            harness.live_aliases(
                address, data_root=self.path("data"), timeout_ms=1500, prefix=self.in_ns(i), env=self.env, timeout=30
            )
        )

    def mesh_up(self):
        """Every node, asked from the next namespace, lists all four up."""
        return all(self.up_count(i % COUNT + 1, f"{NET}.{i}:{PORT}") == COUNT for i in range(1, COUNT + 1))

    def start_mesh(self):
        self.start_node(1, "n1", PORT, f"{NET}.1")
        self.start_node(2, "n2", PORT, f"{NET}.2", "--join", f"{NET}.1:{PORT}")
        self.start_node(3, "n3", PORT, f"{NET}.3", "--join", f"{NET}.1:{PORT}")
        self.start_node(4, "n4", PORT, f"{NET}.4", "--join", f"dns:{DNS_NAME}:{PORT}")
        wait_for(self.mesh_up, 30, "a full mesh of 4 nodes by address", interval=0.2)

    def all_logged(self, since, pairs):
        """The latest time of the first line since SINCE matching each (alias, pattern), or None."""
        times = [first_line_time(since, pattern, self.path(f"{alias}.log")) for alias, pattern in pairs]
        return None if None in times else max(times)

    def hosts_env(self):
        """tools/cluster.sh's environment: ssh and scp stand-ins that enter the namespace of the
        address (10.77.0.I is namespace I; each "host" has its home directory under the work directory)."""
        return dict(
            self.env,
            IRIDIUM_SSH=os.path.join(NETNS_FIXTURES, "ssh_in_netns.sh"),
            IRIDIUM_SCP=os.path.join(NETNS_FIXTURES, "scp_in_netns.sh"),
            IRIDIUM=BIN,
            E2E_HOSTS_DIR=self.work,
            E2E_NETNS_PREFIX=f"{self.tag}n",
        )

    def count_lines(self, text, aliases=("n1", "n2", "n3", "n4")):
        return sum(self.read(f"{a}.log").count(text) for a in aliases)

    # ---- the tests

    def test_mesh_by_address(self):
        self.start_mesh()
        self.assertRegex(
            self.read("n4.log"),
            rf"joined the cluster through {re.escape(NET)}\.[123]:{PORT}",
            f"n4 did not join through an address of {DNS_NAME}",
        )

    def test_partition_and_heal(self):
        self.start_mesh()
        t_down = time.time()
        self.link(3, "down")
        downs = [
            ("n1", "node down: n3 "),
            ("n2", "node down: n3 "),
            ("n4", "node down: n3 "),
            ("n3", "node down: n1 "),
            ("n3", "node down: n2 "),
            ("n3", "node down: n4 "),
        ]
        t_marked = wait_for(
            lambda: self.all_logged(t_down, downs), 15, "both sides of the partition mark the other down", interval=0.2
        )
        detect = t_marked - t_down
        self.assertLessEqual(
            detect,
            FAILURE_TIMEOUT_S + 1,
            f"partition: marked down after {detect:.2f} s, more than the failure timeout + 1 s",
        )
        time.sleep(3)  # not an assertion: the partition lasts a while
        t_up = time.time()
        self.link(3, "up")
        ups = [
            ("n1", "node up: n3 "),
            ("n2", "node up: n3 "),
            ("n4", "node up: n3 "),
            ("n3", "node up: n1 "),
            ("n3", "node up: n2 "),
            ("n3", "node up: n4 "),
        ]
        t_healed = wait_for(lambda: self.all_logged(t_up, ups), 30, "the partition heals", interval=0.2)
        wait_for(self.mesh_up, 10, "a full mesh after the partition", interval=0.2)
        heal = t_healed - t_up
        # n3 lost every peer, so it rejoins through its seed: rounds at most 2.5 s apart (2 s backoff
        # plus jitter), and a dial in flight when the link returns waits for its SYN to be resent (1 s,
        # then 2 s more). Seen: 0.15 to 4.8 s. More than 8 s is a regression.
        self.assertLessEqual(heal, 8, f"partition: healed {heal:.2f} s after the link came back, more than 8 s")
        print(
            f"\n  partition of {t_up - t_down:.2f} s: marked down in {detect:.2f} s, "
            f"healed {heal:.2f} s after the link came back (no restart)"
        )

    def test_flapping_link(self):
        self.start_mesh()
        before_down, before_up = self.count_lines("node down:"), self.count_lines("node up:")
        before_n3 = self.count_lines("node down:", ("n3",))
        t_flap = time.time()
        for _ in range(5):
            self.link(3, "down")
            time.sleep(1)  # the stimulus: the link is down 1 s, then up 1 s
            self.link(3, "up")
            time.sleep(1)
        wait_for(self.mesh_up, 30, "a full mesh after the flapping", interval=0.2)
        flap_down = self.count_lines("node down:") - before_down
        flap_up = self.count_lines("node up:") - before_up
        n3_down = self.count_lines("node down:", ("n3",)) - before_n3
        # Links that do not cross n3 never go down.
        for alias in ("n1", "n2", "n4"):
            self.assertIsNone(
                first_line_time(t_flap, r"node down: n[124] ", self.path(f"{alias}.log")),
                f"flapping n3 took down a link between two other nodes ({alias}.log)",
            )
        # Each of n3's three links goes down at most once per flap of the link, on each side.
        self.assertLessEqual(flap_down, 5 * 3 * 2, f"flapping: {flap_down} node down lines for 5 flaps of one link")
        self.assertGreaterEqual(
            flap_up, flap_down, f"flapping: {flap_down} node down lines but only {flap_up} node up lines"
        )
        print(
            f"\n  5 flaps of 1 s: {flap_down} node down and {flap_up} node up lines in all logs "
            f"({n3_down} on n3), every link healed"
        )

    def test_delayed_links(self):
        # A TCP proxy adding 200 ms each way in front of two more nodes.
        delay_ms, dport = 200, PORT + 1
        sw = self.switch
        run("ip", "netns", "exec", sw, "ip", "addr", "add", f"{NET}.101/24", "dev", "br0")
        run("ip", "netns", "exec", sw, "ip", "addr", "add", f"{NET}.102/24", "dev", "br0")
        for proxy, target in (("proxy1", 1), ("proxy2", 2)):
            # LISTEN_IP PORT TARGET_IP TARGET_PORT DELAY_MS LIFETIME_S
            arguments = [f"{NET}.10{target}", str(dport), f"{NET}.{target}", str(dport), str(delay_ms), "600"]
            self.run_fixture(sw, "delay_proxy.py", *arguments, log=proxy)
            wait_for(lambda: "listening" in self.read(f"{proxy}.log"), 15, f"{proxy} listens")
        self.start_node(1, "n5", dport, f"{NET}.101")
        self.start_node(2, "n6", dport, f"{NET}.102", "--join", f"{NET}.101:{dport}")

        def pair_up():
            return self.up_count(3, f"{NET}.101:{dport}") == 2 and self.up_count(3, f"{NET}.102:{dport}") == 2

        wait_for(pair_up, 30, f"two nodes behind {delay_ms} ms proxies form a cluster", interval=0.2)
        t_delay = time.time()
        time.sleep(8)  # the pair must stay up this long behind the delay
        self.assertTrue(pair_up(), "the delayed pair did not stay up")
        for alias in ("n5", "n6"):
            self.assertIsNone(
                first_line_time(t_delay, "node down:", self.path(f"{alias}.log")),
                f"{alias} marked a peer down behind the {delay_ms} ms proxy",
            )

        def rtt(address):
            options = dict(data_root=self.path("data"), prefix=self.in_ns(3), env=self.env, timeout=60)
            out = iridium("ping", address, "--count", "3", **options)
            return (out.stdout + out.stderr).strip().splitlines()[-1:]

        print(
            f"\n  {delay_ms} ms each way: the pair stayed up for 8 s with no node down line; "
            f"ping through the proxy: {rtt(f'{NET}.101:{dport}')}; direct: {rtt(f'{NET}.1:{dport}')}"
        )

    def test_scratch_tree_resolves_the_dns_seed(self):
        # The scratch image's tree in a namespace, with only the /etc/resolv.conf a Kubernetes pod
        # gets: glibc resolves the dns: seed with no nsswitch.conf, hosts file or NSS library.
        self.start_mesh()
        scratch = self.path("scratch")
        subprocess.run([ROOTFS_SH, scratch, BIN], check=True, capture_output=True, timeout=120)
        os.makedirs(os.path.join(scratch, "etc"))
        with open(os.path.join(scratch, "etc", "resolv.conf"), "w") as f:
            f.write(f"nameserver {NET}.254\n")
        cookie = f"IRIDIUM_COOKIE={self.env['IRIDIUM_COOKIE']}"
        chroot = [shutil.which("chroot"), "--userspec=65532:65532", scratch]
        node = ["node", "--node-alias", "s4", "-H", "0.0.0.0", "-P", str(PORT + 3), "--advertise-host", f"{NET}.4"]
        join = ["--join", f"dns:{DNS_NAME}:{PORT}"]
        self.spawn(
            ["ip", "netns", "exec", self.ns(4), "env", "-i", cookie, *chroot, "/iridium", *node, *join], log="s4"
        )
        wait_for(
            lambda: re.search(rf"joined the cluster through {re.escape(NET)}\.[123]:{PORT}", self.read("s4.log")),
            20,
            f"a node in the scratch tree joins through dns:{DNS_NAME}",
        )

    def test_cluster_sh_across_hosts(self):
        env = self.hosts_env()

        def cluster_sh(*args):
            return subprocess.run([CLUSTER_SH, *args], capture_output=True, text=True, env=env, timeout=120)

        hport = PORT + 2
        hosts = self.write(
            "hosts", f"# three hosts\nroot@{NET}.1 h1 {hport}\nroot@{NET}.2 h2 {hport}\n\nroot@{NET}.3 h3 {hport}\n"
        )
        out = cluster_sh("deploy", hosts)
        self.assertEqual(out.returncode, 0, f"cluster.sh deploy: {out.stdout}{out.stderr}")
        self.assertEqual(len(re.findall(r"^deployed ", out.stdout, re.M)), 3, f"cluster.sh deploy: {out.stdout}")
        self.assertIn(
            f'advertise_host = "{NET}.2"', self.read("home2/iridium/h2/node.toml").splitlines(), "h2's node.toml"
        )
        self.assertTrue(
            filecmp.cmp(BIN, self.path("home3/iridium/h3/iridium"), shallow=False), "the binary was not copied to h3"
        )
        out = cluster_sh("start", hosts)
        self.assertEqual(out.returncode, 0, f"cluster.sh start: {out.stdout}{out.stderr}")
        for path in glob.glob(self.path("home*", "iridium", "*", "node.pid")):
            harness.adopt(int(open(path).read()))

        # Asked from the fourth namespace, with the cookie cluster.sh made for these nodes.
        cookie = hosts + ".cookie"

        def hosts_up():
            def live(i):
                address = f"{NET}.{i}:{hport}"
                return harness.live_aliases(
                    address, "--cookie-file", cookie, timeout_ms=1500, prefix=self.in_ns(4), timeout=30
                )

            return all(len(live(i)) == 3 for i in (1, 2, 3))

        wait_for(hosts_up, 30, "the three nodes cluster.sh started form a mesh", interval=0.2)
        out = cluster_sh("status", hosts)
        self.assertEqual(out.returncode, 0, f"cluster.sh status: {out.stdout}{out.stderr}")
        self.assertEqual(len(re.findall(r"^running, pid ", out.stdout, re.M)), 3, f"cluster.sh status: {out.stdout}")
        self.assertEqual(
            len(re.findall(r" (up|self) ", out.stdout)),
            9,
            f"cluster.sh status does not list 3 nodes up on each host: {out.stdout}",
        )
        host_pids = [int(open(p).read()) for p in glob.glob(self.path("home*", "iridium", "*", "node.pid"))]
        out = cluster_sh("stop", hosts)
        self.assertEqual(out.returncode, 0, f"cluster.sh stop: {out.stdout}{out.stderr}")
        for pid in host_pids:
            self.assertFalse(harness.alive(pid), f"cluster.sh stop left pid {pid} running")
        self.assertIn("left the cluster", self.read("home1/iridium/h1/node.log"), "h1 did not leave gracefully")
        out = cluster_sh("status", hosts)
        self.assertNotEqual(out.returncode, 0, "cluster.sh status succeeds with every node stopped")
        self.assertEqual(
            len(re.findall(r"^not running", out.stdout, re.M)), 3, f"cluster.sh status after stop: {out.stdout}"
        )

    def test_cluster_sh_start_fails_on_a_taken_port(self):
        # A node that cannot start (n1 holds this port in the first namespace) fails `start`, with its log.
        self.start_node(1, "n1", PORT, f"{NET}.1")
        wait_for(lambda: "listening on" in self.read("n1.log"), 20, "n1 listens")
        env = self.hosts_env()
        busy = self.write("busy-hosts", f"root@{NET}.1 busy {PORT}\n")
        out = subprocess.run([CLUSTER_SH, "deploy", busy], capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(out.returncode, 0, f"cluster.sh deploy of the busy host: {out.stdout}{out.stderr}")
        out = subprocess.run([CLUSTER_SH, "start", busy], capture_output=True, text=True, env=env, timeout=120)
        self.assertNotEqual(out.returncode, 0, f"cluster.sh start succeeded on a taken port: {out.stdout}{out.stderr}")
        self.assertRegex(
            out.stdout + out.stderr,
            r"cannot listen on .*address already in use",
            "cluster.sh start did not show why the node exited",
        )


if __name__ == "__main__":
    unittest.main()
