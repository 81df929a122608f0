#!/usr/bin/env bash
# The systemd unit (CI): `systemd-analyze verify` accepts tools/systemd/iridium.service with no
# warning (skipped, saying so, where systemd-analyze is missing); it has the settings the
# deployment relies on; the node runs as its ExecStart says with the example node.toml, and with
# JOURNAL_STREAM set its log lines are "<N>level: message" (journald's priority, no timestamp).
# Bounded (< 30 s); the node it starts is ended by PID on any exit.
# Usage: tools/systemd-test.sh [path/to/iridium]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
iridium=$(cd "$(dirname "$iridium")" && pwd)/$(basename "$iridium")
unit=$root/tools/systemd/iridium.service
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*" >&2; [ -e "$work/node.log" ] && cat "$work/node.log" >&2; exit 1; }

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
# the variables systemd sets.
free_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -m 0700 "$work/state"
STATE_DIRECTORY=$work/state JOURNAL_STREAM=8:12345 IRIDIUM_COOKIE= \
  "$iridium" node --config "$root/tools/systemd/node.toml" --data-root-dir "$work/state" \
  -H 127.0.0.1 -P "$free_port" --advertise-host 127.0.0.1 >"$work/node.log" 2>&1 &
pid=$!
deadline=$((SECONDS + 15))
until grep -q "listening on" "$work/node.log"; do
  kill -0 "$pid" 2>/dev/null || fail "the node exited"
  [ $SECONDS -lt $deadline ] || fail "the node did not start within 15 s"
  sleep 0.1
done
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] || fail "the node exited $status on SIGTERM"
grep -qx "<6>info: listening on 127.0.0.1:$free_port as node1 .*" "$work/node.log" || fail "no journald-style 'listening' line"
! grep -vqE '^<[0-7]>(debug|info|warn|error|critical): ' "$work/node.log" || fail "a log line without a syslog priority: $(grep -vE '^<[0-7]>' "$work/node.log" | head -n 1)"
[ -s "$work/state/cookie" ] || fail "no cookie in the state directory"
echo "ok: under JOURNAL_STREAM every line is <N>level: message; the cookie is in the state directory"
echo "systemd-test: passed"
