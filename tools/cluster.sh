#!/usr/bin/env bash
# Local test cluster of `iridium node` processes.
#   tools/cluster.sh start N [--base-port P] [--dir DIR] [-- extra node flags...]
#   tools/cluster.sh status [--dir DIR]     each node's members
#   tools/cluster.sh stop [--dir DIR]       SIGTERM (graceful Leave) by recorded PID, then SIGKILL stragglers
# node1 listens on P (default 24000), nodeK on P+K-1 and joins node1. PIDs, logs and a private
# data root (cookie) live in DIR (default ./.cluster); `start` prints the command that reaches the
# nodes with that cookie. Binary: $IRIDIUM, else artifacts/iridium.
#
# A cluster across hosts, over ssh and scp (HOSTS_FILE: one node a line, `user@host [alias] [port]`,
# '#' comments; alias default: the host, port default 2254):
#   tools/cluster.sh deploy HOSTS_FILE [--extra-config TOML_FILE]
#                                           copy the binary, the cookie and each node's node.toml
#                                           (TOML_FILE's lines are added to every node.toml)
#   tools/cluster.sh start HOSTS_FILE       start every node (in the background, on its host)
#   tools/cluster.sh status HOSTS_FILE      each node's pid and members
#   tools/cluster.sh stop HOSTS_FILE        SIGTERM (graceful Leave), SIGKILL after 5 s
# Each node lives in ~/iridium/ALIAS on its host (binary, node.toml, cookie, data, node.log,
# node.pid), binds 0.0.0.0, advertises its host and joins through every node in the file. One
# cookie for the cluster: HOSTS_FILE.cookie, made on first deploy. $IRIDIUM_SSH (default
# `ssh -o BatchMode=yes`) is run as `$IRIDIUM_SSH user@host COMMAND`, $IRIDIUM_SCP (default
# `scp -q -o BatchMode=yes`) as `$IRIDIUM_SCP FILE user@host:PATH`: set them to reach hosts
# another way (tests/e2e/test_netns.py runs the commands in network namespaces).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${IRIDIUM:-$root/artifacts/iridium}
dir=$PWD/.cluster
base=24000

# The usage is the comment block at the top of this file (whatever its length), without the '# '.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
cmd=$1; shift
# --- across hosts: deploy, or start/status/stop with a HOSTS_FILE (start N is the local cluster)
if [ "$cmd" = deploy ] || { [ $# -ge 1 ] && [ -f "$1" ] && ! { [ "$cmd" = start ] && [[ $1 =~ ^[0-9]+$ ]]; }; }; then
  [ $# -ge 1 ] && [ -f "$1" ] || usage
  hosts_file=$1; shift
  extra_config=
  while [ $# -gt 0 ]; do
    case $1 in
      --extra-config) [ "$cmd" = deploy ] && [ $# -ge 2 ] && [ -f "$2" ] || usage; extra_config=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  read -r -a ssh_cmd <<<"${IRIDIUM_SSH:-ssh -o BatchMode=yes}"
  read -r -a scp_cmd <<<"${IRIDIUM_SCP:-scp -q -o BatchMode=yes}"
  # The nodes: target (user@host), host, alias, port.
  targets=() hosts=() aliases=() ports=()
  while read -r target alias port _; do
    case $target in ''|'#'*) continue ;; esac
    host=${target#*@}
    alias=${alias:-$host} port=${port:-2254}
    # The alias names the node's directory on its host and goes into a shell command: keep it plain.
    [[ $alias =~ ^[A-Za-z0-9._-]+$ ]] || { echo "cluster.sh: $hosts_file: alias '$alias' has characters other than letters, digits, '.', '_' and '-'" >&2; exit 2; }
    [[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || { echo "cluster.sh: $hosts_file: '$port' is not a port" >&2; exit 2; }
    targets+=("$target"); hosts+=("$host"); aliases+=("$alias"); ports+=("$port")
  done <"$hosts_file"
  [ ${#targets[@]} -gt 0 ] || { echo "cluster.sh: no hosts in $hosts_file" >&2; exit 2; }
  remote() { "${ssh_cmd[@]}" "$1" "$2"; }
  # A TOML string: the value in double quotes, with \ and " escaped.
  toml() { local v=${1//\\/\\\\}; printf '"%s"' "${v//\"/\\\"}"; }
  seed_of() { local h=${hosts[$1]}; [[ $h == *:* ]] && h="[$h]"; echo "$h:${ports[$1]}"; }
  # node.toml of node $1: paths relative to the node's directory (it is started there).
  config_of() {
    local seeds=() j
    for j in "${!targets[@]}"; do seeds+=("$(toml "$(seed_of "$j")")"); done
    echo "# Written by tools/cluster.sh deploy from $(basename "$hosts_file")."
    echo "node_alias = $(toml "${aliases[$1]}")"
    echo 'server_bind_host = "0.0.0.0"'
    echo "server_bind_port = ${ports[$1]}"
    echo "advertise_host = $(toml "${hosts[$1]}")"
    (IFS=,; echo "join = [${seeds[*]}]")
    echo 'data_root_dir = "data"'
    echo 'cookie_file = "cookie"'
    [ -z "$extra_config" ] || cat "$extra_config"
  }
  if [ "$cmd" = deploy ]; then
    [ -x "$iridium" ] || { echo "cluster.sh: no binary at $iridium (publish first or set IRIDIUM)" >&2; exit 1; }
    cookie=$hosts_file.cookie
    [ -s "$cookie" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' 'AB' >"$cookie")
  fi
  staging=$(mktemp -d)
  trap 'rm -rf "$staging"' EXIT
  failed=0
  for i in "${!targets[@]}"; do
    t=${targets[$i]} d=iridium/${aliases[$i]} name="${aliases[$i]} (${targets[$i]}, port ${ports[$i]})"
    case $cmd in
      deploy)
        config_of "$i" >"$staging/node.toml"
        if remote "$t" "mkdir -p $d/data && chmod 700 $d $d/data" \
            && "${scp_cmd[@]}" "$iridium" "$t:$d/iridium.new" \
            && "${scp_cmd[@]}" "$cookie" "$t:$d/cookie" \
            && "${scp_cmd[@]}" "$staging/node.toml" "$t:$d/node.toml" \
            && remote "$t" "chmod 755 $d/iridium.new && mv -f $d/iridium.new $d/iridium && chmod 600 $d/cookie"; then
          echo "deployed $name"
        else
          echo "cluster.sh: deploy to $name failed" >&2; failed=1
        fi
        ;;
      start)
        # In the background on its host, in its directory; node.pid is the node's pid (nohup execs
        # it). A node that exits at once (a bad setting, a taken port) fails the start with its log.
        if remote "$t" "cd $d && if [ -f node.pid ] && kill -0 \$(cat node.pid) 2>/dev/null; then echo already running; else nohup ./iridium node --config node.toml >node.log 2>&1 </dev/null & pid=\$!; echo \$pid >node.pid; sleep 0.5; kill -0 \$pid 2>/dev/null || { tail -n 3 node.log; rm -f node.pid; exit 1; }; fi"; then
          echo "started $name"
        else
          echo "cluster.sh: start on $name failed" >&2; failed=1
        fi
        ;;
      status)
        echo "== $name"
        remote "$t" "cd $d && if [ -f node.pid ] && kill -0 \$(cat node.pid) 2>/dev/null; then echo running, pid \$(cat node.pid); ./iridium members 127.0.0.1:${ports[$i]} --cookie-file cookie --timeout-ms 2000; else echo not running; exit 1; fi" || failed=1
        ;;
      stop)
        # SIGTERM (the node leaves), up to 5 s to go, then SIGKILL.
        if remote "$t" "cd $d 2>/dev/null && [ -f node.pid ] || exit 0; pid=\$(cat node.pid); kill -TERM \$pid 2>/dev/null; n=0; while kill -0 \$pid 2>/dev/null && [ \$n -lt 50 ]; do sleep 0.1; n=\$((n + 1)); done; kill -KILL \$pid 2>/dev/null; rm -f node.pid"; then
          echo "stopped $name"
        else
          echo "cluster.sh: stop on $name failed" >&2; failed=1
        fi
        ;;
      *) usage ;;
    esac
  done
  exit $failed
fi

count=0
if [ "$cmd" = start ]; then
  [ $# -ge 1 ] || usage
  count=$1; shift
fi
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --base-port) base=$2; shift 2 ;;
    --dir) dir=$2; [[ $dir = /* ]] || dir=$PWD/$dir; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) usage ;;
  esac
done

alive() { kill -0 "$1" 2>/dev/null; }

case $cmd in
  start)
    [ -x "$iridium" ] || { echo "cluster.sh: no binary at $iridium (publish first or set IRIDIUM)" >&2; exit 1; }
    mkdir -p "$dir/data"
    if [ -e "$dir/pids" ]; then echo "cluster.sh: $dir/pids exists; stop the running cluster first" >&2; exit 1; fi
    for i in $(seq 1 "$count"); do
      port=$((base + i - 1))
      args=(node --node-alias "node$i" -P "$port" --data-root-dir "$dir/data" "${extra[@]}")
      [ "$i" -gt 1 ] && args+=(--join "127.0.0.1:$base")
      "$iridium" "${args[@]}" >"$dir/node$i.log" 2>&1 &
      echo "$! node$i $port" >>"$dir/pids"
    done
    echo "started $count nodes (ports $base-$((base + count - 1))); pids and logs in $dir"
    # The nodes share a cookie of their own, not the user's default one: say how to reach them.
    echo "their cookie is $dir/data/cookie; reach them with, for example:"
    echo "  iridium members 127.0.0.1:$base --cookie-file $dir/data/cookie"
    ;;
  status)
    [ -e "$dir/pids" ] || { echo "cluster.sh: no cluster in $dir" >&2; exit 1; }
    while read -r pid name port; do
      if alive "$pid"; then
        echo "== $name (pid $pid, port $port)"
        "$iridium" members "127.0.0.1:$port" --data-root-dir "$dir/data" || true
      else
        echo "== $name (pid $pid, port $port): not running"
      fi
    done <"$dir/pids"
    ;;
  stop)
    [ -e "$dir/pids" ] || { echo "cluster.sh: no cluster in $dir"; exit 0; }
    while read -r pid _ _; do alive "$pid" && kill -TERM "$pid" 2>/dev/null || true; done <"$dir/pids"
    for _ in $(seq 1 30); do
      left=0
      while read -r pid _ _; do alive "$pid" && left=1; done <"$dir/pids"
      [ $left -eq 0 ] && break
      sleep 0.1
    done
    while read -r pid _ _; do alive "$pid" && kill -KILL "$pid" 2>/dev/null || true; done <"$dir/pids"
    rm -f "$dir/pids"
    echo "stopped"
    ;;
  *) usage ;;
esac
