#!/usr/bin/env bash
# Start-up alone: `iridium run` of an empty program (as .iasm and as .ir) and `iridium --version`
# against a bare Native AOT hello world (tools/bench/hello), the start-up table of run.sh without
# the interpreter benchmarks: interleaved medians of wall and CPU time and callgrind's instruction
# counts. The project holds `iridium run` to 1.1x the hello's wall time. Take the machine-wide
# benchmark lock around it: flock /work/bench.lock tools/bench/startup.sh
# Usage: tools/bench/startup.sh [path/to/iridium]    STARTUP_RUNS=500 (rounds), HELLO=path (skip publishing it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
iridium=${1:-$root/artifacts/iridium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the DWARF 5 in iridium.dbg next to the binary: use a copy without it.
cp "$iridium" "$work/iridium"
iridium=$work/iridium
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
command -v lua5.4 >/dev/null || { apt-get update -qq && apt-get install -y -qq lua5.4 >/dev/null; }

hello=${HELLO:-}
if [ -z "$hello" ]; then
  dotnet publish "$here/hello" -c Release -o "$work/hello" >/dev/null
  hello=$work/hello/hello
fi
printf '.data\n.code\nhlt\n' >"$work/empty.iasm"
"$iridium" asm "$work/empty.iasm" -o "$work/empty.ir"
python3 "$here/bench.py" --startup-only --iridium "$iridium" --hello "$hello" --work "$work" \
  --startup-runs "${STARTUP_RUNS:-500}"
