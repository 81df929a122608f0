#!/usr/bin/env bash
# Nodes on hosts reached by address, with the faults only real networks have (CI, where allowed).
# Four network namespaces on a bridge (in a fifth, the "switch"), each with its own address and
# one node: bind 0.0.0.0, --advertise-host, seeds by IP, one node seeded by dns:NAME:PORT through
# a DNS responder of ours, `members` asked from another namespace. Then:
#   partition  n3's link down: both sides mark the other down within the failure timeout + 1 s;
#              link up: the mesh heals without a restart (figures printed);
#   flapping   n3's link down 1 s, up 1 s, five times, default heartbeat settings: links that do
#              not cross n3 never go down, n3's go down no more often than the link did, and the
#              mesh heals (node up/down log lines counted);
#   delay      two more nodes whose advertised addresses are a TCP proxy of ours adding 200 ms
#              each way (no tc netem here): they form a cluster and stay up; ping shows the delay.
# Last, tools/cluster.sh deploy/start/status/stop across three of the namespaces as hosts, with
# stand-ins for ssh and scp that run the command in the namespace (IRIDIUM_SSH, IRIDIUM_SCP).
# Needs root and `ip netns`; prints SKIP and exits 0 otherwise. Bounded (< 120 s); every
# namespace, /etc/netns entry and process it makes is removed (by name and PID) on any exit.
# Usage: tools/netns-test.sh [path/to/iridium]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
iridium=$(cd "$(dirname "$iridium")" && pwd)/$(basename "$iridium")

tag=ird$$              # short: interface names are at most 15 characters
sw=${tag}sw            # the switch: a bridge and the test's DNS responder and proxies
net=10.77.0
port=2254
dns_name=seeds.iridium.test
count=4
ns() { echo "${tag}n$1"; }

skip() { echo "netns-test: SKIP ($*)"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root for ip netns"
command -v ip >/dev/null || skip "no ip command"
ip netns add "${tag}probe" 2>/dev/null || skip "ip netns add is not allowed here"
ip netns del "${tag}probe"

work=$(mktemp -d)
pids=()
namespaces=()
cleanup() {
  # Nodes that tools/cluster.sh started record their pid on their "host".
  for f in "$work"/home*/iridium/*/node.pid; do [ -e "$f" ] && pids+=("$(cat "$f")"); done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Anything still running in our namespaces (by pid, as `ip netns pids` lists them) goes too.
  for n in "${namespaces[@]}"; do
    for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; rm -rf "/etc/netns/$n"; done
  rmdir /etc/netns 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*" >&2; for f in "$work"/*.log "$work"/home*/iridium/*/node.log; do [ -e "$f" ] && { echo "--- $f" >&2; tail -n 25 "$f" >&2; }; done; exit 1; }
now() { date +%s.%N; }

export IRIDIUM_COOKIE=netns-test-$$
in_ns() { local n=$1; shift; ip netns exec "$n" "$@"; }

# --- the network
ip netns add "$sw"; namespaces+=("$sw")
ip -n "$sw" link set lo up
ip -n "$sw" link add br0 type bridge
ip -n "$sw" link set br0 up
ip -n "$sw" addr add "$net.254/24" dev br0
for i in $(seq 1 $count); do
  n=$(ns "$i")
  ip netns add "$n"; namespaces+=("$n")
  ip -n "$n" link set lo up
  ip link add "${tag}v$i" type veth peer name "${tag}s$i"
  ip link set "${tag}v$i" netns "$n"
  ip link set "${tag}s$i" netns "$sw"
  ip -n "$n" addr add "$net.$i/24" dev "${tag}v$i"
  ip -n "$n" link set "${tag}v$i" up
  ip -n "$sw" link set "${tag}s$i" master br0 up
  # `ip netns exec` mounts /etc/netns/NAME/* over /etc: this namespace's resolver is ours.
  mkdir -p "/etc/netns/$n"
  echo "nameserver $net.254" >"/etc/netns/$n/resolv.conf"
done
link() { ip -n "$sw" link set "${tag}s$1" "$2"; }   # the switch port of node $1: up or down

# The DNS name lists n1..n3 (n4 joins through it).
ip netns exec "$sw" python3 "$root/tools/netns/dns-stub.py" "$net.254" 53 "$dns_name" 110 "$net.1" "$net.2" "$net.3" >"$work/dns.log" 2>&1 &
pids+=($!)

# start_node NAMESPACE ALIAS PORT ADVERTISE [--join SEED]: $! of a background `ip netns exec` is
# the node (it execs the binary; through a shell function, $! would be a subshell's pid).
start_node() {
  local n=$1 alias=$2 p=$3 advertise=$4; shift 4
  ip netns exec "$n" "$iridium" node --node-alias "$alias" -H 0.0.0.0 -P "$p" --advertise-host "$advertise" \
    --data-root-dir "$work/data" "$@" >"$work/$alias.log" 2>&1 &
  pids+=($!)
}
start_node "$(ns 1)" n1 $port "$net.1"
start_node "$(ns 2)" n2 $port "$net.2" --join "$net.1:$port"
start_node "$(ns 3)" n3 $port "$net.3" --join "$net.1:$port"
start_node "$(ns 4)" n4 $port "$net.4" --join "dns:$dns_name:$port"

# members_from NAMESPACE HOST:PORT: the members table, asked from that namespace.
members_from() { in_ns "$1" "$iridium" members "$2" --data-root-dir "$work/data" --timeout-ms 1500 2>/dev/null; }
up_count() { members_from "$1" "$2" | awk '$4 == "self" || $4 == "up"' | wc -l; }
# every node, asked from the next namespace, lists all four up
mesh_up() {
  for i in $(seq 1 $count); do
    [ "$(up_count "$(ns $(( i % count + 1 )))" "$net.$i:$port")" -eq $count ] || return 1
  done
}
wait_for() {
  local limit=$1 what=$2; shift 3
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "$what (not within ${limit}s)"
    sleep 0.2
  done
}
wait_for 20 "a full mesh of 4 nodes by address" -- mesh_up
members_from "$(ns 2)" "$net.4:$port" | sed 's/^/  /'
grep -q "joined the cluster through $net\.[123]:$port" "$work/n4.log" || fail "n4 did not join through an address of $dns_name"
echo "ok: 4 namespaces, bind 0.0.0.0, advertised addresses, seeds by IP and by dns:$dns_name:$port; members asked from another namespace"

# first_line_time SINCE PATTERN FILE: the time (epoch s) of the first log line at or after SINCE
# matching PATTERN, or nothing.
first_line_time() {
  python3 - "$@" <<'PY'
import re, sys
from datetime import datetime, timezone
since, pattern, path = float(sys.argv[1]), re.compile(sys.argv[2]), sys.argv[3]
for line in open(path, errors="replace"):
    stamp, _, rest = line.partition(" ")
    try:
        t = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        continue
    if t >= since and pattern.search(rest):
        print(f"{t:.3f}")
        break
PY
}
# all_logged SINCE OUTVAR PAIRS...: every "file:pattern" has a line since SINCE; the latest time in OUTVAR
all_logged() {
  local since=$1 var=$2 latest=0 t; shift 2
  for pair in "$@"; do
    t=$(first_line_time "$since" "${pair#*:}" "$work/${pair%%:*}.log")
    [ -n "$t" ] || return 1
    latest=$(python3 -c "print(max($latest, $t))")
  done
  printf -v "$var" '%s' "$latest"
}
secs() { python3 -c "print(f'{$1 - $2:.2f}')"; }

# --- partition: n3's link down
failure_timeout=3.0   # Defaults.FailureTimeoutMs
t_down=$(now)
link 3 down
downs=(n1:"node down: n3 " n2:"node down: n3 " n4:"node down: n3 " n3:"node down: n1 " n3:"node down: n2 " n3:"node down: n4 ")
wait_for 15 "both sides of the partition mark the other down" -- all_logged "$t_down" t_marked "${downs[@]}"
detect=$(secs "$t_marked" "$t_down")
python3 -c "import sys; sys.exit(0 if $detect <= $failure_timeout + 1 else 1)" \
  || fail "partition: marked down after ${detect}s, more than the failure timeout + 1 s"
echo "ok: partition: both sides marked the other down ${detect}s after the link went down (failure timeout ${failure_timeout}s)"
sleep 3
t_up=$(now)
link 3 up
ups=(n1:"node up: n3 " n2:"node up: n3 " n4:"node up: n3 " n3:"node up: n1 " n3:"node up: n2 " n3:"node up: n4 ")
wait_for 30 "the partition heals" -- all_logged "$t_up" t_healed "${ups[@]}"
wait_for 10 "a full mesh after the partition" -- mesh_up
heal=$(secs "$t_healed" "$t_up")
# n3 lost every peer, so it rejoins through its seed: rounds at most 2.5 s apart (2 s backoff
# plus jitter), and a dial in flight when the link returns waits for its SYN to be resent (1 s,
# then 2 s more). Seen: 0.15 to 4.8 s. More than 8 s is a regression.
python3 -c "import sys; sys.exit(0 if $heal <= 8 else 1)" || fail "partition: healed ${heal}s after the link came back, more than 8 s"
partition_figures="partition of $(secs "$t_up" "$t_down")s: marked down in ${detect}s, healed ${heal}s after the link came back"
echo "ok: $partition_figures (no restart)"

# --- flapping: n3's link down 1 s, up 1 s, five times
count_lines() { cat "$work"/n[1-4].log | grep -c "$1" || true; }
count_in() { grep -c "$1" "$work/$2.log" || true; }
before_down=$(count_lines "node down:")
before_up=$(count_lines "node up:")
before_n3=$(count_in "node down:" n3)
t_flap=$(now)
for _ in 1 2 3 4 5; do link 3 down; sleep 1; link 3 up; sleep 1; done
wait_for 30 "a full mesh after the flapping" -- mesh_up
flap_down=$(( $(count_lines "node down:") - before_down ))
flap_up=$(( $(count_lines "node up:") - before_up ))
n3_down=$(( $(count_in "node down:" n3) - before_n3 ))
# Links that do not cross n3 never go down.
for i in 1 2 4; do
  t=$(first_line_time "$t_flap" "node down: n[124] " "$work/n$i.log")
  [ -z "$t" ] || fail "flapping n3 took down a link between two other nodes (n$i.log)"
done
# Each of n3's three links goes down at most once per flap of the link, on each side.
[ "$flap_down" -le $((5 * 3 * 2)) ] || fail "flapping: $flap_down node down lines for 5 flaps of one link"
[ "$flap_up" -ge "$flap_down" ] || fail "flapping: $flap_down node down lines but only $flap_up node up lines"
flap_figures="5 flaps of 1 s: $flap_down node down and $flap_up node up lines in all logs ($n3_down on n3), every link healed"
echo "ok: $flap_figures"

# --- delay: a TCP proxy adding 200 ms each way in front of two more nodes
delay_ms=200
in_ns "$sw" ip addr add "$net.101/24" dev br0
in_ns "$sw" ip addr add "$net.102/24" dev br0
dport=$((port + 1))
ip netns exec "$sw" python3 "$root/tools/netns/delay-proxy.py" "$net.101" $dport "$net.1" $dport $delay_ms 60 >"$work/proxy1.log" 2>&1 &
pids+=($!)
ip netns exec "$sw" python3 "$root/tools/netns/delay-proxy.py" "$net.102" $dport "$net.2" $dport $delay_ms 60 >"$work/proxy2.log" 2>&1 &
pids+=($!)
sleep 0.5
start_node "$(ns 1)" n5 $dport "$net.101"
start_node "$(ns 2)" n6 $dport "$net.102" --join "$net.101:$dport"
pair_up() { [ "$(up_count "$(ns 3)" "$net.101:$dport")" -eq 2 ] && [ "$(up_count "$(ns 3)" "$net.102:$dport")" -eq 2 ]; }
wait_for 20 "two nodes behind ${delay_ms} ms proxies form a cluster" -- pair_up
t_delay=$(now)
sleep 8
pair_up || fail "the delayed pair did not stay up"
for a in n5 n6; do
  [ -z "$(first_line_time "$t_delay" "node down:" "$work/$a.log")" ] || fail "$a marked a peer down behind the ${delay_ms} ms proxy"
done
rtt() { in_ns "$(ns 3)" "$iridium" ping "$1" --count 3 --data-root-dir "$work/data" 2>&1 | tail -n 1; }
delayed_rtt=$(rtt "$net.101:$dport")
direct_rtt=$(rtt "$net.1:$dport")
delay_figures="${delay_ms} ms each way: the pair stayed up for 8 s with no node down line; ping through the proxy: $delayed_rtt; direct: $direct_rtt"
echo "ok: $delay_figures"

# --- the scratch image's tree in a namespace, with only the /etc/resolv.conf a Kubernetes pod
# gets: glibc resolves the dns: seed with no nsswitch.conf, hosts file or NSS library.
"$root/tools/container/rootfs.sh" "$work/scratch" "$iridium" >/dev/null
mkdir -p "$work/scratch/etc"
echo "nameserver $net.254" >"$work/scratch/etc/resolv.conf"
chroot_bin=$(command -v chroot)
ip netns exec "$(ns 4)" env -i IRIDIUM_COOKIE="$IRIDIUM_COOKIE" "$chroot_bin" --userspec=65532:65532 "$work/scratch" \
  /iridium node --node-alias s4 -H 0.0.0.0 -P $((port + 3)) --advertise-host "$net.4" --join "dns:$dns_name:$port" >"$work/s4.log" 2>&1 &
pids+=($!)
wait_for 15 "a node in the scratch tree joins through dns:$dns_name" -- grep -q "joined the cluster through $net\.[123]:$port" "$work/s4.log"
echo "ok: in the scratch tree (resolv.conf only), dns:$dns_name:$port resolved and the node joined"

# --- tools/cluster.sh across hosts: ssh and scp stand-ins that enter the namespace of the
# address (10.77.0.I is namespace I; each "host" has its own home directory under $work).
cat >"$work/fake-ssh" <<FAKE
#!/usr/bin/env bash
ip=\${1#*@}; i=\${ip##*.}; home=$work/home\$i
mkdir -p "\$home" && cd "\$home" && exec ip netns exec "${tag}n\$i" env HOME="\$home" sh -c "\$2"
FAKE
cat >"$work/fake-scp" <<FAKE
#!/usr/bin/env bash
dest=\${2#*:}; host=\${2%%:*}; ip=\${host#*@}; i=\${ip##*.}
mkdir -p "$work/home\$i/\$(dirname "\$dest")" && cp "\$1" "$work/home\$i/\$dest"
FAKE
chmod +x "$work/fake-ssh" "$work/fake-scp"
hport=$((port + 2))
printf '# three hosts\nroot@%s h1 %s\nroot@%s h2 %s\n\nroot@%s h3 %s\n' "$net.1" $hport "$net.2" $hport "$net.3" $hport >"$work/hosts"
export IRIDIUM_SSH=$work/fake-ssh IRIDIUM_SCP=$work/fake-scp IRIDIUM=$iridium
"$root/tools/cluster.sh" deploy "$work/hosts" >"$work/deploy.out" 2>&1 || fail "cluster.sh deploy: $(cat "$work/deploy.out")"
[ "$(grep -c '^deployed ' "$work/deploy.out")" -eq 3 ] || fail "cluster.sh deploy: $(cat "$work/deploy.out")"
grep -qx "advertise_host = \"$net.2\"" "$work/home2/iridium/h2/node.toml" || fail "h2's node.toml: $(cat "$work/home2/iridium/h2/node.toml")"
cmp -s "$iridium" "$work/home3/iridium/h3/iridium" || fail "the binary was not copied to h3"
"$root/tools/cluster.sh" start "$work/hosts" >"$work/start.out" 2>&1 || fail "cluster.sh start: $(cat "$work/start.out")"
# Asked from the fourth namespace, with the cookie cluster.sh made for these nodes.
hosts_up() {
  for i in 1 2 3; do
    [ "$(in_ns "$(ns 4)" "$iridium" members "$net.$i:$hport" --cookie-file "$work/hosts.cookie" --timeout-ms 1500 2>/dev/null \
      | awk '$4 == "self" || $4 == "up"' | wc -l)" -eq 3 ] || return 1
  done
}
wait_for 20 "the three nodes cluster.sh started form a mesh" -- hosts_up
"$root/tools/cluster.sh" status "$work/hosts" >"$work/status.out" 2>&1 || fail "cluster.sh status: $(cat "$work/status.out")"
[ "$(grep -c '^running, pid ' "$work/status.out")" -eq 3 ] || fail "cluster.sh status: $(cat "$work/status.out")"
[ "$(grep -cE ' (up|self) ' "$work/status.out")" -eq 9 ] || fail "cluster.sh status does not list 3 nodes up on each host: $(cat "$work/status.out")"
host_pids=$(cat "$work"/home*/iridium/*/node.pid)
"$root/tools/cluster.sh" stop "$work/hosts" >"$work/stop.out" 2>&1 || fail "cluster.sh stop: $(cat "$work/stop.out")"
for pid in $host_pids; do ! kill -0 "$pid" 2>/dev/null || fail "cluster.sh stop left pid $pid running"; done
grep -q "left the cluster" "$work/home1/iridium/h1/node.log" || fail "h1 did not leave gracefully: $(cat "$work/home1/iridium/h1/node.log")"
"$root/tools/cluster.sh" status "$work/hosts" >"$work/status.out" 2>&1 && fail "cluster.sh status succeeds with every node stopped"
[ "$(grep -c '^not running' "$work/status.out")" -eq 3 ] || fail "cluster.sh status after stop: $(cat "$work/status.out")"
# A node that cannot start (n1 holds this port in the first namespace) fails `start`, with its log.
printf 'root@%s busy %s\n' "$net.1" $port >"$work/busy-hosts"
"$root/tools/cluster.sh" deploy "$work/busy-hosts" >/dev/null 2>&1 || fail "cluster.sh deploy of the busy host failed"
if "$root/tools/cluster.sh" start "$work/busy-hosts" >"$work/busy.out" 2>&1; then fail "cluster.sh start succeeded on a taken port: $(cat "$work/busy.out")"; fi
grep -q "cannot listen on .*address already in use" "$work/busy.out" || fail "cluster.sh start did not show why the node exited: $(cat "$work/busy.out")"
echo "ok: tools/cluster.sh deploy, start, status, stop across 3 namespaces as hosts (ssh/scp stand-ins); a node that cannot start fails start"

echo "netns-test: passed"
echo "figures: $partition_figures; $flap_figures; $delay_figures"
