#!/usr/bin/env bash
# Cluster smoke test of a published binary (CI): 5 nodes form a full mesh; a client pings one;
# a kill -9'd node is listed down (reason "connection lost") by the rest; a node with the wrong
# cookie is listed by nobody.
# Bounded (< 60 s), and every process it starts is ended by PID on any exit.
# Usage: tools/cluster-smoke.sh [path/to/iridium]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export IRIDIUM=${1:-${IRIDIUM:-$root/artifacts/iridium}}
IRIDIUM=$(cd "$(dirname "$IRIDIUM")" && pwd)/$(basename "$IRIDIUM")
source "$root/tools/lib/harness.sh"
intruder_pid=
before_cleanup() {
  "$root/tools/cluster.sh" stop --dir "$work" >/dev/null 2>&1 || true
  [ -z "$intruder_pid" ] || kill -KILL "$intruder_pid" 2>/dev/null || true
}

# A base port with 6 free ports after it.
base=$(free_ports 6)

members() { "$IRIDIUM" members "127.0.0.1:$1" --data-root-dir "$work/data" --timeout-ms 2000 2>/dev/null; }
count_up() { members "$1" | awk '$4 == "self" || $4 == "up"' | wc -l; }


"$root/tools/cluster.sh" start 5 --base-port "$base" --dir "$work"
all_see() { local want=$1; shift; for p in "$@"; do [ "$(count_up "$p")" -eq "$want" ] || return 1; done; }
ports=($base $((base + 1)) $((base + 2)) $((base + 3)) $((base + 4)))
wait_for 15 "every node lists all 5" -- all_see 5 "${ports[@]}"
echo "ok: 5 nodes, full mesh"
members "$base" | sed 's/^/  /'
[ "$(members "$base" | awk '$4 == "self"' | wc -l)" -eq 1 ] || fail "node1 does not list itself as self"
# Ping, Pong and Data are the messages no membership change sends: a client ping carries all three.
"$IRIDIUM" ping "127.0.0.1:$((base + 2))" --size 256 --count 2 --data-root-dir "$work/data" >"$work/ping.out" 2>&1 || fail "ping: $(cat "$work/ping.out")"
grep -q "^2 replies" "$work/ping.out" || fail "ping printed no summary: $(cat "$work/ping.out")"
echo "ok: ping node3 with a 256-byte payload: $(tail -n 1 "$work/ping.out")"

victim=$(awk '$2 == "node5" {print $1}' "$work/pids")
kill -KILL "$victim"
killed_at=$(date +%s%N)
all_list_node5_down() { for p in "${ports[@]:0:4}"; do members "$p" | grep -qE '^node5 .* down +[0-9]+ +[0-9]+ +connection lost$' || return 1; done; return 0; }
wait_for 4 "the others list node5 down within the failure timeout" -- all_list_node5_down
echo "ok: kill -9 node5 marked down by all in $(( ($(date +%s%N) - killed_at) / 1000000 )) ms (includes polling)"
grep -q "node down: node5" "$work/node1.log" || fail "node1 logged no 'node down: node5'"

echo "wrong" >"$work/wrong-cookie"
"$IRIDIUM" node --node-alias intruder -P $((base + 5)) --cookie-file "$work/wrong-cookie" --join "127.0.0.1:$base" --data-root-dir "$work/data" >"$work/intruder.log" 2>&1 &
intruder_pid=$!
wait_for 10 "the intruder is refused" -- grep -q "authentication failed" "$work/intruder.log"
sleep 0.5
for p in "${ports[@]:0:4}"; do
  members "$p" | grep -q '^intruder ' && fail "node on port $p lists the wrong-cookie node"
done
grep -q "refused connection from .*cookie" "$work/node1.log" || fail "node1 did not log the refusal"
echo "ok: wrong-cookie node listed by nobody"
kill -TERM "$intruder_pid"; wait "$intruder_pid" 2>/dev/null || true; intruder_pid=

"$root/tools/cluster.sh" stop --dir "$work" >/dev/null
for p in "${ports[@]}"; do members "$p" >/dev/null && fail "a node still answers on $p after stop"; done
echo "all cluster smoke checks passed in ${SECONDS}s"
