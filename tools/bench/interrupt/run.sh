#!/usr/bin/env bash
# Instruction counts (callgrind) of a budgeted, an interruptible (sliced) and a scheduler's
# (Machine.RunSlice) run against a plain unbounded one, for the loop, fib and tak benchmark
# programs made small enough for valgrind. Counts do not depend on what else the
# machine is doing, so this can decide a slice size on a shared, loaded machine.
# Usage: tools/bench/interrupt/run.sh [SLICE...]     (default slices: 1000 65536; BENCH=path of a
#        published Iridium.Bench.Interrupt skips publishing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; } >/dev/null
slices=("$@")
[ ${#slices[@]} -gt 0 ] || slices=(1000 65536)

if [ -n "${BENCH:-}" ]; then
  mkdir -p "$work/bin" && cp "$BENCH" "$work/bin/Iridium.Bench.Interrupt"
else
  dotnet publish "$here" -c Release -o "$work/bin" >/dev/null
fi
rm -f "$work/bin/"*.dbg   # valgrind cannot read ILC's separate debug file
bench=$work/bin/Iridium.Bench.Interrupt
sed 's/#100000000/#2000000/' "$here/../programs/loop.iasm" >"$work/loop.iasm"   # 6M steps
sed 's/load \$0 #35/load $0 #22/' "$here/../programs/fib.iasm" >"$work/fib.iasm"  # fib(22)
sed -e 's/load \$0 #26/load $0 #18/' -e 's/load \$1 #18/load $1 #12/' -e 's/load \$2 #9/load $2 #6/' "$here/../programs/tak.iasm" >"$work/tak.iasm"  # tak(18, 12, 6)
for program in fib tak; do cmp -s "$work/$program.iasm" "$here/../programs/$program.iasm" && { echo "cannot shrink $program.iasm" >&2; exit 1; }; done

ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
for program in loop fib tak; do
  base=$(ir "$work/$program.iasm" none)
  plain=$(( $(ir "$work/$program.iasm" plain) - base ))
  printf '%-5s %-16s %12d Ir\n' "$program" plain "$plain"
  for mode in budget "${slices[@]}"; do
    if [ "$mode" = budget ]; then run=$(( $(ir "$work/$program.iasm" budget) - base )); label="budget (bounded)"
    else run=$(( $(ir "$work/$program.iasm" sliced "$mode") - base )); label="sliced $mode"; fi
    awk -v l="$label" -v r="$run" -v p="$plain" -v n="$program" 'BEGIN { printf "%-5s %-16s %12d Ir  %+.2f%% vs plain\n", n, l, r, 100 * (r - p) / p }'
    if [ "$mode" != budget ]; then
      run=$(( $(ir "$work/$program.iasm" scheduled "$mode") - base ))
      awk -v l="RunSlice $mode" -v r="$run" -v p="$plain" -v n="$program" 'BEGIN { printf "%-5s %-16s %12d Ir  %+.2f%% vs plain\n", n, l, r, 100 * (r - p) / p }'
    fi
  done
done
