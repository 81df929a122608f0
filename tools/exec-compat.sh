#!/usr/bin/env bash
# A cluster mixing a build without exec (OLD) and one with it (NEW): the mesh must stay whole
# through several heartbeats (NEW's load reports travel in Data bodies OLD drops), exec on the OLD
# member is refused with a message (exit 69), exec through the OLD node says it does not answer
# exec (exit 69), and the NEW members still run programs. Not run by CI (it needs an older
# binary); run it when the exec protocol changes:
#   tools/exec-compat.sh OLD-IRIDIUM NEW-IRIDIUM
# Bounded (< 60 s); every process it starts is ended by PID.
set -euo pipefail
[ $# -eq 2 ] || { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tools/lib/harness.sh"
base=$(free_ports 3)
data=(--data-root-dir "$work/data")
start() { "$1" node --node-alias "$2" --server-bind-port "$3" "${@:4}" "${data[@]}" >"$work/$2.log" 2>&1 & pids+=($!); }
start "$new" new1 "$base"
start "$old" old1 $((base + 1)) --join "127.0.0.1:$base"
start "$new" new2 $((base + 2)) --join "127.0.0.1:$base"
up() { "$new" members "127.0.0.1:$1" "${data[@]}" --timeout-ms 2000 2>/dev/null | awk '$4 == "self" || $4 == "up"' | wc -l; }
for _ in $(seq 1 100); do [ "$(up "$base")" -eq 3 ] && [ "$(up $((base + 1)))" -eq 3 ] && break; sleep 0.1; done
sleep 4   # several heartbeats, each with a load report to every peer
for p in "$base" $((base + 1)) $((base + 2)); do [ "$(up "$p")" -eq 3 ] || fail "the node on $p no longer sees all 3 after 4 s"; done
grep -q "node down" "$work"/*.log && fail "a node went down"
echo "ok: old and new stay meshed through 4 s of load reports"

status=0; "$new" exec "127.0.0.1:$base" "$root/examples/hello.iasm" --on old1 "${data[@]}" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 69 ] && grep -q "older iridium" "$work/err" || fail "exec on the old member: exit $status, stderr: $(cat "$work/err")"
echo "ok: exec on the old member: 69, $(cat "$work/err")"
status=0; "$new" exec "127.0.0.1:$((base + 1))" "$root/examples/hello.iasm" "${data[@]}" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 69 ] && grep -q "does not run programs for exec" "$work/err" || fail "exec through the old node: exit $status, stderr: $(cat "$work/err")"
echo "ok: exec through the old node: 69, $(cat "$work/err")"
"$new" exec "127.0.0.1:$base" "$root/examples/hello.iasm" --on new2 "${data[@]}" >"$work/out" 2>"$work/err" || fail "exec on new2 failed: $(cat "$work/err")"
[ "$(cat "$work/out")" = "Hello, world!" ] || fail "exec on new2 printed $(cat "$work/out")"
echo "ok: the new members still run programs"
for p in "$base" $((base + 1)) $((base + 2)); do [ "$(up "$p")" -eq 3 ] || fail "the node on $p lost a member after the exec requests"; done
echo "ok: and the mesh is still whole"
echo "mixed cluster checks passed"
