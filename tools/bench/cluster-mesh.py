#!/usr/bin/env python3
"""Cluster mesh benchmark on the published binary (not a timed test).

For each size N: N `iridium node` processes started at once, as a shell script would start them
(each with --join of a random earlier node), on 127.0.0.1. It reports
  * the time to the full mesh (every node has logged 'node up' for every other one and no
    'node down' since): from the first spawn and from the last;
  * flaps: 'node down' lines logged in the --watch seconds after the mesh was complete (and how
    many nodes logged any); a mesh that stays formed has none;
  * per idle node, once the mesh is complete: threads and RSS (median and max, from
    /proc/PID/status), and CPU (user+system, from /proc/PID/stat) over the watch, in ms of CPU
    per second per node (median and max): the cost of heartbeats and load reports in an idle mesh.
With --failure it also times kill -9 and SIGSTOP of one node of five until every peer logged it down.

Usage: cluster-mesh.py [--iridium PATH] [--sizes 16,32,64,128,256] [--runs 1] [--watch 60]
                       [--limit SECONDS] [--failure] [--logs DIR] [--verbose]
The machine's other load shows in every figure (the table notes the host's load average before and
after each size): run it on a quiet host for numbers to compare. Every process it starts is killed
by PID on any way out (an error, Ctrl-C, SIGTERM, SIGHUP); only 127.0.0.1 is used."""
import argparse, datetime, os, random, re, signal, socket, statistics, subprocess, sys, tempfile, time

# 2026-12-07T05:00:00.123456Z info: node up: n02 <id> 127.0.0.1:20002
LINE = re.compile(r'^(\S+Z) \w+: node (up|down): (\S+)')
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_base(count):
    for _ in range(500):
        base = random.randint(20000, 32000 - count)  # below the ephemeral range (32768+)
        socks = []
        try:
            for i in range(count):
                s = socket.socket(); socks.append(s); s.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            pass
        finally:
            for s in socks: s.close()
    raise SystemExit("no free port range")


def stamp(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


class LogView:
    """One node's log, read incrementally: its current view of who is up, and every up/down event."""

    def __init__(self, path):
        self.path, self.offset, self.partial = path, 0, ""
        self.up, self.events = set(), []

    def poll(self):
        try:
            with open(self.path, errors="replace") as f:
                f.seek(self.offset)
                chunk = f.read()
                self.offset = f.tell()
        except FileNotFoundError:
            return
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()
        for line in lines:
            m = LINE.match(line)
            if not m: continue
            t, kind, alias = stamp(m.group(1)), m.group(2), m.group(3)
            self.events.append((t, kind, alias))
            if kind == "up": self.up.add(alias)
            else: self.up.discard(alias)

    def downs_after(self, t):
        return sum(1 for when, kind, _ in self.events if kind == "down" and when >= t)


def proc_status(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "Threads"): values[key] = int(rest.split()[0])
    return values


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def load_average():
    with open("/proc/loadavg") as f: return float(f.read().split()[0])


class Cluster:
    """N nodes; construct it inside try/finally with close(): a spawn that fails half-way leaves the started ones in procs."""

    def __init__(self, n, work):
        self.n, self.work = n, work
        self.base = free_base(n)
        self.procs, self.views = [], []

    def start(self, iridium, extra=()):
        n, work = self.n, self.work
        cookie = os.path.join(work, "cookie")
        with open(cookie, "w") as f: f.write("bench-cookie")
        rng = random.Random(n)
        commands = []
        for i in range(n):
            cmd = [iridium, "node", "--node-alias", f"n{i:03d}", "-P", str(self.base + i), "--cookie-file", cookie, "--data-root-dir", work, *extra]
            if i > 0: cmd += ["--join", f"127.0.0.1:{self.base + rng.randrange(i)}"]
            commands.append(cmd)
        self.first_start = time.time()
        for i, cmd in enumerate(commands):
            log = os.path.join(work, f"n{i:03d}.log")
            self.views.append(LogView(log))
            with open(log, "w") as out:
                # A fresh session, so no signal meant for this script reaches the nodes first; and
                # timestamped log lines even when started from a systemd unit.
                env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
                self.procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=out, env=env, start_new_session=True))
        self.last_start = time.time()
        return self

    def poll(self):
        for v in self.views: v.poll()
        return sum(1 for v in self.views if len(v.up) == self.n - 1)

    def wait_mesh(self, limit):
        """Seconds from the first and from the last spawn to the full mesh, or None (and how many nodes had it) after limit."""
        deadline = self.first_start + limit
        complete = 0
        while time.time() < deadline:
            complete = self.poll()
            if complete == self.n:
                # The moment the last view became complete: its last 'up' event.
                done = max(max(t for t, kind, _ in v.events if kind == "up") for v in self.views)
                return done - self.first_start, done - self.last_start, complete
            time.sleep(0.25 if self.n > 64 else 0.05)
        return None, None, complete

    def idle_sample(self):
        threads, rss, cpu = [], [], []
        for p in self.procs:
            try:
                s = proc_status(p.pid)
                threads.append(s["Threads"]); rss.append(s["VmRSS"] / 1024); cpu.append(cpu_seconds(p.pid))
            except (FileNotFoundError, ProcessLookupError, KeyError):
                pass
        return threads, rss, cpu

    def time_down(self, victim, sig, limit=15):
        alias = f"n{victim:03d}"
        self.poll()
        before = [len(v.events) for v in self.views]
        t0 = time.time()
        os.kill(self.procs[victim].pid, sig)
        others = [i for i in range(self.n) if i != victim]
        while time.time() < t0 + limit:
            self.poll()
            downs = []
            for i in others:
                hits = [t for t, kind, a in self.views[i].events[before[i]:] if kind == "down" and a == alias]
                if not hits: break
                downs.append(hits[0])
            else:
                return max(downs) - t0
            time.sleep(0.02)
        raise SystemExit(f"{alias} not marked down within {limit}s")

    def close(self):
        """Kills every node this cluster started, by PID (SIGCONT first: a stopped one is killed too)."""
        for p in self.procs:
            try: os.kill(p.pid, signal.SIGCONT); p.kill()
            except ProcessLookupError: pass
        for p in self.procs: p.wait()
        LIVE.discard(self)


# Every cluster not yet closed: killed on any way out of the script (an exception, Ctrl-C, SIGTERM).
LIVE = set()


def close_all():
    for c in list(LIVE): c.close()


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


def median(values):
    return statistics.median(values) if values else float("nan")


def new_cluster(iridium, n, work, extra=()):
    c = Cluster(n, work)
    LIVE.add(c)
    return c.start(iridium, extra)


def run_size(iridium, n, limit, watch, logs=None, extra=()):
    with tempfile.TemporaryDirectory() as scratch:
        work = scratch
        if logs:
            work = os.path.join(logs, f"{n}-nodes-{int(time.time())}")
            os.makedirs(work)
        load = load_average()
        c = None
        try:
            c = new_cluster(iridium, n, work, extra)
            from_first, from_last, complete = c.wait_mesh(limit)
            if from_first is None:
                c.poll()
                ups = sorted(len(v.up) for v in c.views)
                downs = sum(v.downs_after(c.first_start) for v in c.views)
                return dict(n=n, mesh=None, complete=complete, limit=limit, median_up=median(ups), downs=downs, load=load, load_after=load_average())
            mesh_at = time.time()
            _, _, cpu0 = c.idle_sample()
            t0 = time.time()
            time.sleep(watch)
            threads, rss, cpu1 = c.idle_sample()
            elapsed = time.time() - t0
            c.poll()
            flaps = sum(v.downs_after(mesh_at) for v in c.views)
            flapping = sum(1 for v in c.views if v.downs_after(mesh_at))
            still = sum(1 for v in c.views if len(v.up) == n - 1)
            cpu = [(b - a) / elapsed * 1000 for a, b in zip(cpu0, cpu1)]
            return dict(n=n, mesh=from_first, from_last=from_last, flaps=flaps, flapping=flapping, still=still,
                        threads=(median(threads), max(threads)), rss=(median(rss), max(rss)), cpu=(median(cpu), max(cpu)),
                        load=load, load_after=load_average())
        finally:
            if c is not None: c.close()


def row(r, watch):
    load = f"{r['load']:.0f} → {r['load_after']:.0f}"
    if r["mesh"] is None:
        return (f"| {r['n']} | not within {r['limit']:.0f} s: {r['complete']} of {r['n']} nodes complete, the median node had "
                f"{r['median_up']:.0f} of its {r['n'] - 1} peers up; {r['downs']} `node down` lines | | | | | {load} |")
    flaps = "none" if r["flaps"] == 0 else f"{r['flaps']} on {r['flapping']} nodes"
    return (f"| {r['n']} | {r['mesh']:.1f} s ({r['from_last']:.1f} s after the last spawn) | {flaps}; "
            f"{r['still']}/{r['n']} complete after {watch:.0f} s | {r['threads'][0]:.0f} (max {r['threads'][1]}) | "
            f"{r['rss'][0]:.1f} MiB (max {r['rss'][1]:.1f}) | {r['cpu'][0]:.1f} ms/s (max {r['cpu'][1]:.1f}) | {load} |")


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--iridium", default=os.environ.get("IRIDIUM", os.path.join(root, "artifacts", "iridium")))
    ap.add_argument("--sizes", default="16,32,64,128,256")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--watch", type=float, default=60, help="seconds to watch the idle mesh for flaps, threads, RSS and CPU")
    ap.add_argument("--limit", type=float, default=180, help="seconds from the first spawn to wait for the full mesh")
    ap.add_argument("--failure", action="store_true", help="also time kill -9 and SIGSTOP of one node of five")
    ap.add_argument("--logs", help="keep every node's log under this directory (one subdirectory per size), for a closer look")
    ap.add_argument("--verbose", action="store_true", help="nodes log debug detail (dial failures, handshake timeouts, races)")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        run(a)
    finally:
        close_all()


def run(a):
    print(f"# {os.cpu_count()} cores, load average {load_average():.1f} at the start")
    print("| nodes | full mesh from the first spawn | flaps in the watch after | threads per idle node | RSS per idle node | CPU per idle node | host load average (before → after) |")
    print("|---|---|---|---|---|---|---|")
    sys.stdout.flush()
    for n in [int(s) for s in a.sizes.split(",")]:
        for _ in range(a.runs):
            extra = ("--verbose",) if a.verbose else ()
            print(row(run_size(a.iridium, n, a.limit, a.watch, a.logs, extra), a.watch)); sys.stdout.flush()
    if a.failure:
        for label, sig in (("kill -9", signal.SIGKILL), ("SIGSTOP", signal.SIGSTOP)):
            with tempfile.TemporaryDirectory() as work:
                c = None
                try:
                    c = new_cluster(a.iridium, 5, work)
                    if c.wait_mesh(30)[0] is None: raise SystemExit("no mesh of 5")
                    took = c.time_down(4, sig)
                    print(f"{label}: all 4 peers logged node down after {took*1000:.0f} ms (defaults: heartbeat 1 s, failure timeout 3 s)")
                finally:
                    if c is not None: c.close()


if __name__ == "__main__":
    main()
