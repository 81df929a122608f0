#!/usr/bin/env bash
# Local test cluster of `iridium node` processes.
#   tools/cluster.sh start N [--base-port P] [--dir DIR] [-- extra node flags...]
#   tools/cluster.sh status [--dir DIR]     each node's members
#   tools/cluster.sh stop [--dir DIR]       SIGTERM (graceful Leave) by recorded PID, then SIGKILL stragglers
# node1 listens on P (default 24000), nodeK on P+K-1 and joins node1. PIDs, logs and a private
# data root (cookie) live in DIR (default ./.cluster). Binary: $IRIDIUM, else artifacts/iridium.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${IRIDIUM:-$root/artifacts/iridium}
dir=$PWD/.cluster
base=24000

# The usage is the comment block at the top of this file (whatever its length), without the '# '.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
cmd=$1; shift
count=0
if [ "$cmd" = start ]; then
  [ $# -ge 1 ] || usage
  count=$1; shift
fi
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --base-port) base=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
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
