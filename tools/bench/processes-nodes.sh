#!/usr/bin/env bash
# Processes on two nodes on loopback, Iridium side by side with Erlang distribution (erl -sname),
# interleaved run by run: P pairs (1, then 8), each a process on the first node and a partner it
# spawned on the second, pass a counter back and forth. Iridium runs
# tests/e2e/fixtures/programs/cross-pingpong.iasm through `iridium exec` on a 2-node cluster
# (tools/cluster.sh); Erlang runs tools/bench/processes/pingpong_dist.erl between two `erl -sname`
# nodes. Messages per second count both directions. Start-up cancels out: each Iridium figure is
# the difference of a big and a small run (2,000 vs 200 round trips per pair); Erlang times the
# exchange inside the program, and also every round trip (p50/p99). An Iridium program has no
# clock, so its round trip is the mean (1 pair: time per round trip), not a percentile.
# Usage: tools/bench/processes-nodes.sh [REPEATS]   (IRIDIUM_BIN: default artifacts/iridium)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${IRIDIUM_BIN:-$root/artifacts/iridium}
repeats=${1:-3}
command -v erl >/dev/null || { echo "processes-nodes.sh: erl not found (apt-get install -y erlang-base)" >&2; exit 69; }
[ -x "$bin" ] || { echo "processes-nodes.sh: $bin not found (dotnet publish src/Iridium.Cli -c Release -o artifacts)" >&2; exit 66; }

work=$(mktemp -d)
peer_pid=
cleanup() {
    IRIDIUM=$bin "$root/tools/cluster.sh" stop --dir "$work/cluster" >/dev/null 2>&1 || true
    [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
erlc -o "$work" "$here/processes/pingpong_dist.erl"
program() { sed -e "s/load \$20 #2 .*/load \$20 #$1/" -e "s/load \$21 #500 .*/load \$21 #$2/" \
    "$root/tests/e2e/fixtures/programs/cross-pingpong.iasm" > "$work/pp-$1-$2.iasm"; }
for p in 1 8; do program "$p" 200; program "$p" 2000; done

# Two Iridium nodes on free loopback ports.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
IRIDIUM=$bin "$root/tools/cluster.sh" start 2 --base-port "$port" --dir "$work/cluster" >/dev/null
data=$work/cluster/data
for _ in $(seq 100); do
    [ "$("$bin" members "127.0.0.1:$port" --data-root-dir "$data" 2>/dev/null | grep -c ' up')" -ge 1 ] && break
    sleep 0.2
done

# An Erlang peer node with the module on its path (a partner runs there).
host=$(hostname -s)
cookie=bench$$
erl -sname "peer$$" -setcookie "$cookie" -noshell -pa "$work" >/dev/null 2>&1 &
peer_pid=$!
for _ in $(seq 100); do erl -sname "probe$$" -setcookie "$cookie" -noshell -eval \
    "halt(case net_adm:ping('peer$$@$host') of pong -> 0; _ -> 1 end)" 2>/dev/null && break; sleep 0.2; done

seconds() { python3 -c 'import subprocess, sys, time
t = time.perf_counter(); done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
if done.returncode != 0: sys.exit(f"{sys.argv[1:]}: exit {done.returncode}: {done.stdout[-300:]} {done.stderr[-300:]}")
print(f"{time.perf_counter() - t:.4f}")' "$@"; }
results=$work/results
for ((r = 1; r <= repeats; r++)); do
    for p in 1 8; do
        for n in 200 2000; do
            echo "ir $p $n $(seconds "$bin" exec "127.0.0.1:$port" "$work/pp-$p-$n.iasm" --on node1 --data-root-dir "$data")" >> "$results"
        done
        echo "erl $p 2000 $(erl -sname "bench$$" -setcookie "$cookie" -noshell -pa "$work" -run pingpong_dist main "peer$$@$host" "$p" 2000)" >> "$results"
    done
done

python3 - "$results" <<'PY'
import statistics, sys
ir, erl = {}, {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "ir": ir.setdefault((int(f[1]), int(f[2])), []).append(float(f[3]))
    else: erl.setdefault(int(f[1]), []).append((float(f[3]), float(f[4]), float(f[5])))
def ir_seconds(p): return statistics.median(ir[(p, 2000)]) - statistics.median(ir[(p, 200)])
def ir_rate(p): return 2 * p * 1800 / ir_seconds(p)
def erl_field(p, i): return statistics.median(e[i] for e in erl[p])
def erl_rate(p): return 2 * p * 2000 / (erl_field(p, 0) / 1e6)
print(f"{'two nodes on loopback':38} {'Iridium':>12} {'Erlang/OTP':>12}")
print(f"{'round trip, 1 pair (us): mean':38} {1e6 * ir_seconds(1) / 1800:12.1f} {erl_field(1, 0) / 2000:12.1f}")
print(f"{'round trip, 1 pair (us): p50 / p99':38} {'n/a':>12} {erl_field(1, 1):>5.1f} / {erl_field(1, 2):<5.1f}")
print(f"{'messages/s, 1 pair':38} {ir_rate(1):12,.0f} {erl_rate(1):12,.0f}")
print(f"{'messages/s, 8 pairs':38} {ir_rate(8):12,.0f} {erl_rate(8):12,.0f}")
print(f"({len(ir[(1, 2000)])} interleaved runs each, medians)")
PY
