#!/usr/bin/env bash
# `iridium exec`, `ps` and `kill` on a 3-node cluster (CI): output streamed before the program
# ends; --on NAME, any and all; exit statuses 0, 1, 1x, 65, 130, 143, 69 and 77; ps of a process
# on another node and kill of it; Ctrl-C; a client killed mid-run leaves no process behind; a
# target node killed (or frozen) mid-run ends the client with 69 within failure-timeout + 1 s.
# Bounded (< 90 s), and every process it starts is ended by PID on any exit.
# Usage: tools/exec-smoke.sh [path/to/iridium]
set -euo pipefail
# Job control: background clients then get SIGINT like a terminal's Ctrl-C (instead of ignoring it).
set -m
root=$(cd "$(dirname "$0")/.." && pwd)
export IRIDIUM=${1:-${IRIDIUM:-$root/artifacts/iridium}}
IRIDIUM=$(cd "$(dirname "$IRIDIUM")" && pwd)/$(basename "$IRIDIUM")
programs=$root/tools/exec
source "$root/tools/lib/harness.sh"
client_pid=
before_cleanup() {
  [ -z "$client_pid" ] || kill -KILL "$client_pid" 2>/dev/null || true
  "$root/tools/cluster.sh" stop --dir "$work" >/dev/null 2>&1 || true
}

# A base port with 3 free ports after it.
base=$(free_ports 3)
node1=127.0.0.1:$base node2=127.0.0.1:$((base + 1)) node3=127.0.0.1:$((base + 2))
data=(--data-root-dir "$work/data")
iridium() { "$IRIDIUM" "$@" "${data[@]}"; }
count_up() { iridium members "$1" --timeout-ms 2000 2>/dev/null | awk '$4 == "self" || $4 == "up"' | wc -l; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }


# expect STATUS DESCRIPTION -- COMMAND...: runs it (stdout to $work/out, stderr to $work/err) and checks the status.
expect() {
  local want=$1 what=$2; shift 3
  local status=0
  "$@" >"$work/out" 2>"$work/err" || status=$?
  [ "$status" -eq "$want" ] || fail "$what: exit $status, expected $want; stdout: $(head -c 300 "$work/out"); stderr: $(head -c 300 "$work/err")"
  echo "ok: $what (exit $status)"
}

# A client running forever.iasm in the background; returns once the program has printed.
start_forever() {
  # The binary itself, not the shell function: $! must be the client (signals go to it).
  "$IRIDIUM" exec "$1" "$programs/forever.iasm" --on "$2" "${data[@]}" >"$work/client.out" 2>"$work/client.err" &
  client_pid=$!
  wait_for 10 "forever.iasm started on $2" -- grep -q started "$work/client.out"
}
# Waits for the background client; sets $client_status.
finish_client() {
  client_status=0
  wait "$client_pid" || client_status=$?
  client_pid=
}
processes_on() { iridium ps "$1" --json | python3 -c 'import json, sys; print(" ".join(p["id"] for p in json.load(sys.stdin) if p["node"] == sys.argv[1]))' "$2"; }

"$root/tools/cluster.sh" start 3 --base-port "$base" --dir "$work" >/dev/null
all_see_3() { for p in "$node1" "$node2" "$node3"; do [ "$(count_up "$p")" -eq 3 ] || return 1; done; }
wait_for 15 "every node lists all 3" -- all_see_3
echo "ok: 3 nodes, full mesh"

expect 0 "exec hello on node2 through node1" -- iridium exec "$node1" "$root/examples/hello.iasm" --on node2
[ "$(cat "$work/out")" = "Hello, world!" ] || fail "exec hello printed '$(cat "$work/out")'"

# Output arrives while the program runs: the first line well before the program ends.
started=$(now_ms)
iridium exec "$node1" "$programs/slow.iasm" --on node3 | while IFS= read -r line; do echo "$(( $(date +%s%N) / 1000000 )) $line"; done >"$work/slow.out"
ended=$(now_ms)
first_at=$(awk '$2 == "first" {print $1}' "$work/slow.out")
second_at=$(awk '$2 == "second" {print $1}' "$work/slow.out")
[ -n "$first_at" ] && [ -n "$second_at" ] || fail "slow.iasm printed: $(cat "$work/slow.out")"
[ $((second_at - first_at)) -ge 300 ] || fail "the first line arrived only $((second_at - first_at)) ms before the second (not streamed?)"
echo "ok: streamed: first line after $((first_at - started)) ms, second after $((second_at - started)) ms, exec ended after $((ended - started)) ms"

expect 0 "exec --on any" -- iridium exec "$node2" "$root/examples/hello.iasm" --on any
[ "$(cat "$work/out")" = "Hello, world!" ] || fail "exec --on any printed '$(cat "$work/out")'"
expect 0 "exec --on all" -- iridium exec "$node3" "$root/examples/hello.iasm" --on all --state-json "$work/state.json"
[ "$(sort "$work/out")" = $'[node1] Hello, world!\n[node2] Hello, world!\n[node3] Hello, world!' ] || fail "exec --on all printed: $(cat "$work/out")"
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); assert sorted(s) == ["node1", "node2", "node3"] and all(v["event"]["kind"] == "GracefulStop" for v in s.values()), s' "$work/state.json" \
  || fail "--on all --state-json: $(cat "$work/state.json")"
echo "ok: --on all --state-json is an object keyed by alias"

expect 1 "IGL on node2" -- iridium exec "$node1" "$programs/illegal.iasm" --on node2
expect 14 "DIVZERO on node3 (10 + 4)" -- iridium exec "$node1" "$programs/divzero.iasm" --on node3
grep -q "fault DIVZERO at pc=" "$work/err" || fail "no fault line: $(cat "$work/err")"
expect 65 "an invalid program (nothing sent)" -- iridium exec "$node1" "$programs/invalid.iasm" --on node2
grep -q "unknown mnemonic 'bogus'" "$work/err" || fail "no assembly error: $(cat "$work/err")"
expect 69 "an unknown member" -- iridium exec "$node1" "$root/examples/hello.iasm" --on nosuch
expect 14 "all: the highest status" -- bash -c 'cat "$1" >"$2"; "$IRIDIUM" exec "$3" "$2" --on all --data-root-dir "$4"' _ "$programs/divzero.iasm" "$work/d.iasm" "$node1" "$work/data"
echo "wrong" >"$work/wrong-cookie"
expect 77 "a wrong cookie" -- "$IRIDIUM" exec "$node1" "$root/examples/hello.iasm" --cookie-file "$work/wrong-cookie" --data-root-dir "$work/data"
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect 69 "a node that is not there" -- iridium exec "127.0.0.1:$closed" "$root/examples/hello.iasm"

# ps on another node lists the process; kill through a third ends its client with 143.
start_forever "$node1" node2
ids=$(processes_on "$node3" node2)
[ -n "$ids" ] || fail "ps through node3 does not list the process on node2: $(iridium ps "$node3")"
iridium ps "$node3" | sed 's/^/  /'
expect 0 "kill $ids through node1" -- iridium kill "$node1" "$ids"
finish_client
[ "$client_status" -eq 143 ] || fail "the killed program's client exited $client_status, not 143: $(cat "$work/client.err")"
echo "ok: its exec client exited 143"
expect 1 "kill of a process that does not exist" -- iridium kill "$node1" "node2.999999"

# Ctrl-C stops the remote program.
start_forever "$node2" node3
kill -INT "$client_pid"
finish_client
[ "$client_status" -eq 130 ] || fail "Ctrl-C: exec exited $client_status, not 130"
wait_for 2 "the interrupted program is gone from node3" -- test -z "$(processes_on "$node1" node3)"
echo "ok: Ctrl-C: exit 130, no process left on node3"

# A client killed mid-run leaves nothing behind.
start_forever "$node1" node3
kill -KILL "$client_pid"
finish_client
killed_at=$(now_ms)
wait_for 2 "the killed client's program is gone from node3" -- test -z "$(processes_on "$node2" node3)"
echo "ok: client killed: its program on node3 was gone after $(( $(now_ms) - killed_at )) ms (includes polling)"

# The target node dies mid-run: 69 and one line on stderr, within the failure timeout (3 s) + 1 s.
start_forever "$node1" node3
kill -KILL "$(awk '$2 == "node3" {print $1}' "$work/pids")"
killed_at=$(now_ms)
finish_client
took=$(( $(now_ms) - killed_at ))
[ "$client_status" -eq 69 ] || fail "target lost: exec exited $client_status, not 69"
[ "$(wc -l <"$work/client.err")" -eq 1 ] && grep -q "lost node3" "$work/client.err" || fail "target lost: stderr was: $(cat "$work/client.err")"
[ "$took" -le 4000 ] || fail "target lost: exec took $took ms to notice"
echo "ok: target node killed: exit 69 after $took ms: $(cat "$work/client.err")"

# The target freezes (no FIN, no heartbeats): noticed by the failure timeout, 69 within 3 s + 1 s.
start_forever "$node1" node2
frozen=$(awk '$2 == "node2" {print $1}' "$work/pids")
kill -STOP "$frozen"
stopped_at=$(now_ms)
finish_client
took=$(( $(now_ms) - stopped_at ))
kill -KILL "$frozen" 2>/dev/null || true
[ "$client_status" -eq 69 ] && grep -q "lost node2" "$work/client.err" || fail "frozen target: exec exited $client_status: $(cat "$work/client.err")"
[ "$took" -le 4000 ] || fail "frozen target: exec took $took ms to notice (failure timeout 3000 ms)"
echo "ok: target node frozen: exit 69 after $took ms: $(cat "$work/client.err")"

"$root/tools/cluster.sh" stop --dir "$work" >/dev/null
echo "all exec smoke checks passed in ${SECONDS}s"
