#!/usr/bin/env bash
# x86 instructions per unit of work, counted by callgrind (deterministic, unlike timing on a shared
# machine): per iteration of loop, per call of fib and per call of tak. Each program runs at two sizes; the
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
  # tak's other two arguments follow from z (see above); the other programs have none.
  sed "s/@N@/$small/; s/@X@/$((3 * small))/; s/@Y@/$((2 * small))/" "$work/$name.$ext.in" >"$work/$name-s.$ext"
  sed "s/@N@/$large/; s/@X@/$((3 * large))/; s/@Y@/$((2 * large))/" "$work/$name.$ext.in" >"$work/$name-l.$ext"
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
# tak(x, y, z) with x = 3z, y = 2z: @N@ is z.
sed 's/load \$0 #26/load $0 #@X@/; s/load \$1 #18/load $1 #@Y@/; s/load \$2 #9/load $2 #@N@/' "$here/programs/tak.iasm" >"$work/tak.iasm.in"
sed 's/n = 0, 100000000/n = 0, @N@/' "$here/programs/loop.lua" >"$work/loop.lua.in"
sed 's/print(fib(35))/print(fib(@N@))/' "$here/programs/fib.lua" >"$work/fib.lua.in"
sed 's/print(tak(26, 18, 9))/print(tak(@X@, @Y@, @N@))/' "$here/programs/tak.lua" >"$work/tak.lua.in"
for f in loop.iasm fib.iasm tak.iasm loop.lua fib.lua tak.lua; do grep -q @N@ "$work/$f.in" || { echo "cannot parameterise $f" >&2; exit 1; }; done

# fib(n) makes 2*F(n+1) - 1 calls: fib(20) 21891, fib(24) 150049; tak(18, 12, 6) 63609 calls, tak(24, 16, 8) 2493349.
printf '%-28s %14s %14s %14s\n' "" "loop/iteration" "fib/call" "tak/call"
row() { # row LABEL RUN-ARGS...: iridium run with these options
  local label=$1
  shift
  printf '%-28s %14s %14s %14s\n' "$label" \
    "$(per loop 1000000 2000000 1000000 2000000 iasm "$work/iridium" run "$@")" \
    "$(per fib 20 24 21891 150049 iasm "$work/iridium" run "$@")" \
    "$(per tak 6 8 63609 2493349 iasm "$work/iridium" run "$@")"
}
row iridium
if [ "${LIMITS:-1}" = 1 ]; then
  row "iridium --max-steps 10^12" --max-steps 1000000000000
  row "iridium --slice 1000" --slice 1000
fi
if [ "${REFERENCES:-0}" = 1 ]; then
  printf '%-28s %14s %14s %14s\n' lua5.4 \
    "$(per loop 1000000 2000000 1000000 2000000 lua lua5.4)" "$(per fib 20 24 21891 150049 lua lua5.4)" \
    "$(per tak 6 8 63609 2493349 lua lua5.4)"
  printf '%-28s %14s %14s %14s\n' "luajit -joff" \
    "$(per loop 1000000 2000000 1000000 2000000 lua luajit -joff)" "$(per fib 20 24 21891 150049 lua luajit -joff)" \
    "$(per tak 6 8 63609 2493349 lua luajit -joff)"
fi
