#!/usr/bin/env bash
# Smoke test of a published `iridium` binary: the examples run and the exit-status contract
# holds. Usage: tools/aot-smoke.sh [path/to/iridium]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-$root/artifacts/iridium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect STATUS DESCRIPTION -- COMMAND...
expect() {
  local want=$1 what=$2
  shift 3
  local got=0
  "$@" >"$work/stdout" 2>"$work/stderr" || got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want" >&2
    sed 's/^/  stderr: /' "$work/stderr" >&2
    failures=$((failures + 1))
  else
    echo "ok: $what (exit $got)"
  fi
}

register() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["registers"][int(sys.argv[2])])' "$1" "$2"; }

expect 0 "--version" -- "$iridium" --version
expect 0 "hello example" -- "$iridium" run "$root/examples/hello.iasm"
grep -q "Hello, world!" "$work/stdout" || { echo "FAIL: hello printed '$(cat "$work/stdout")'" >&2; failures=$((failures + 1)); }
expect 0 "file mode without 'run' (as the original)" -- "$iridium" "$root/examples/hello.iasm"

for example in "$root"/examples/*.iasm; do
  expect 0 "example $(basename "$example")" -- "$iridium" run "$example" --max-steps 100000000
  expect 0 "round trip $(basename "$example")" -- bash -c "'$iridium' asm '$example' -o '$work/a.ir' && '$iridium' disasm '$work/a.ir' > '$work/a.iasm' && '$iridium' asm '$work/a.iasm' -o '$work/b.ir' && cmp '$work/a.ir' '$work/b.ir'"
done

printf '.data\n.code\nload $0 #7\nload $1 #0\ndiv $0 $1 $2\nhlt\n' >"$work/div.iasm"
expect 14 "division by zero is Crash{4}" -- "$iridium" run "$work/div.iasm" --state-json "$work/div.json"
grep -q "fault DIVZERO at pc=76 (DIV \$0 \$1 \$2)" "$work/stderr" || { echo "FAIL: fault line: $(cat "$work/stderr")" >&2; failures=$((failures + 1)); }
[ "$(register "$work/div.json" 0)" = 7 ] || { echo "FAIL: state JSON after a fault" >&2; failures=$((failures + 1)); }

printf '.data\n.code\nload $0 #70000\nhlt\n' | { expect 0 "program from stdin" -- "$iridium" run - --state-json "$work/stdin.json"; }
[ "$(register "$work/stdin.json" 0)" = 70000 ] || { echo "FAIL: stdin program" >&2; failures=$((failures + 1)); }

printf '.data\n.code\nbogus $0\n' >"$work/bad.iasm"
expect 65 "assembly errors" -- "$iridium" run "$work/bad.iasm"
grep -q "bad.iasm:3:1: error\[UnknownOpcode\]" "$work/stderr" || { echo "FAIL: error format: $(cat "$work/stderr")" >&2; failures=$((failures + 1)); }
printf 'EPIE' >"$work/short.ir"
expect 65 "short image" -- "$iridium" run "$work/short.ir"
expect 66 "missing file" -- "$iridium" run "$work/does-not-exist.iasm"
expect 2 "usage error" -- "$iridium" run "$root/examples/hello.iasm" --no-such-flag
expect 2 "bad --max-steps" -- "$iridium" run "$root/examples/hello.iasm" --max-steps lots
printf '.data\n.code\ntop: load $0 @top\njmp $0\n' >"$work/spin.iasm"
expect 19 "step budget" -- "$iridium" run "$work/spin.iasm" --max-steps 1000

if [ "$failures" -gt 0 ]; then
  echo "$failures smoke check(s) failed" >&2
  exit 1
fi
echo "all smoke checks passed"
