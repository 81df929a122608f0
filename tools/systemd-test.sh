#!/usr/bin/env bash
# The systemd unit (CI): `systemd-analyze verify` accepts tools/systemd/iridium.service with no
# warning (skipped, saying so, where systemd-analyze is missing); it has the settings the
# deployment relies on; the node runs as its ExecStart says with the example node.toml, and with
# JOURNAL_STREAM set its log lines are "<N>level: message" (journald's priority, no timestamp).
# Bounded (< 40 s); the nodes it starts are ended by PID on any exit.
# Usage: tools/systemd-test.sh [path/to/iridium]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
iridium=$(cd "$(dirname "$iridium")" && pwd)/$(basename "$iridium")
unit=$root/tools/systemd/iridium.service
source "$root/tools/lib/harness.sh"

for setting in Type=exec DynamicUser=yes StateDirectory=iridium ProtectSystem=strict NoNewPrivileges=yes \
    PrivateTmp=yes 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' Restart=on-failure; do
  grep -qx "$setting" "$unit" || fail "the unit lacks $setting"
done
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ $exec_start == "/usr/local/bin/iridium node --config /etc/iridium/node.toml --data-root-dir \${STATE_DIRECTORY}" ]] \
  || fail "unexpected ExecStart: $exec_start"
echo "ok: the unit has the settings the README promises"

if command -v systemd-analyze >/dev/null; then
  # verify checks that ExecStart's binary exists: point it at the one under test.
  sed "s|/usr/local/bin/iridium|$iridium|" "$unit" >"$work/iridium.service"
  systemd-analyze verify "$work/iridium.service" >"$work/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$work/verify.out")"
  [ ! -s "$work/verify.out" ] || fail "systemd-analyze verify warns: $(cat "$work/verify.out")"
  echo "ok: systemd-analyze verify accepts the unit ($(systemd-analyze --version | head -n 1))"
else
  echo "systemd-test: systemd-analyze is not installed; the unit was not verified (apt-get install systemd)"
fi

# ExecStart as systemd runs it (the example config; this host's loopback and a free port), with
# stderr a socket and JOURNAL_STREAM naming it, as journald's stream is.
free_port=$(free_ports 1)
mkdir -m 0700 "$work/state"
python3 - "$iridium" "$root/tools/systemd/node.toml" "$work/state" "$free_port" >"$work/node.log" 2>"$work/journal.err" <<'PY' || fail "the node under a journal-like stream: $(cat "$work/journal.err")"
import os, signal, socket, subprocess, sys, time
iridium, config, state, port = sys.argv[1:5]
ours, theirs = socket.socketpair()
st = os.fstat(theirs.fileno())
env = dict(os.environ, STATE_DIRECTORY=state, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}", IRIDIUM_COOKIE="")
node = subprocess.Popen([iridium, "node", "--config", config, "--data-root-dir", state,
                         "-H", "127.0.0.1", "-P", port, "--advertise-host", "127.0.0.1"],
                        stderr=theirs.fileno(), stdout=subprocess.DEVNULL, env=env)
theirs.close()
ours.settimeout(15)
text, deadline = b"", time.monotonic() + 15
try:
    while b"listening on" not in text and time.monotonic() < deadline:
        chunk = ours.recv(4096)
        if not chunk:
            break
        text += chunk
finally:
    node.send_signal(signal.SIGTERM)
    status = node.wait(timeout=15)
ours.settimeout(2)
try:
    while chunk := ours.recv(4096):
        text += chunk
except (socket.timeout, OSError):
    pass
sys.stdout.write(text.decode(errors="replace"))
sys.exit(0 if status == 0 else f"the node exited {status} on SIGTERM")
PY
grep -qx "<6>info: listening on 127.0.0.1:$free_port as node1 .*" "$work/node.log" || fail "no journald-style 'listening' line"
! grep -vqE '^<[0-7]>(debug|info|warn|error|critical): ' "$work/node.log" || fail "a log line without a syslog priority: $(grep -vE '^<[0-7]>' "$work/node.log" | head -n 1)"
[ -s "$work/state/cookie" ] || fail "no cookie in the state directory"
echo "ok: with stderr the journal's stream, every line is <N>level: message; the cookie is in the state directory"

# The variable alone is not enough: a script the service runs may send stderr to a file.
JOURNAL_STREAM=8:12345 "$iridium" node --node-alias plain -P 0 --data-root-dir "$work/state" >"$work/plain.log" 2>&1 &
pid=$!
pids+=("$pid")
deadline=$((SECONDS + 15))
until grep -q "listening on" "$work/plain.log"; do
  kill -0 "$pid" 2>/dev/null || fail "the node exited: $(cat "$work/plain.log")"
  [ $SECONDS -lt $deadline ] || fail "the node did not start within 15 s"
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid" || fail "the node exited $? on SIGTERM"
pids=()  # reaped: its PID is no longer ours to kill
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z info: listening on ' "$work/plain.log" \
  || fail "with JOURNAL_STREAM set but stderr a file, lines lost their timestamps: $(head -n 1 "$work/plain.log")"
echo "ok: with stderr a file, lines keep their timestamps even with JOURNAL_STREAM set"
echo "systemd-test: passed"
