#!/usr/bin/env bash
# Do two builds of iridium speak the same cluster protocol? For each way round (OLD seeds, then
# NEW seeds) three nodes mesh: a1 (seed's build), b1 (the other build) joining a1, and a2 (seed's
# build) joining through b1, so it learns a1 from b1's member list. Then every node is asked for
# its members with both builds' `members`, b1 leaves (SIGTERM: Leave) and the others must drop
# it at once (newer builds list it as down; both builds' `members` must read that), and a2 leaves too. Bounded (< 60 s); every process it starts is ended by PID.
# Not run by CI (it needs an older binary); run it when the protocol code changes:
#   tools/compat-mesh.sh OLD-IRIDIUM NEW-IRIDIUM
# Only flags both builds accept are used: node --node-alias --server-bind-port --join
# --data-root-dir, members --data-root-dir --timeout-ms.
set -euo pipefail
[ $# -eq 2 ] || { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
source "$(cd "$(dirname "$0")" && pwd)/lib/harness.sh"

# node BINARY ALIAS PORT [SEED-PORT]: starts a node in the background, records its PID in $last_pid
node() {
  local args=(node --node-alias "$2" --server-bind-port "$3" --data-root-dir "$work/data")
  [ $# -ge 4 ] && args+=(--join "127.0.0.1:$4")
  "$1" "${args[@]}" >"$work/$2.log" 2>&1 &
  last_pid=$!
  pids+=("$last_pid")
}

# members BINARY PORT: alias and status of each live member (self or up), sorted. Newer builds
# print a header row and also list down members; both are left out so every build compares alike.
members() { "$1" members "127.0.0.1:$2" --data-root-dir "$work/data" --timeout-ms 2000 2>/dev/null | awk '$4 == "self" || $4 == "up" {print $1, $4}' | sort; }

listens() { members "$@" >/dev/null; }

# sees BINARY PORT ALIAS...: the node on PORT lists exactly these aliases as live (itself and up peers)
sees() {
  local binary=$1 port=$2; shift 2
  [ "$(members "$binary" "$port" | awk '{print $1}' | paste -sd' ')" = "$(printf '%s\n' "$@" | sort | paste -sd' ')" ]
}

leave() { kill -TERM "$1"; wait "$1" 2>/dev/null || true; }

round() {
  local seed=$1 other=$2 label=$3
  local base
  base=$(free_ports 3)
  rm -rf "$work"/*.log "$work/data"
  node "$seed" a1 "$base"; local a1=$last_pid
  wait_for 10 "$label: a1 listens" -- listens "$seed" "$base"
  node "$other" b1 $((base + 1)) "$base"; local b1=$last_pid
  node "$seed" a2 $((base + 2)) $((base + 1)); local a2=$last_pid
  for binary in "$seed" "$other"; do
    for port in "$base" $((base + 1)) $((base + 2)); do
      wait_for 15 "$label: the node on $port lists a1 a2 b1 (asked by $(basename "$(dirname "$binary")")/$(basename "$binary"))" -- sees "$binary" "$port" a1 a2 b1
    done
  done
  echo "ok: $label: a1, b1 and a2 in a full mesh; each build's 'members' reads each build's node"

  leave "$b1"
  wait_for 5 "$label: a1 and a2 drop b1 after its Leave" -- bash -c "grep -q 'node down: b1 (left' '$work/a1.log' && grep -q 'node down: b1 (left' '$work/a2.log'"
  # Newer nodes now list b1 as down (and send its details after the list): both builds' clients must read that.
  for binary in "$seed" "$other"; do
    sees "$binary" "$base" a1 a2 || fail "$label: a1 still lists b1 as live (asked by $binary)"
  done
  grep -q "left the cluster (2 peers told)" "$work/b1.log" || fail "$label: b1 did not tell both peers it left"
  echo "ok: $label: b1 left; a1 and a2 dropped it at once"
  leave "$a2"
  wait_for 5 "$label: a1 drops a2" -- grep -q 'node down: a2 (left' "$work/a1.log"
  leave "$a1"
}

round "$old" "$new" "old seeds, new joins"
round "$new" "$old" "new seeds, old joins"
echo "old and new builds mesh both ways (${SECONDS}s)"
