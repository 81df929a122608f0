#!/usr/bin/env bash
# The replicated store side by side with etcd 3.4 on loopback: three etcd members and three
# iridium voters (each with its own data directory on the same disk), driven by one program,
# tools/bench/KvBench, with the same workload (etcd's performance guide's: 8-byte keys, 256-byte
# values). etcd is reached through its JSON gateway (/v3/kv/put, /v3/kv/range with base64 fields),
# iridium through its kv client calls; each client holds one persistent connection to one member.
# Rows: put with 1 client, linearizable get with 1 client, put with 64 clients; each row runs
# SECONDS per system, the two systems interleaved, ROUNDS times; the table shows the median of
# the rounds and the ratio iridium/etcd. Both clusters run for the whole benchmark.
# Usage: tools/bench/kv-bench.sh [SECONDS] [ROUNDS]   (IRIDIUM_BIN: default artifacts/iridium)
# Run it with nice on a shared machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${IRIDIUM_BIN:-$root/artifacts/iridium}
seconds=${1:-10}
rounds=${2:-3}
command -v etcd >/dev/null || { echo "kv-bench.sh: etcd not found (apt-get install -y etcd-server)" >&2; exit 69; }
[ -x "$bin" ] || { echo "kv-bench.sh: $bin not found (dotnet publish src/Iridium.Cli -c Release -o artifacts)" >&2; exit 66; }

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Ports: etcd clients 23791-23793, etcd peers 23801-23803, iridium 23811-23813.
cluster=""
for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://127.0.0.1:$((23800 + i))"; done
for i in 1 2 3; do
    etcd --name "e$i" --data-dir "$work/etcd-$i" \
        --listen-client-urls "http://127.0.0.1:$((23790 + i))" --advertise-client-urls "http://127.0.0.1:$((23790 + i))" \
        --listen-peer-urls "http://127.0.0.1:$((23800 + i))" --initial-advertise-peer-urls "http://127.0.0.1:$((23800 + i))" \
        --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token kv-bench >"$work/etcd-$i.log" 2>&1 &
    pids+=($!)
done
for i in 1 2 3; do
    args=(node --node-alias "n$i" -P "$((23810 + i))" --data-root-dir "$work/iridium" --store-voters n1,n2,n3 --store-dir "$work/store-$i")
    [ "$i" -gt 1 ] && args+=(--join "127.0.0.1:23811")
    "$bin" "${args[@]}" >"$work/iridium-$i.log" 2>&1 &
    pids+=($!)
    # The first node makes the cookie the others read.
    [ "$i" -eq 1 ] && for _ in $(seq 100); do "$bin" members 127.0.0.1:23811 --data-root-dir "$work/iridium" >/dev/null 2>&1 && break; sleep 0.1; done
done

ready() {
    curl -sf "http://127.0.0.1:23791/health" | grep -q '"health":"true"' &&
        "$bin" store status 127.0.0.1:23811 --json --data-root-dir "$work/iridium" 2>/dev/null | grep -q '"leader": "n'
}
for _ in $(seq 300); do ready && break; sleep 0.2; done
ready || { echo "kv-bench.sh: the clusters did not form; logs:" >&2; tail -n 5 "$work"/*.log >&2; exit 69; }

dotnet build -c Release -v q -nologo "$here/KvBench" -o "$work/driver" >/dev/null
driver() { dotnet "$work/driver/KvBench.dll" "$@"; }
etcd_endpoints=http://127.0.0.1:23791,http://127.0.0.1:23792,http://127.0.0.1:23793
iridium_endpoints=127.0.0.1:23811,127.0.0.1:23812,127.0.0.1:23813

for round in $(seq "$rounds"); do
    for row in put1 get1 put64; do
        driver etcd "$row" "$seconds" "$etcd_endpoints" | tee -a "$work/results.jsonl"
        driver iridium "$row" "$seconds" "$iridium_endpoints" "$work/iridium/cookie" | tee -a "$work/results.jsonl"
    done
done >&2

python3 - "$work/results.jsonl" "$seconds" "$rounds" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
def median(system, row, field):
    return statistics.median(r[field] for r in rows if r["system"] == system and r["row"] == row)
names = {"put1": "put, 1 client", "get1": "linearizable get, 1 client", "put64": "put, 64 clients"}
print(f"kv-bench: {sys.argv[3]} interleaved rounds of {sys.argv[2]} s per row and system; medians")
print("| row | etcd ops/s | iridium ops/s | ratio | etcd p50 ms | iridium p50 ms | etcd p99 ms | iridium p99 ms | errors etcd/iridium |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for row in ("put1", "get1", "put64"):
    e, i = median("etcd", row, "ops_per_s"), median("iridium", row, "ops_per_s")
    print(f"| {names[row]} | {e:,.0f} | {i:,.0f} | {i / e:.2f}x | {median('etcd', row, 'p50_ms'):.2f} | {median('iridium', row, 'p50_ms'):.2f} "
          f"| {median('etcd', row, 'p99_ms'):.2f} | {median('iridium', row, 'p99_ms'):.2f} "
          f"| {sum(r['errors'] for r in rows if r['system'] == 'etcd' and r['row'] == row)}/{sum(r['errors'] for r in rows if r['system'] == 'iridium' and r['row'] == row)} |")
PY
