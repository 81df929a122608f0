#!/usr/bin/env bash
# The README's example commands, as a newcomer pastes them: each line of the block marked
# "readme-test: commands" runs from the repository root and must succeed, and afterwards git must
# see no new or changed file (outputs go to artifacts/, which is ignored, or to stdout).
# The guided tour is checked by tools/repl-tty-test.sh, which needs a terminal.
# Usage: tools/readme-test.sh [path/to/iridium]   (default: artifacts/iridium)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
iridium=$(cd "$(dirname "$iridium")" && pwd)/$(basename "$iridium")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
failures=0

# The lines of the fenced block after the marker comment.
awk '/<!-- readme-test: commands/ { marked = 1; next } marked && /^```/ { if (inside) exit; inside = 1; next } inside' README.md >"$work/commands"
[ -s "$work/commands" ] || { echo "FAIL: no 'readme-test: commands' block in README.md" >&2; exit 1; }

state_before=$(git status --porcelain --untracked-files=all 2>/dev/null || echo "not a git work tree")
n=0
while IFS= read -r line; do
  command=${line%%#*}                       # drop the trailing comment
  read -r -a words <<<"$command"
  [ "${words[0]:-}" = artifacts/iridium ] || { echo "FAIL: README command does not start with artifacts/iridium: $line" >&2; failures=$((failures + 1)); continue; }
  n=$((n + 1))
  if "$iridium" "${words[@]:1}" </dev/null >"$work/out.$n" 2>"$work/err.$n"; then
    echo "ok: ${words[*]}"
  else
    echo "FAIL: $line (exit $?)" >&2
    sed 's/^/  stderr: /' "$work/err.$n" >&2
    failures=$((failures + 1))
  fi
done <"$work/commands"

# What the comments promise.
grep -qx 6765 "$work/out.1" || { echo "FAIL: fib printed '$(head -c 200 "$work/out.1")', not 6765" >&2; failures=$((failures + 1)); }
grep -q '"event":{"kind":"GracefulStop","code":0}' "$work/out.2" || { echo "FAIL: --state-json - printed no state" >&2; failures=$((failures + 1)); }
grep -q '^fib:$' "$work/out.6" || { echo "FAIL: disasm of source lost the label fib" >&2; failures=$((failures + 1)); }

state_after=$(git status --porcelain --untracked-files=all 2>/dev/null || echo "not a git work tree")
if [ "$state_before" != "$state_after" ]; then
  echo "FAIL: the README's commands left files behind:" >&2
  diff <(echo "$state_before") <(echo "$state_after") >&2 || true
  failures=$((failures + 1))
fi

if [ "$failures" -gt 0 ]; then
  echo "readme-test: $failures failure(s)" >&2
  exit 1
fi
echo "readme-test: all $n README commands passed"
