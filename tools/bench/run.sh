#!/usr/bin/env bash
# Interpreter benchmark: the same programs in Iridium assembly and in Lua, timed in one run.
# Prints, per program, the best wall time of each side and the ratio lua5.4 / iridium
# (above 1.0 means iridium is faster). Also times start-up of a trivial program.
# Usage: tools/bench/run.sh            (RUNS=5 for more repetitions; IRIDIUM=path to use another binary)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
iridium=${IRIDIUM:-$root/artifacts/iridium}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$iridium" ]; then
  dotnet publish "$root/src/Iridium.Cli" -c Release -o "$root/artifacts" >/dev/null
fi
if ! command -v lua5.4 >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq lua5.4) >/dev/null
fi
luajit=$(command -v luajit || true)

now() { date +%s%N; }

# best_of CMD...: runs the command $runs times, prints the best wall time in seconds; stdout of
# the last run is kept in $work/out.
best_of() {
  local best=""
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(now); "$@" >"$work/out"; t1=$(now)
    local dt=$(( t1 - t0 ))
    if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
  done
  awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

register() { # register N of the state JSON in $1
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["registers"][int(sys.argv[2])])' "$1" "$2"
}

printf '%-8s %12s %12s %12s %8s\n' program "lua5.4 s" "iridium s" "luajit-joff" ratio
status=0
for bench in loop:0 fib:1 sieve:5; do
  name=${bench%%:*}
  reg=${bench##*:}
  "$iridium" asm "$here/programs/$name.iasm" -o "$work/$name.ir"
  lua_time=$(best_of lua5.4 "$here/programs/$name.lua")
  lua_result=$(tr -d '[:space:]' <"$work/out")
  ir_time=$(best_of "$iridium" run "$work/$name.ir" --state-json "$work/$name.json")
  ir_result=$(register "$work/$name.json" "$reg")
  jit_time="-"
  if [ -n "$luajit" ]; then jit_time=$(best_of "$luajit" -joff "$here/programs/$name.lua"); fi
  ratio=$(awk -v l="$lua_time" -v i="$ir_time" 'BEGIN { printf "%.2f", l / i }')
  printf '%-8s %12s %12s %12s %8s\n' "$name" "$lua_time" "$ir_time" "$jit_time" "$ratio"
  if [ "$lua_result" != "$ir_result" ]; then
    echo "  MISMATCH: lua printed $lua_result, iridium left $ir_result in \$$reg" >&2
    status=1
  fi
done

# Start-up: a trivial program, median of 50 runs (lua5.4 -e '' for reference).
printf '.data\n.code\nhlt\n' >"$work/trivial.iasm"
"$iridium" asm "$work/trivial.iasm" -o "$work/trivial.ir"
python3 - "$iridium" "$work/trivial.ir" <<'PY'
import subprocess, sys, time
def median_ms(cmd):
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=False)
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2] * 1000
print(f"startup  iridium run trivial.ir: {median_ms([sys.argv[1], 'run', sys.argv[2]]):.2f} ms, lua5.4 -e '': {median_ms(['lua5.4', '-e', '']):.2f} ms (median of 50)")
PY
exit $status
