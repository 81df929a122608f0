#!/usr/bin/env bash
# Processes on one node, Iridium side by side with Erlang/OTP (apt-get install -y erlang-base),
# interleaved run by run so both see the same machine load:
#   ring  - 1,000 processes pass a token round 1,000 times (1,000,000 hops): messages per second
#   spawn - 100,000 processes that each wait for one message, then all messaged and ended:
#           microseconds per process (spawn + message + end) and bytes per idle process
# Start-up (Erlang's boot alone is about a second) cancels out: each figure is the difference of
# a big and a small run (ring: 1,000 vs 100 rounds; spawn: 100,000 vs 10,000 processes); bytes
# per process is the difference of the two runs' peak RSS over the difference of their counts.
# Each spawner collects its 10,000 waiters' answers in its mailbox: Erlang's mailboxes have no
# bound, Iridium's hold 4,096 messages by default, so its runs pass --mailbox-messages 100000.
# Then two nodes on loopback: tools/bench/processes-nodes.sh (ping-pong round trip, messages/s).
# Usage: tools/bench/processes.sh [REPEATS]   (IRIDIUM_BIN: default artifacts/iridium)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${IRIDIUM_BIN:-$root/artifacts/iridium}
repeats=${1:-3}
command -v erl >/dev/null || { echo "processes.sh: erl not found (apt-get install -y erlang-base)" >&2; exit 69; }
[ -x "$bin" ] || { echo "processes.sh: $bin not found (dotnet publish src/Iridium.Cli -c Release -o artifacts)" >&2; exit 66; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
erlc -o "$work" "$here/processes/ring.erl" "$here/processes/spawn.erl"
ring() { sed -e "s/load \$20 #100 .*/load \$20 #1000/" -e "s/load \$21 #100 .*/load \$21 #$1/" "$root/examples/ring.iasm" > "$work/ring-$1.iasm"; }
spawn() { sed -e "s/load \$20 #100000 .*/load \$20 #$1/" "$here/processes/spawn.iasm" > "$work/spawn-$1.iasm"; }
ring 100; ring 1000; spawn 10000; spawn 100000

# Runs a command; prints its wall seconds and peak RSS in KiB (its own process: ru_maxrss of the child).
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=600)
elapsed = time.perf_counter() - start
if done.returncode != 0: sys.exit(f"{sys.argv[1:]} exited {done.returncode}")
print(f"{elapsed:.4f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}
erl_run() { measure erl -noshell +sbwt none -pa "$work" -run "$@"; }

results=$work/results
for ((r = 1; r <= repeats; r++)); do
    echo "ir ring small $(measure "$bin" run "$work/ring-100.iasm")" >> "$results"
    echo "erl ring small $(erl_run ring main 1000 100)" >> "$results"
    echo "ir ring big $(measure "$bin" run "$work/ring-1000.iasm")" >> "$results"
    echo "erl ring big $(erl_run ring main 1000 1000)" >> "$results"
    echo "ir spawn small $(measure "$bin" run "$work/spawn-10000.iasm" --mailbox-messages 100000)" >> "$results"
    echo "erl spawn small $(erl_run spawn main 10000)" >> "$results"
    echo "ir spawn big $(measure "$bin" run "$work/spawn-100000.iasm" --mailbox-messages 100000)" >> "$results"
    echo "erl spawn big $(erl_run spawn main 100000)" >> "$results"
done

python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    who, bench, size, seconds, rss = line.split()
    runs.setdefault((who, bench, size), []).append((float(seconds), int(rss)))
def median(who, bench, size, field): return statistics.median(r[field] for r in runs[(who, bench, size)])
def ring(who): return 900_000 / (median(who, "ring", "big", 0) - median(who, "ring", "small", 0))
def spawn_us(who): return 1e6 * (median(who, "spawn", "big", 0) - median(who, "spawn", "small", 0)) / 90_000
def idle_bytes(who): return 1024 * (median(who, "spawn", "big", 1) - median(who, "spawn", "small", 1)) / 90_000
print(f"{'':38} {'Iridium':>12} {'Erlang/OTP':>12}")
print(f"{'ring 1,000 x 1,000,000 hops (msg/s)':38} {ring('ir'):12,.0f} {ring('erl'):12,.0f}")
print(f"{'spawn+message+end (us per process)':38} {spawn_us('ir'):12.2f} {spawn_us('erl'):12.2f}")
print(f"{'idle process (bytes, RSS delta/count)':38} {idle_bytes('ir'):12,.0f} {idle_bytes('erl'):12,.0f}")
print(f"({len(runs[('ir', 'ring', 'big')])} interleaved runs each, medians)")
PY

# The same side by side with two nodes on loopback (ping-pong round trip, messages per second).
"$here/processes-nodes.sh" "$repeats"
