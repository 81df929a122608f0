#!/usr/bin/env bash
# Instruction counts (callgrind) of an interruptible run against a plain one, for the loop and
# fib benchmark programs made small enough for valgrind. Counts do not depend on what else the
# machine is doing, so this can decide a slice size on a shared, loaded machine.
# Usage: tools/bench/interrupt/run.sh [SLICE...]     (default slices: 256 1024 65536 1048576)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; } >/dev/null
slices=("$@")
[ ${#slices[@]} -gt 0 ] || slices=(256 1024 65536 1048576)

dotnet publish "$here" -c Release -o "$work/bin" >/dev/null
rm -f "$work/bin/"*.dbg   # valgrind cannot read ILC's separate debug file
bench=$work/bin/Iridium.Bench.Interrupt
sed 's/#100000000/#2000000/' "$here/../programs/loop.iasm" >"$work/loop.iasm"   # 6M steps
sed 's/load \$0 #30/load $0 #22/' "$here/../programs/fib.iasm" >"$work/fib.iasm"  # fib(22)

ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
for program in loop fib; do
  base=$(ir "$work/$program.iasm" none)
  plain=$(( $(ir "$work/$program.iasm" plain) - base ))
  printf '%-5s %-16s %12d Ir\n' "$program" plain "$plain"
  for mode in budget "${slices[@]}"; do
    if [ "$mode" = budget ]; then run=$(( $(ir "$work/$program.iasm" budget) - base )); label="budget (bounded)"
    else run=$(( $(ir "$work/$program.iasm" sliced "$mode") - base )); label="sliced $mode"; fi
    awk -v l="$label" -v r="$run" -v p="$plain" -v n="$program" 'BEGIN { printf "%-5s %-16s %12d Ir  %+.2f%% vs plain\n", n, l, r, 100 * (r - p) / p }'
  done
done
