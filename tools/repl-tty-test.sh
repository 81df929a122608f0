#!/usr/bin/env bash
# The interactive front ends under a real terminal: tmux runs the published binary, send-keys
# types, and capture-pane reads the screen. The console REPL: banner and hint, prompt, typed
# assembly, cursor editing, history (also across sessions), Ctrl-L, the 'quit' hint, Ctrl-C on a
# line and during an endless program (which stops; registers stay), Ctrl-D, piped mode, a failed
# remote login reported above the edited line, and the README's guided tour, screen for screen.
# `iridium remote`: the same editor, Ctrl-C interrupting the remote program while the session
# goes on, and Up recalling this server's history, also in the next session.
# Usage: tools/repl-tty-test.sh [path/to/iridium]   (default: $IRIDIUM, else artifacts/iridium)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
iridium=$(cd "$(dirname "$iridium")" && pwd)/$(basename "$iridium")
work=$(mktemp -d)
socket="iridium-tty-$$"                      # our own tmux server: never touches anyone else's
tmux_() { tmux -L "$socket" "$@"; }
server_pid=
cleanup() {
  tmux_ kill-server 2>/dev/null || true
  [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
pane=repl                                    # the tmux session the helpers look at
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1" >&2; tmux_ capture-pane -p -t "$pane" 2>/dev/null | sed 's/^/  screen: /' >&2 || true; failures=$((failures + 1)); }

screen() { tmux_ capture-pane -p -t "$pane"; }
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
# last_line: the screen's last non-empty line (tmux drops trailing spaces, so a prompt reads ">>>").
last_line() { screen | sed '/^$/d' | tail -n 1; }
# wait_for_last TEXT: until the last non-empty line is exactly TEXT, at most 10 s.
wait_for_last() {
  for _ in $(seq 100); do
    [ "$(last_line)" = "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
type_line() { tmux_ send-keys -t "$pane" -l -- "$1"; tmux_ send-keys -t "$pane" Enter; }
keys() { tmux_ send-keys -t "$pane" "$@"; }
# start SESSION COMMAND...: runs the command in a new tmux session; its exit status goes to $work/SESSION.status.
start() {
  local session=$1; shift
  local quoted; printf -v quoted '%q ' "$@"
  rm -f "$work/$session.status"
  tmux_ new-session -d -s "$session" -x 100 -y 40 -c "$root" "$quoted; echo \$? > '$work/$session.status'"
  tmux_ set-option -t "$session" remain-on-exit on >/dev/null
  pane=$session
}
exited_with() {
  # The pane runs a shell that records the exit status in a file: tmux itself is slow to reap a
  # dead pane's process, so its #{pane_dead_status} can stay empty for a long time.
  for _ in $(seq 100); do
    if [ -s "$work/$pane.status" ]; then
      [ "$(cat "$work/$pane.status")" = "$1" ]
      return
    fi
    sleep 0.1
  done
  return 1
}
# end_session SESSION: one session less; the idle session below keeps the tmux server up meanwhile.
end_session() { tmux_ kill-session -t "$1" 2>/dev/null || true; }
# new_session_recalls SESSION LINE LABEL COMMAND...: ends SESSION, starts COMMAND in its place;
# Up must recall LINE (the history of the last session), and !quit must end it with status 0.
new_session_recalls() {
  local session=$1 line=$2 label=$3
  shift 3
  end_session "$session"
  start "$session" "$@"
  wait_for_last '>>>' || fail "$label: second session prompt"
  keys Up
  wait_for ">>> $line" && pass "$label: history persists across sessions" || fail "$label: history across sessions"
  keys C-u
  type_line '!quit'
  wait_for 'Farewell! Have a great day!' && exited_with 0 && pass "$label: !quit exits 0" || fail "$label: !quit"
  end_session "$session"
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# A program that never ends: $5 = 77, "spinning" and a line break, then a loop.
cat >"$work/spin.iasm" <<'PROGRAM'
.data
msg: .asciiz 'spinning'
.code
        load $5 #77
        prts @msg
        load $6 #10
        prtc $6
        eq $0 $0
top:    inc $7
        djmpe @top
PROGRAM

# A session that only keeps our tmux server alive between the others (a server whose last
# session is killed exits, and a command racing that exit fails).
tmux_ new-session -d -s idle -x 100 -y 40 'sleep 3600'

# ---- The console REPL.
start repl "$iridium" --data-root-dir "$work/data"
wait_for "Welcome to Iridium! Let's be productive!" && wait_for_re '^iridium [0-9.]+: !help lists commands and instructions; !quit or Ctrl-D quits$' && wait_for_last '>>>' \
  && pass "banner with the version and a hint, then the prompt" || fail "banner and prompt"

type_line 'load $0 #42'
type_line '!registers'
wait_for '$0 = 42' && pass "typed assembly runs at once" || fail "typed assembly"

# Cursor editing: type "nc $1", Home, insert "i" -> "inc $1"; then "load $2 #7" fixed with Left/BSpace.
keys -l 'nc $1'; keys Home; keys -l 'i'; keys Enter
keys -l 'load $2 #79'; keys Left BSpace End; keys Enter
type_line '!registers'
wait_for_re '\$1 = +1 ' && wait_for_re '\$2 = +9 ' && pass "left/right/home/end editing" || fail "line editing"

# Ctrl-L clears the screen: the prompt is on the first line, what was above it is gone.
keys -l 'half typed'; keys C-l
for _ in $(seq 100); do [ "$(screen | head -n 1)" = '>>> half typed' ] && break; sleep 0.1; done
[ "$(screen | head -n 1)" = '>>> half typed' ] && ! screen | grep -qF 'Welcome' && pass "Ctrl-L clears the screen and keeps the line" || fail "Ctrl-L"
keys C-u

# Up recalls the previous line (!registers); Enter runs it again.
keys Up
wait_for '>>> !registers' && pass "up recalls history" || fail "up arrow"
keys Enter
wait_for 'equal flag' || fail "recalled line runs"

# Habit: 'quit' is not an instruction; it gets a hint, and the REPL goes on.
keys C-l
type_line 'quit'
wait_for 'to leave, type !quit (or press Ctrl-D)' && wait_for_last '>>>' && ! screen | grep -qF 'unknown mnemonic' \
  && pass "bare 'quit' gets a hint" || fail "quit hint"

# Ctrl-C abandons the line: nothing runs, a fresh prompt follows.
keys C-l
keys -l 'load $3 #5'; keys C-c
wait_for '^C' && [ "$(last_line)" = '>>>' ] && pass "Ctrl-C cancels the line" || fail "Ctrl-C"
type_line '!history'
sleep 0.5
screen | grep -qE '^ *[0-9]+  load \$3 #5' && fail "cancelled line was run" || pass "cancelled line not run"

# Ctrl-C during an endless program stops it at an instruction; registers and program stay.
keys C-l
type_line "!load_file $work/spin.iasm"
wait_for 'spinning' || fail "the endless program did not start"
keys C-c
wait_for_re '^interrupted at pc=(97|101) \((INC \$7|DJMPE #97)\)$' && wait_for_last '>>>' \
  && pass "Ctrl-C interrupts an endless program and returns to the prompt" || fail "Ctrl-C during a run"
keys C-l
type_line '!registers'
wait_for_re '\$5 = +77 ' && wait_for_re '\$7 = +[1-9][0-9]*( |$)' && pass "registers intact after the interrupt" || fail "registers after the interrupt"
keys C-l
type_line '!symbols'
wait_for_re '^  top +97  code address' && pass "the interrupted program stays loaded" || fail "program after the interrupt"
keys C-l
type_line '!continue'
sleep 0.3
keys C-c
wait_for_re '^interrupted at pc=(97|101) ' && wait_for '(!continue resumes it)' && wait_for_last '>>>' \
  && pass "!continue resumes the interrupted program (Ctrl-C stops it again)" || fail "!continue"

type_line '!frob'
wait_for 'unknown command !frob' && pass "unknown command gets a message" || fail "unknown command"

# Ctrl-D on an empty line ends the REPL with status 0.
keys C-d
exited_with 0 && pass "Ctrl-D exits 0" || fail "Ctrl-D exit status"
grep -qF 'load $0 #42' "$work/data/history" && pass "history file written" || fail "history file: $(cat "$work/data/history" 2>/dev/null)"

# A new session recalls the last session's lines.
new_session_recalls repl '!frob' "console" "$iridium" --data-root-dir "$work/data"

# Piped input: no banner, no prompts; output only.
out=$(printf 'load $4 #3\n!registers\n' | "$iridium" --data-root-dir "$work/data")
if grep -qF '$4 = 3' <<<"$out" && ! grep -qF '>>>' <<<"$out" && ! grep -qF 'Welcome' <<<"$out"; then
  pass "piped input has no prompt noise"
else
  fail "piped mode printed: $out"
fi

# ---- A failed remote login while the console's user types: reported above the line, which stays intact.
port=$(free_port)
start repl "$iridium" -r -p "$port" --data-root-dir "$work/data"
wait_for_last '>>>' || fail "console with -r: prompt"
keys -l 'load $1 #12'
echo "not-the-cookie" >"$work/wrong-cookie"
"$iridium" remote "127.0.0.1:$port" --cookie-file "$work/wrong-cookie" -c hlt >/dev/null 2>&1 || true
wait_for_re "^iridium: remote session 127\.0\.0\.1:[0-9]+: authentication failed$" && wait_for_last '>>> load $1 #12' \
  && pass "a failed remote login is reported above the edited line" || fail "remote login failure over the prompt"
keys C-u
type_line '!quit'
exited_with 0 || fail "console with -r: !quit"
end_session repl

# ---- The README's guided tour, typed line by line, shows exactly what the README shows.
awk '/<!-- readme-test: guided tour/ { marked = 1; next } marked && /^```/ { if (inside) exit; inside = 1; next } inside' "$root/README.md" >"$work/tour"
if [ "$(head -n 1 "$work/tour")" != '$ artifacts/iridium' ]; then
  fail "README: no guided tour block starting with '\$ artifacts/iridium'"
else
  tail -n +2 "$work/tour" >"$work/tour.expected"
  start tour "$iridium" --data-root-dir "$work/tour-data"
  wait_for_last '>>>' || fail "tour: first prompt"
  prompts=1
  : >"$work/tour.screen"
  while IFS= read -r line; do
    case $line in
      '>>> !quit')
        # The screen before leaving (what leaving adds is checked on its own: tmux may scroll
        # when it marks the pane dead).
        screen | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' | sed '$d' >"$work/tour.screen"
        type_line '!quit'
        exited_with 0 && screen | grep -A1 -xF '>>> !quit' >>"$work/tour.screen" || fail "tour: !quit" ;;
      '>>> '*)
        type_line "${line#>>> }"
        prompts=$((prompts + 1))
        for _ in $(seq 100); do
          [ "$(screen | grep -c '^>>>')" -ge "$prompts" ] && [ "$(last_line)" = '>>>' ] && break
          sleep 0.1
        done ;;
    esac
  done <"$work/tour.expected"
  if diff "$work/tour.expected" "$work/tour.screen" >"$work/tour.diff"; then
    pass "the README's guided tour shows what the README says"
  else
    fail "the guided tour differs from the README (< README, > screen):"
    sed 's/^/  /' "$work/tour.diff" >&2
  fi
  end_session tour
fi

# ---- iridium remote: the console's editor, Ctrl-C interrupting the remote program, history per server.
port=$(free_port)
mkdir -p "$work/rdata/programs"
cp "$work/spin.iasm" "$work/rdata/programs/spin.iasm"
"$iridium" -r -p "$port" --max-steps 100000000000 --data-root-dir "$work/rdata" </dev/null >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q 'serving the remote REPL' "$work/server.log" && break; sleep 0.1; done
start remote "$iridium" remote "127.0.0.1:$port" --data-root-dir "$work/rdata"
wait_for "Welcome to Iridium! Let's be productive!" && wait_for_re '^iridium [0-9.]+: !help' && wait_for_last '>>>' && pass "remote: banner and prompt" || fail "remote: banner and prompt"
keys -l 'nc $1'; keys Home; keys -l 'i'; keys C-e; keys Enter
type_line '!load_file spin.iasm'
wait_for 'spinning' || fail "remote: the endless program did not start"
keys C-c
wait_for_re '^interrupted at pc=(97|101) \((INC \$7|DJMPE #97)\)$' && wait_for_last '>>>' \
  && pass "remote: Ctrl-C interrupts the remote program" || fail "remote: Ctrl-C during a run"
keys -l 'half typed'; keys C-l
for _ in $(seq 100); do [ "$(screen | head -n 1)" = '>>> half typed' ] && break; sleep 0.1; done
[ "$(screen | head -n 1)" = '>>> half typed' ] && ! screen | grep -qF 'spinning' && pass "remote: Ctrl-L clears the screen and keeps the line" || fail "remote: Ctrl-L"
keys C-u
type_line '!registers'
wait_for_re '\$1 = +1 ' && wait_for_re '\$5 = +77 ' && pass "remote: the session goes on, registers intact" || fail "remote: registers after the interrupt"
keys C-l
keys Up
wait_for '>>> !registers' && keys Up && wait_for '>>> !load_file spin.iasm' && pass "remote: Up recalls history" || fail "remote: Up arrow"
keys C-u C-d
exited_with 0 && pass "remote: Ctrl-D ends the session, exit 0" || fail "remote: Ctrl-D"
history_file="$work/rdata/history-remote-127.0.0.1-$port"
grep -qxF '!load_file spin.iasm' "$history_file" 2>/dev/null && pass "remote: history kept per server" || fail "remote: history file $history_file"
new_session_recalls remote '!registers' "remote" "$iridium" remote "127.0.0.1:$port" --data-root-dir "$work/rdata"
kill -TERM "$server_pid"
status=0; wait "$server_pid" || status=$?; server_pid=
[ "$status" = 0 ] && pass "the headless server stops on SIGTERM with 0" || fail "headless server exit status $status"

if [ "$failures" -gt 0 ]; then
  echo "repl-tty-test: $failures failure(s)" >&2
  exit 1
fi
echo "repl-tty-test: all passed"
