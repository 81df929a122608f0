#!/usr/bin/env bash
# x86 instructions per unit of work, counted by callgrind (deterministic, unlike timing on a shared
# machine): per iteration of loop and per call of fib. Each program runs at two sizes; the
# difference divided by the extra work cancels start-up and exit.
# Rows: a plain run, a budgeted one and one in 1,000-step slices (LIMITS=0: the plain run only).
# Usage: tools/bench/instructions.sh [path/to/iridium]     (REFERENCES=1 also counts lua5.4 and luajit -joff)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
iridium=${1:-$root/artifacts/iridium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }

# valgrind 3.19 cannot read the DWARF 5 in iridium.dbg next to the binary: use a copy without it.
cp "$iridium" "$work/iridium"
# The GC reserves 256 GiB of address space up front, more than valgrind allows; 1 GiB is plenty.
export DOTNET_GCRegionRange=40000000

count() { # count CMD...: instructions the command executes
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

# per NAME SMALL LARGE WORK_SMALL WORK_LARGE EXT RUNNER...: instructions per unit of work
per() {
  local name=$1 small=$2 large=$3 ws=$4 wl=$5 ext=$6
  shift 6
  sed "s/@N@/$small/" "$work/$name.$ext.in" >"$work/$name-s.$ext"
  sed "s/@N@/$large/" "$work/$name.$ext.in" >"$work/$name-l.$ext"
  if [ "$ext" = iasm ]; then
    "$work/iridium" asm "$work/$name-s.iasm" -o "$work/$name-s.ir"
    "$work/iridium" asm "$work/$name-l.iasm" -o "$work/$name-l.ir"
    ext=ir
  fi
  local a b
  a=$(count "$@" "$work/$name-s.$ext")
  b=$(count "$@" "$work/$name-l.$ext")
  awk -v a="$a" -v b="$b" -v ws="$ws" -v wl="$wl" 'BEGIN { printf "%.1f", (b - a) / (wl - ws) }'
}

# The benchmark programs with their size replaced by @N@.
sed 's/#100000000/#@N@/' "$here/programs/loop.iasm" >"$work/loop.iasm.in"
sed 's/load \$0 #35/load $0 #@N@/' "$here/programs/fib.iasm" >"$work/fib.iasm.in"
sed 's/n = 0, 100000000/n = 0, @N@/' "$here/programs/loop.lua" >"$work/loop.lua.in"
sed 's/print(fib(35))/print(fib(@N@))/' "$here/programs/fib.lua" >"$work/fib.lua.in"
for f in loop.iasm fib.iasm loop.lua fib.lua; do grep -q @N@ "$work/$f.in" || { echo "cannot parameterise $f" >&2; exit 1; }; done

# fib(n) makes 2*F(n+1) - 1 calls: fib(20) 21891, fib(24) 150049.
printf '%-28s %14s %14s\n' "" "loop/iteration" "fib/call"
row() { # row LABEL RUN-ARGS...: iridium run with these options
  local label=$1
  shift
  printf '%-28s %14s %14s\n' "$label" \
    "$(per loop 1000000 2000000 1000000 2000000 iasm "$work/iridium" run "$@")" \
    "$(per fib 20 24 21891 150049 iasm "$work/iridium" run "$@")"
}
row iridium
if [ "${LIMITS:-1}" = 1 ]; then
  row "iridium --max-steps 10^12" --max-steps 1000000000000
  row "iridium --slice 1000" --slice 1000
fi
if [ "${REFERENCES:-0}" = 1 ]; then
  printf '%-28s %14s %14s\n' lua5.4 \
    "$(per loop 1000000 2000000 1000000 2000000 lua lua5.4)" "$(per fib 20 24 21891 150049 lua lua5.4)"
  printf '%-28s %14s %14s\n' "luajit -joff" \
    "$(per loop 1000000 2000000 1000000 2000000 lua luajit -joff)" "$(per fib 20 24 21891 150049 lua luajit -joff)"
fi
