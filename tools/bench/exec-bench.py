#!/usr/bin/env python3
"""`iridium exec` against `iridium run`, side by side in one interleaved run:

* overhead: exec of an empty program on a remote node (contacted node1, target node2) and
  `iridium run` of the same image, alternated; each pair's difference is the cluster's cost
  (connect, authenticate, forward, run, answer). Reports p50/p99 of the differences. Alongside,
  `iridium ping -c 1` to node1 (start-up, connect and authenticate, one round trip, no program):
  exec minus ping is what running the program remotely adds to any client command's cost.
* streaming: a PRTS loop printing OUTPUT_MB of text, run locally into /dev/null, exec'd on node2
  through node1 (two hops: the relayed path) and on node2 contacted directly (one hop), all into
  /dev/null, alternated; reports the median MB/s of each and the ratios.

Wall times of whole processes (start-up included, the same on both sides). The machine is shared:
read the ratio, not the absolute figures.
"""
import argparse, os, signal, socket, statistics, subprocess, sys, tempfile, time

def free_base(count):
    for _ in range(200):
        base = 20000 + int.from_bytes(os.urandom(2), "little") % 12000
        socks = []
        try:
            for i in range(count):
                s = socket.socket(); s.bind(("127.0.0.1", base + i)); socks.append(s)
            return base
        except OSError:
            pass
        finally:
            for s in socks: s.close()
    raise SystemExit("no free ports")

def timed(cmd, stdout=subprocess.DEVNULL):
    start = time.perf_counter()
    status = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE).returncode
    elapsed = time.perf_counter() - start
    if status != 0: raise SystemExit(f"{' '.join(cmd)} exited {status}")
    return elapsed

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iridium", required=True)
    ap.add_argument("--runs", type=int, default=200, help="overhead pairs")
    ap.add_argument("--stream-runs", type=int, default=7)
    ap.add_argument("--output-mb", type=int, default=256)
    args = ap.parse_args()
    ir = os.path.abspath(args.iridium)
    work = tempfile.mkdtemp()
    data = ["--data-root-dir", os.path.join(work, "data")]
    base = free_base(2)
    nodes = []
    try:
        for i in range(2):
            cmd = [ir, "node", "--node-alias", f"node{i + 1}", "-P", str(base + i)] + data
            if i: cmd += ["--join", f"127.0.0.1:{base}"]
            nodes.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"node{i + 1}.log"), "w")))
            time.sleep(0.3)
        node1 = f"127.0.0.1:{base}"
        deadline = time.time() + 15
        while True:
            members = subprocess.run([ir, "members", node1] + data, capture_output=True, text=True).stdout
            if members.count(" up ") >= 1: break
            if time.time() > deadline: raise SystemExit("the two nodes did not mesh")
            time.sleep(0.1)
        time.sleep(1.5)  # node2's first heartbeat announces exec

        empty = os.path.join(work, "empty.ir")
        with open(os.path.join(work, "empty.iasm"), "w") as f: f.write(".data\n.code\nhlt\n")
        subprocess.run([ir, "asm", os.path.join(work, "empty.iasm"), "-o", empty], check=True)
        lines = args.output_mb * 1024 * 1024 // 64
        printer = os.path.join(work, "printer.ir")
        with open(os.path.join(work, "printer.iasm"), "w") as f:
            f.write(".data\nline: .asciiz '" + "x" * 63 + "'\n.code\nload $0 #0\nload $1 #" + str(lines) +
                    "\nload $3 #10\ntop: prts @line\nprtc $3\ninc $0\nlt $0 $1\ndjmpe @top\nhlt\n")
        subprocess.run([ir, "asm", os.path.join(work, "printer.iasm"), "-o", printer], check=True)

        run = lambda image: [ir, "run", image]
        execute = lambda image: [ir, "exec", node1, image, "--on", "node2"] + data
        for _ in range(10):  # warm both nodes and the page cache
            timed(execute(empty)); timed(run(empty))
        ping = [ir, "ping", node1, "-c", "1"] + data
        local, remote, pings, diffs, beyond_ping = [], [], [], [], []
        for i in range(args.runs):
            trio = [("run", run(empty)), ("exec", execute(empty)), ("ping", ping)]
            trio = trio[i % 3:] + trio[:i % 3]
            t = {name: timed(cmd) for name, cmd in trio}
            local.append(t["run"]); remote.append(t["exec"]); pings.append(t["ping"])
            diffs.append(t["exec"] - t["run"]); beyond_ping.append(t["exec"] - t["ping"])
        ms = lambda s: s * 1000
        print(f"## exec overhead ({args.runs} interleaved rounds; empty program; exec through node1 to node2)\n")
        print("| | p50 ms | p99 ms |\n|---|---|---|")
        print(f"| iridium run (local) | {ms(pct(local, 50)):.2f} | {ms(pct(local, 99)):.2f} |")
        print(f"| iridium exec (remote) | {ms(pct(remote, 50)):.2f} | {ms(pct(remote, 99)):.2f} |")
        print(f"| iridium ping -c 1 (connect, authenticate, one round trip) | {ms(pct(pings, 50)):.2f} | {ms(pct(pings, 99)):.2f} |")
        print(f"| exec - run (per round) | **{ms(pct(diffs, 50)):.2f}** | **{ms(pct(diffs, 99)):.2f}** |")
        print(f"| exec - ping (per round) | **{ms(pct(beyond_ping, 50)):.2f}** | **{ms(pct(beyond_ping, 99)):.2f}** |\n")

        mb = lines * 64 / 1e6
        direct = lambda image: [ir, "exec", f"127.0.0.1:{base + 1}", image] + data
        local_rates, remote_rates, direct_rates = [], [], []
        with open(os.devnull, "wb") as null:
            timed(execute(printer), null)
            for i in range(args.stream_runs):
                local_rates.append(mb / timed(run(printer), null))
                remote_rates.append(mb / timed(execute(printer), null))
                direct_rates.append(mb / timed(direct(printer), null))
        lo, re_, di = statistics.median(local_rates), statistics.median(remote_rates), statistics.median(direct_rates)
        print(f"## streamed output ({mb:.0f} MB of 64-byte PRTS lines to /dev/null, median of {args.stream_runs})\n")
        print("| | MB/s |\n|---|---|")
        print(f"| iridium run (local) | {lo:.0f} |")
        print(f"| iridium exec (node2 through node1: relayed) | {re_:.0f} |")
        print(f"| iridium exec (node2 contacted directly) | {di:.0f} |")
        print(f"| relayed / local | **{re_ / lo:.2f}** |")
        print(f"| direct / local | **{di / lo:.2f}** |")
    finally:
        for p in nodes:
            p.send_signal(signal.SIGTERM)
        for p in nodes:
            try: p.wait(5)
            except subprocess.TimeoutExpired: p.kill(); p.wait()
        subprocess.run(["rm", "-rf", work])

if __name__ == "__main__":
    main()
