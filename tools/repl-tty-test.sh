#!/usr/bin/env bash
# The console REPL under a real terminal: tmux runs the published binary, send-keys types, and
# capture-pane reads the screen. Checks the banner and prompt, typed assembly, cursor editing,
# history recall (also across sessions, from <data-root>/history), Ctrl-C, Ctrl-D and piped mode.
# Usage: tools/repl-tty-test.sh [path/to/iridium]   (default: $IRIDIUM, else artifacts/iridium)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
iridium=$(cd "$(dirname "$iridium")" && pwd)/$(basename "$iridium")
work=$(mktemp -d)
socket="iridium-tty-$$"                      # our own tmux server: never touches anyone else's
tmux_() { tmux -L "$socket" "$@"; }
trap 'tmux_ kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
failures=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1" >&2; tmux_ capture-pane -p -t repl 2>/dev/null | sed 's/^/  screen: /' >&2 || true; failures=$((failures + 1)); }

screen() { tmux_ capture-pane -p -t repl; }
# wait_for TEXT: until the screen shows TEXT (fixed string), at most 10 s.
wait_for() {
  for _ in $(seq 100); do
    screen | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
# wait_for_re REGEX: the same with an extended regular expression.
wait_for_re() {
  for _ in $(seq 100); do
    screen | grep -qE -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
# last_line: the screen's last non-empty line (tmux drops trailing spaces, so a prompt reads ">>>").: the screen's last non-empty line is exactly TEXT.
last_line() { screen | sed '/^$/d' | tail -n 1; }
type_line() { tmux_ send-keys -t repl -l -- "$1"; tmux_ send-keys -t repl Enter; }
start() {
  rm -f "$work/status"
  tmux_ new-session -d -s repl -x 100 -y 40 "'$iridium' --data-root-dir '$work/data'; echo \$? > '$work/status'"
  tmux_ set-option -t repl remain-on-exit on >/dev/null
}
exited_with() {
  # The pane runs a shell that records iridium's exit status in a file: tmux itself is slow to
  # reap a dead pane's process, so its #{pane_dead_status} can stay empty for a long time.
  for _ in $(seq 100); do
    if [ -s "$work/status" ]; then
      [ "$(cat "$work/status")" = "$1" ]
      return
    fi
    sleep 0.1
  done
  return 1
}

start
wait_for "Welcome to Iridium! Let's be productive!" && wait_for '>>>' && pass "banner and prompt" || fail "banner and prompt"

type_line 'load $0 #42'
type_line '!registers'
wait_for '$0 = 42' && pass "typed assembly runs at once" || fail "typed assembly"

# Cursor editing: type "nc $1", Home, insert "i" -> "inc $1"; then "load $2 #7" fixed with Left/BSpace.
tmux_ send-keys -t repl -l 'nc $1'; tmux_ send-keys -t repl Home; tmux_ send-keys -t repl -l 'i'; tmux_ send-keys -t repl Enter
tmux_ send-keys -t repl -l 'load $2 #79'; tmux_ send-keys -t repl Left BSpace End; tmux_ send-keys -t repl Enter
tmux_ send-keys -t repl C-l
type_line '!registers'
wait_for_re '\$1 = +1 ' && wait_for_re '\$2 = +9 ' && pass "left/right/home/end editing" || fail "line editing"

# Up recalls the previous line (!registers); Enter runs it again.
tmux_ send-keys -t repl C-l
tmux_ send-keys -t repl Up
wait_for '>>> !registers' && pass "up recalls history" || fail "up arrow"
tmux_ send-keys -t repl Enter
wait_for 'equal flag' || fail "recalled line runs"

# Ctrl-C abandons the line: nothing runs, a fresh prompt follows.
tmux_ send-keys -t repl C-l
tmux_ send-keys -t repl -l 'load $3 #5'; tmux_ send-keys -t repl C-c
wait_for '^C' && [ "$(last_line)" = '>>>' ] && pass "Ctrl-C cancels the line" || fail "Ctrl-C"
type_line '!history'
sleep 0.5
screen | grep -qE '^ *[0-9]+  load \$3 #5' && fail "cancelled line was run" || pass "cancelled line not run"

type_line '!frob'
wait_for 'unknown command !frob' && pass "unknown command gets a message" || fail "unknown command"

# Ctrl-D on an empty line ends the REPL with status 0.
tmux_ send-keys -t repl C-d
exited_with 0 && pass "Ctrl-D exits 0" || fail "Ctrl-D exit status"
grep -qF 'load $0 #42' "$work/data/history" && pass "history file written" || fail "history file: $(cat "$work/data/history" 2>/dev/null)"

# A new session recalls the last session's lines.
tmux_ kill-session -t repl
start
wait_for '>>>' || fail "second session prompt"
tmux_ send-keys -t repl Up
wait_for '>>> !frob' && pass "history persists across sessions" || fail "history across sessions"
tmux_ send-keys -t repl C-u
type_line '!quit'
wait_for 'Farewell! Have a great day!' && exited_with 0 && pass "!quit exits 0" || fail "!quit"

# Piped input: no banner, no prompts; output only.
out=$(printf 'load $4 #3\n!registers\n' | "$iridium" --data-root-dir "$work/data")
if grep -qF '$4 = 3' <<<"$out" && ! grep -qF '>>>' <<<"$out" && ! grep -qF 'Welcome' <<<"$out"; then
  pass "piped input has no prompt noise"
else
  fail "piped mode printed: $out"
fi

if [ "$failures" -gt 0 ]; then
  echo "repl-tty-test: $failures failure(s)" >&2
  exit 1
fi
echo "repl-tty-test: all passed"
