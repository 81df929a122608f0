# Sourced by the test scripts in tools/ that start nodes: what each of them needs, written once.
#   work                a fresh temporary directory, removed on any exit
#   pids                append the PID of every process the script starts; each gets SIGKILL on exit
#   before_cleanup      define this function for extra cleanup (it runs first, on any exit)
#   fail MESSAGE        print FAIL: MESSAGE and the tail of every log in $work, then exit 1
#   free_ports N        a base port P with P .. P+N-1 free on 127.0.0.1
#   wait_for SECONDS DESCRIPTION -- COMMAND...   poll COMMAND every 0.1 s; fail after SECONDS
# SECONDS starts at 0 when this is sourced, so scripts can report their own duration.

work=$(mktemp -d)
pids=()

harness_cleanup() {
  if declare -F before_cleanup >/dev/null; then before_cleanup || true; fi
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap harness_cleanup EXIT
trap 'exit 1' INT TERM
SECONDS=0

fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/*.log "$work"/*.err; do
    [ -e "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
  done
  exit 1
}

# Below the ephemeral range (32768+), so a port we pick is not taken by an outgoing connection
# between the check and the bind.
free_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
for _ in range(200):
    base = random.randint(20000, 32000)
    socks = [socket.socket() for _ in range(count)]
    try:
        for i, s in enumerate(socks): s.bind(("127.0.0.1", base + i))
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
else:
    sys.exit("no free ports")
PY
}

wait_for() {
  local limit=$1 what=$2; shift 3
  local deadline=$(( $(date +%s%N) + limit * 1000000000 ))
  until "$@"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || fail "$what (not within ${limit}s)"
    sleep 0.1
  done
}
