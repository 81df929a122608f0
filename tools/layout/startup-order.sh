#!/usr/bin/env bash
# Regenerates src/Iridium.Cli/startup.order, the order in which ILC lays out the binary's
# functions: first those a command runs from start to exit (run, an assembled run, exec, ping,
# members, ps), in the order they first run, then everything else. Together they fill about a
# megabyte instead of being spread over the binary's five, so starting a command maps a few
# 64 KiB runs of code rather than dozens (README, "Benchmarks": the start-up layout).
# Needs valgrind (apt-get install valgrind). Run it after changing what a command does at start;
# a stale file still builds (ILC skips names it does not know), it only lays out less well.
# Usage: tools/layout/startup-order.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
nodes=()
cleanup() {
  for pid in "${nodes[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

dotnet publish "$root/src/Iridium.Cli" -c Release -o "$work/publish" -p:StripSymbols=false >/dev/null
# valgrind 3.19 cannot read ILC's DWARF 5; the symbol table alone names every function.
objcopy --strip-debug "$work/publish/iridium" "$work/iridium"
ir="$work/iridium"
data=(--data-root-dir "$work/data")
port=$((20000 + RANDOM % 10000))
"$ir" node --node-alias node1 -P "$port" "${data[@]}" 2>/dev/null & nodes+=($!)
sleep 0.5
"$ir" node --node-alias node2 -P "$((port + 1))" --join "127.0.0.1:$port" "${data[@]}" 2>/dev/null & nodes+=($!)
for _ in $(seq 100); do
  "$ir" members "127.0.0.1:$port" "${data[@]}" 2>/dev/null | grep -q node2 && break
  sleep 0.1
done
sleep 1.5 # node2's first heartbeat announces exec

printf '.data\n.code\nhlt\n' > "$work/empty.iasm"
"$ir" asm "$work/empty.iasm" -o "$work/empty.ir"
profile() {
  local name=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.$name" "$ir" "$@" >/dev/null 2>"$work/valgrind.$name.log" \
    || { cat "$work/valgrind.$name.log" >&2; exit 1; }
}
profile 1-run run "$work/empty.ir"
profile 2-run-source run "$root/examples/hello.iasm"
profile 3-exec exec "127.0.0.1:$port" "$work/empty.ir" --on node2 "${data[@]}"
profile 4-ping ping "127.0.0.1:$port" -c 1 "${data[@]}"
profile 5-members members "127.0.0.1:$port" "${data[@]}"
profile 6-ps ps "127.0.0.1:$port" "${data[@]}"
python3 "$here/startup-order.py" "$ir" "$work"/cg.* > "$root/src/Iridium.Cli/startup.order"
echo "wrote $(wc -l < "$root/src/Iridium.Cli/startup.order") names to src/Iridium.Cli/startup.order"
