#!/usr/bin/env python3
"""Cluster benchmarks on the published binary (not timed tests):
  * time for N node processes started at once, as a shell script would (each with --join of a
    random earlier node), to reach a full mesh: from the first process spawn, and from the last,
    to the last 'node up' that completes it;
  * idle RSS per node once the mesh is complete;
  * kill -9 of one node: time until every other node has logged it down;
  * SIGSTOP of one node: time until every other node has logged it down (failure timeout).
Usage: cluster-mesh.py [--iridium PATH] [--sizes 3,8,16,32] [--runs 3]
Every process it starts is killed by PID on exit; only 127.0.0.1 is used."""
import argparse, datetime, os, random, re, signal, socket, subprocess, sys, tempfile, time

LINE = re.compile(r'^(\S+Z) \w+: \S+ node (up|down): (\S+)')

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

def events(path):
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m: out.append((stamp(m.group(1)), m.group(2), m.group(3)))
    return out

class Cluster:
    def __init__(self, iridium, n, work, extra=()):
        self.iridium, self.n, self.work = iridium, n, work
        self.base = free_base(n)
        self.procs, self.logs = [], []
        cookie = os.path.join(work, "cookie")
        with open(cookie, "w") as f: f.write("bench-cookie")
        rng = random.Random(n)
        commands = []
        for i in range(n):
            cmd = [iridium, "node", "--node-alias", f"n{i:02d}", "-P", str(self.base + i), "--cookie-file", cookie, "--data-root-dir", work, *extra]
            if i > 0: cmd += ["--join", f"127.0.0.1:{self.base + rng.randrange(i)}"]
            commands.append(cmd)
        self.first_start = time.time()
        for i, cmd in enumerate(commands):
            log = os.path.join(work, f"n{i:02d}.log"); self.logs.append(log)
            self.procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log, "w")))
        self.last_start = time.time()

    def up_sets(self):
        views = []
        for log in self.logs:
            view, complete_at = set(), None
            for t, kind, alias in events(log):
                if kind == "up": view.add(alias)
                else: view.discard(alias)
                if len(view) == self.n - 1 and complete_at is None: complete_at = t
            views.append((view, complete_at))
        return views

    def wait_mesh(self, limit=20):
        """Seconds from the first spawn and from the last spawn to the full mesh."""
        deadline = time.time() + limit
        while time.time() < deadline:
            views = self.up_sets()
            if all(len(v) == self.n - 1 for v, _ in views):
                done = max(t for _, t in views)
                return done - self.first_start, done - self.last_start
            time.sleep(0.05)
        raise SystemExit(f"no full mesh of {self.n} within {limit}s")

    def rss_kib(self):
        values = []
        for p in self.procs:
            with open(f"/proc/{p.pid}/status") as f:
                values += [int(l.split()[1]) for l in f if l.startswith("VmRSS:")]
        return values

    def time_down(self, victim, sig, limit=10):
        alias = f"n{victim:02d}"
        before = {log: len(events(log)) for log in self.logs}
        t0 = time.time()
        os.kill(self.procs[victim].pid, sig)
        deadline = t0 + limit
        others = [log for i, log in enumerate(self.logs) if i != victim]
        while time.time() < deadline:
            downs = []
            for log in others:
                hits = [t for t, kind, a in events(log)[before[log]:] if kind == "down" and a == alias]
                if not hits: break
                downs.append(hits[0])
            else:
                return max(downs) - t0
            time.sleep(0.02)
        raise SystemExit(f"{alias} not marked down within {limit}s")

    def close(self):
        for p in self.procs:
            try: os.kill(p.pid, signal.SIGCONT); p.kill()
            except ProcessLookupError: pass
        for p in self.procs: p.wait()

def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--iridium", default=os.environ.get("IRIDIUM", os.path.join(root, "artifacts", "iridium")))
    ap.add_argument("--sizes", default="3,8,16,32")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    for n in [int(s) for s in a.sizes.split(",")]:
        from_first, from_last, rss = [], [], []
        for _ in range(a.runs):
            with tempfile.TemporaryDirectory() as work:
                c = Cluster(a.iridium, n, work)
                try:
                    first, last = c.wait_mesh()
                    from_first.append(first); from_last.append(last)
                    time.sleep(1.5)
                    rss += c.rss_kib()
                finally:
                    c.close()
        from_first.sort(); from_last.sort()
        print(f"mesh N={n:2d}: from first spawn median {from_first[len(from_first)//2]*1000:6.0f} ms, worst {from_first[-1]*1000:6.0f} ms; "
              f"from last spawn median {from_last[len(from_last)//2]*1000:6.0f} ms, worst {from_last[-1]*1000:6.0f} ms over {a.runs} runs; "
              f"idle RSS per node median {sorted(rss)[len(rss)//2]/1024:.1f} MiB")
    for label, sig in (("kill -9", signal.SIGKILL), ("SIGSTOP", signal.SIGSTOP)):
        with tempfile.TemporaryDirectory() as work:
            c = Cluster(a.iridium, 5, work)
            try:
                c.wait_mesh()
                took = c.time_down(4, sig)
                print(f"{label}: all 4 peers logged node down after {took*1000:.0f} ms (defaults: heartbeat 1 s, failure timeout 3 s)")
            finally:
                c.close()

if __name__ == "__main__":
    main()
