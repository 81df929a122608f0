#!/usr/bin/env bash
# Command-line conventions of a published `iridium` binary (CI): for each case, the exit status
# and the first line it prints (stdout, or stderr when stdout is empty) must match. The cases
# are the table below: STATUS, a grep -E pattern for that first line, then the arguments.
# Bounded (< 30 s); the one node it starts is ended by PID on any exit.
# Usage: tools/cli-test.sh [path/to/iridium]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
iridium=$(cd "$(dirname "$iridium")" && pwd)/$(basename "$iridium")
source "$root/tools/lib/harness.sh"
failures=0
cases=0

# expect STATUS PATTERN ARGS...: run iridium with ARGS from $work, stdin closed
expect() {
  local want=$1 pattern=$2; shift 2
  local got=0 first
  (cd "$work" && "$iridium" "$@" </dev/null >"$work/out" 2>"$work/err") || got=$?
  first=$(head -n 1 "$work/out")
  [ -n "$first" ] || first=$(head -n 1 "$work/err")
  cases=$((cases + 1))
  if [ "$got" -ne "$want" ] || ! grep -qE -- "$pattern" <<<"$first"; then
    echo "FAIL: iridium $*: exit $got, first line '$first'; expected exit $want and /$pattern/" >&2
    sed 's/^/  stderr: /' "$work/err" | head -n 5 >&2
    failures=$((failures + 1))
  else
    echo "ok: iridium $* -> $got: $first"
  fi
}

cp "$root/examples/hello.iasm" "$work/hello.iasm"
mkdir -p "$work/adir" "$work/data"
printf 'node_aliass = "typo"\n' >"$work/typo.toml"
printf '{ "server_bind_port": "2254" }\n' >"$work/type.json"
printf 'node_alias = "x\\ny"\n' >"$work/bad-alias.toml"
printf 'node_alias = "a"\nserver_bind_port = = 2\n' >"$work/syntax.toml"
printf '{\n  "node_alias": "a",\n  "server_bind_port" 2\n}\n' >"$work/syntax.json"
echo "not-the-cookie" >"$work/wrong-cookie"

# Help and version, everywhere.
expect 0 '^Usage: iridium \[command\]' -h
expect 0 '^Usage: iridium \[command\]' --help
expect 0 '^Usage: iridium \[command\]' help
expect 0 '^Usage: iridium \[command\]' -r --bind-port 9 -h
for command in run asm disasm node members remote ping; do
  expect 0 "^Usage: iridium $command " "$command" -h
  expect 0 "^Usage: iridium $command " "$command" --help
  expect 0 "^Usage: iridium $command " help "$command"
done
expect 0 '^Usage: iridium run ' hello.iasm --help
expect 0 '^Usage: iridium run ' run hello.iasm --max-steps 5 -h
expect 0 '^iridium 0\.2\.0$' --version
expect 0 '^iridium 0\.2\.0$' version
"$iridium" --help | grep -qE '^  78 +configuration error' || { echo "FAIL: --help has no exit-status table" >&2; failures=$((failures + 1)); }

# FILE or command.
expect 0 '^Hello, world!$' hello.iasm
expect 0 '^Hello, world!$' hello.iasm --state-json state.json --max-steps 1000
[ -s "$work/state.json" ] || { echo "FAIL: 'iridium FILE --state-json' wrote no state" >&2; failures=$((failures + 1)); }
expect 0 '^Hello, world!$' run hello.iasm --state-json state2.json
# Ctrl-C during `run --state-json`: the run stops at an instruction, the state and the output
# are written, exit 130. SIGINT is sent once the signal handler exists (its thread is named).
interrupted=$(python3 - "$iridium" "$root/tools/exec/forever.iasm" "$work" <<'PY'
import glob, json, signal, subprocess, sys, time
iridium, program, work = sys.argv[1:]
p = subprocess.Popen([iridium, "run", program, "--state-json", work + "/int.json"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
deadline = time.time() + 20
def handler_ready():
    for comm in glob.glob(f"/proc/{p.pid}/task/*/comm"):
        try:
            if open(comm).read().startswith(".NET SigHandler"): return True
        except OSError: pass
    return False
while not handler_ready() and time.time() < deadline and p.poll() is None: time.sleep(0.02)
p.send_signal(signal.SIGINT)
out, err = p.communicate(timeout=20)
kind = json.load(open(work + "/int.json"))["event"]["kind"]
print(p.returncode, out.splitlines()[0] if out else "-", kind, err.strip())
PY
) || interrupted="python failed"
cases=$((cases + 1))
if grep -qE '^130 started Interrupted iridium: interrupted at pc=[0-9]+ \(' <<<"$interrupted"; then
  echo "ok: iridium run --state-json, Ctrl-C -> $interrupted"
else
  echo "FAIL: iridium run --state-json, Ctrl-C: got '$interrupted'; expected 130, the output, an Interrupted state and one line" >&2
  failures=$((failures + 1))
fi
expect 2 "^iridium: unknown command 'rnu'; did you mean 'run'\?$" rnu hello.iasm
expect 2 "^iridium: unknown command 'membrs'; did you mean 'members'\?$" membrs 127.0.0.1:1
expect 2 "^iridium: unknown command 'nod'; did you mean 'node'\?$" help nod
expect 66 '^iridium: cannot read adir: is a directory$' adir
expect 66 '^iridium: cannot read adir: is a directory$' run adir
expect 66 '^iridium: cannot read missing\.iasm: no such file$' missing.iasm
expect 66 '^iridium: cannot read xyzzy: no such file$' xyzzy

# Usage errors are 2, for every command.
expect 2 "^iridium: run: missing FILE" run
expect 2 "^iridium: .*'--no-such-flag' is not recognized" run hello.iasm --no-such-flag
expect 2 "^iridium: .*'--no-such-flag' is not recognized" hello.iasm --no-such-flag
expect 2 "^iridium: .*max-steps.*lots" run hello.iasm --max-steps lots
expect 2 "^iridium: .*'-x' is not recognized" -x
expect 2 '^iridium: --bind-port must be a whole number from 0 to 65535, not 70000$' --bind-port 70000
expect 2 "^iridium: '127\.0\.0\.1' is not HOST:PORT" members 127.0.0.1
expect 2 '^iridium: missing the node to ping' ping
expect 2 '^iridium: --server-bind-port must be a whole number from 0 to 65535, not 99999$' node -P 99999
expect 2 "^iridium: --join: seed 'nowhere' is not HOST:PORT or dns:NAME:PORT$" node --join nowhere

# Files that cannot be written, configs that cannot be used.
expect 73 '^iridium: cannot write adir: is a directory$' asm hello.iasm -o adir
expect 78 "^iridium: typo\.toml: unknown key 'node_aliass'; the keys are node_alias, server_bind_host" node --config typo.toml --data-root-dir data
expect 78 "^iridium: type\.json: 'server_bind_port' must be a whole number from 0 to 65535, not the string \"2254\"$" node --config type.json --data-root-dir data
expect 78 '^iridium: syntax\.toml:2:20: ' node --config syntax.toml --data-root-dir data
expect 78 '^iridium: syntax\.json:3:22: ' node --config syntax.json --data-root-dir data
expect 78 '^iridium: config file node\.conf: the name must end in \.toml or \.json' node --config node.conf
# Aliases: letters, digits, - _ . only (a flag is a usage error, a config file a config error).
expect 2 "^iridium: node alias 'a b' is not valid: it contains U\+0020" node --node-alias 'a b' --data-root-dir data
expect 78 "^iridium: bad-alias\.toml with the flags: node alias 'x\\\\u000Ay' is not valid" node --config bad-alias.toml --data-root-dir data
expect 2 "^iridium: --down-retention-ms must be a whole number of at least 0, not -1" node --down-retention-ms -1 --data-root-dir data
expect 2 "^iridium: --max-heap-bytes must be a whole number of at least 16777216, not 1000" run hello.iasm --max-heap-bytes 1000

# check DESCRIPTION COMMAND...: one more case, passing when the command succeeds.
check() {
  local what=$1; shift
  cases=$((cases + 1))
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what" >&2; failures=$((failures + 1)); fi
}
# Log lines of headless processes: "2025-06-01T12:00:00.000000Z info: message", no category or event number.
log_lines_are_ours() { ! grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{15}Z (trace|debug|info|warn|error|critical): ' "$1" && ! grep -qE 'Iridium\.[A-Za-z.]+\[[0-9]+\]' "$1"; }

# The tools' usage texts are their header comments, nothing more.
"$root/tools/cluster.sh" >"$work/out" 2>&1 && got=0 || got=$?
check "tools/cluster.sh usage (exit 2, no stray code)" bash -c "[ $got = 2 ] && grep -q 'tools/cluster.sh start N' '$work/out' && ! grep -q 'set -e' '$work/out'"

# The headless remote REPL: 'iridium -r' with no terminal on stdin serves until SIGTERM, then exits 0.
base=$(free_ports 3)
rport=$base
"$iridium" -r -p "$rport" --data-root-dir "$work/data" </dev/null >"$work/repl.log" 2>&1 &
repl_pid=$!
pids+=("$repl_pid")
deadline=$((SECONDS + 10))
until "$iridium" remote "127.0.0.1:$rport" --data-root-dir "$work/data" -c 'load $1 #7' -c '!registers' >"$work/remote.out" 2>/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || { echo "FAIL: the headless remote REPL did not serve" >&2; cat "$work/repl.log" >&2; exit 1; }
  sleep 0.1
done
check "iridium -r </dev/null serves: remote -c logs in and runs lines" grep -qE '\$1 = 7' "$work/remote.out"
check "the headless remote REPL says it serves until SIGINT or SIGTERM" grep -q 'info: stdin is not a terminal: serving the remote REPL until SIGINT or SIGTERM' "$work/repl.log"
kill -TERM "$repl_pid"
got=0; wait "$repl_pid" || got=$?; pids=()  # reaped: its PID is no longer ours to kill
check "SIGTERM stops the headless remote REPL with exit 0 (got $got)" [ "$got" = 0 ]
check "headless remote REPL log lines are ours" log_lines_are_ours "$work/repl.log"

# The network: a free port, one node on it, serving the remote REPL too.
port=$((base + 1))
rport=$((base + 2))
"$iridium" node --node-alias cli-test -P "$port" -r -p "$rport" --data-root-dir "$work/data" >"$work/node.log" 2>&1 &
node_pid=$!
pids+=("$node_pid")
deadline=$((SECONDS + 10))
until "$iridium" members "127.0.0.1:$port" --data-root-dir "$work/data" --timeout-ms 500 >/dev/null 2>&1; do
  [ "$SECONDS" -lt "$deadline" ] || { echo "FAIL: the test node did not start" >&2; cat "$work/node.log" >&2; exit 1; }
  sleep 0.1
done
expect 69 "^iridium: cannot listen on 127\.0\.0\.1:$port \(cluster\): address already in use .*--port-search" node -P "$port" --data-root-dir data
expect 0 "^ALIAS +NODE-ID +HOST:PORT +STATUS +LAST-SEEN-MS +DOWN-SINCE-MS +REASON$" members "127.0.0.1:$port" --data-root-dir data
cases=$((cases + 1))
if "$iridium" members "127.0.0.1:$port" --data-root-dir "$work/data" | sed -n 2p | grep -qE "^cli-test +[0-9a-f-]{36} +127\.0\.0\.1:$port +self +0 +- +-$"; then
  echo "ok: iridium members: the row under the header"
else
  echo "FAIL: iridium members: no 'cli-test ... self 0 - -' row under the header" >&2
  failures=$((failures + 1))
fi
expect 0 "^reply from cli-test \(127\.0\.0\.1:$port\): seq=1 bytes=64 time=" ping "127.0.0.1:$port" --size 64 --count 2 --data-root-dir data
expect 77 "^iridium: 127\.0\.0\.1:$port: authentication failed" ping "127.0.0.1:$port" --cookie-file wrong-cookie
expect 77 "^iridium: 127\.0\.0\.1:$port: authentication failed" members "127.0.0.1:$port" --cookie-file wrong-cookie
check "node -r logs that it serves the remote REPL" grep -qE "^[0-9-]+T[0-9:.]+Z info: remote REPL listening on 127\.0\.0\.1:$rport " "$work/node.log"
kill -TERM "$node_pid"; wait "$node_pid" 2>/dev/null || true; pids=()
check "node log lines are ours (no event numbers)" log_lines_are_ours "$work/node.log"
expect 69 "^iridium: cannot connect to 127\.0\.0\.1:$port" members "127.0.0.1:$port" --data-root-dir data --timeout-ms 2000
# The node started without --node-alias (address in use) named itself in the data root, not here.
[ -s "$work/data/.node_id" ] || { echo "FAIL: no .node_id in the data root" >&2; failures=$((failures + 1)); }
[ ! -e "$work/.node_id" ] || { echo "FAIL: .node_id written into the working directory" >&2; failures=$((failures + 1)); }

if [ "$failures" -gt 0 ]; then
  echo "$failures of $cases CLI checks failed" >&2
  exit 1
fi
echo "all $cases CLI checks passed"
