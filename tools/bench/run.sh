#!/usr/bin/env bash
# Interpreter benchmarks (bench.py): loop, fib, sieve, tak, sort and mandel under iridium (plain,
# with a step budget, and in 1,000-step slices), lua5.4, luajit -joff, and for reference luajit with its JIT and C -O2, in one interleaved run. Prints a
# markdown table of medians and ratios, writes the same ratios as an SVG chart, and measures
# start-up (`iridium run` of an empty program as .iasm and as .ir, `iridium --version`) against a
# bare Native AOT hello world (tools/bench/hello) built here with the same SDK and target
# framework: interleaved medians of wall and CPU time, and callgrind's instruction counts.
# Installs what it needs (lua5.4, luajit, gcc, python3, valgrind).
# Usage: tools/bench/run.sh    RUNS=5 (rounds), STARTUP_RUNS=300, IRIDIUM=path (skip publishing),
#                              SVG=path (default docs/benchmarks.svg)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

missing=()
command -v lua5.4 >/dev/null || missing+=(lua5.4)
command -v luajit >/dev/null || missing+=(luajit)
command -v gcc >/dev/null || missing+=(gcc)
command -v python3 >/dev/null || missing+=(python3)
command -v valgrind >/dev/null || missing+=(valgrind)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

iridium=${IRIDIUM:-}
if [ -z "$iridium" ]; then
  dotnet publish "$root/src/Iridium.Cli" -c Release -o "$root/artifacts" >/dev/null
  iridium=$root/artifacts/iridium
fi
# valgrind 3.19 cannot read the DWARF 5 in iridium.dbg next to the binary: use a copy without it.
cp "$iridium" "$work/iridium"
iridium=$work/iridium
dotnet publish "$here/hello" -c Release -o "$work/hello" >/dev/null

for source in "$here"/programs/*.iasm; do
  name=$(basename "$source" .iasm)
  "$iridium" asm "$source" -o "$work/$name.ir"
  gcc -O2 -o "$work/$name.c.bin" "$here/programs/$name.c"
done
printf '.data\n.code\nhlt\n' >"$work/empty.iasm"
"$iridium" asm "$work/empty.iasm" -o "$work/empty.ir"

mkdir -p "$here/results"
python3 "$here/bench.py" --iridium "$iridium" --hello "$work/hello/hello" --programs "$here/programs" \
  --work "$work" --runs "${RUNS:-5}" --startup-runs "${STARTUP_RUNS:-300}" --svg "${SVG:-$root/docs/benchmarks.svg}" --json "$here/results/latest.json"
