#!/usr/bin/env bash
# The scratch image's file tree, tested without Docker (CI): tools/container/rootfs.sh builds it
# (the binary, the loader, libc.so.6, libm.so.6 and an empty data root; no /dev, /proc or /etc),
# then, chrooted into it as the image's non-root user with an empty environment: `run` prints the
# program's output and exits 0, `asm` writes an image that runs, two `node`s form a cluster that
# `members` lists (the cookie and node ids come from getrandom(2), the data root is the default
# /var/lib/iridium), and failures are one line and an exit status, never a stack trace.
# Needs root (chroot), or an unprivileged user namespace (unshare -r); says so and skips otherwise.
# Bounded (< 60 s); every process it starts is ended by PID on any exit.
# Usage: tools/rootfs-test.sh [path/to/iridium]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
source "$root/tools/lib/harness.sh"
tree=$work/root

uid=65532
# Looked up here: the commands run with an empty environment (no PATH).
chroot=$(command -v chroot) || { echo "rootfs-test: SKIP (no chroot)"; exit 0; }
unshare=$(command -v unshare || echo unshare)
if [ "$(id -u)" -eq 0 ]; then
  inside() { ${exec_inside:+exec} env -i "$chroot" --userspec=$uid:$uid "$tree" /iridium "$@"; }
elif "$unshare" -r true 2>/dev/null; then
  # A user namespace in which we are root: chroot works, the files stay ours (uid 0 inside).
  uid=0
  inside() { ${exec_inside:+exec} env -i "$unshare" -r "$chroot" "$tree" /iridium "$@"; }
else
  echo "rootfs-test: SKIP (needs root for chroot, or unprivileged user namespaces for unshare -r)"
  exit 0
fi

"$root/tools/container/rootfs.sh" "$tree" "$iridium"

# Exactly the binary and what ldd names (the loader, libc.so.6, libm.so.6): nothing else.
files=$(cd "$tree" && find . -type f | sed 's|^\.||' | sort)
expected=$( "$root/tools/container/rootfs.sh" --list "$iridium" | sort)
[ "$files" = "$expected" ] || fail "the tree holds $(echo $files), not $(echo $expected)"
names=$(for f in $files; do basename "$f"; done | sort | tr '\n' ' ')
case $names in
  "iridium ld-linux-"*".so.2 libc.so.6 libm.so.6 ") ;;
  *) fail "expected iridium, the loader, libc.so.6 and libm.so.6; ldd named: $names" ;;
esac
for d in dev proc etc sys tmp; do [ ! -e "$tree/$d" ] || fail "/$d exists in the tree"; done
echo "ok: the tree is $names+ /var/lib/iridium ($(du -sh "$tree" | cut -f1))"

# The Dockerfile (not built here: no Docker engine in CI) must ship exactly this tree: its build
# stage runs rootfs.sh, and its scratch stage copies only what rootfs.sh made, as rootfs.sh's user.
dockerfile=$root/tools/container/Dockerfile
final=$(awk '/^FROM scratch/ { on = 1 } on' "$dockerfile")
[ -n "$final" ] || fail "the Dockerfile has no FROM scratch stage"
grep -q 'tools/container/rootfs.sh /rootfs' "$dockerfile" \
  || fail "the Dockerfile's build stage does not run tools/container/rootfs.sh /rootfs"
bad=$(grep -E '^(COPY|ADD)' <<<"$final" | grep -vE '^COPY --from=build (--chown=[0-9]+:[0-9]+ )?/rootfs/' || true)
[ -z "$bad" ] || fail "the scratch stage copies more than rootfs.sh's tree: $bad"
image_uid=$(awk '/^uid=/ { sub(/^uid=/, ""); print; exit }' "$root/tools/container/rootfs.sh")
grep -qx "USER $image_uid:$image_uid" <<<"$final" || fail "the scratch stage's USER is not rootfs.sh's uid $image_uid"
grep -qx 'ENTRYPOINT \["/iridium"\]' <<<"$final" || fail "the scratch stage's ENTRYPOINT is not [\"/iridium\"]"
grep -qx 'VOLUME \["/var/lib/iridium"\]' <<<"$final" || fail "the data root is not a VOLUME"
echo "ok: the Dockerfile's scratch stage is rootfs.sh's tree, USER $image_uid, ENTRYPOINT /iridium (not built here)"

# The test's own files, outside the image's list: a program and a writable directory.
mkdir -p "$tree/t"
cp "$root/examples/hello.iasm" "$tree/t/hello.iasm"
[ "$uid" -eq 0 ] || chown -R $uid:$uid "$tree/t"

# expect STATUS PATTERN -- ARGS...: the status, and the output (stdout and stderr) matches.
expect() {
  local want=$1 pattern=$2; shift 3
  local status=0
  inside "$@" >"$work/out" 2>&1 || status=$?
  [ "$status" -eq "$want" ] || fail "iridium $*: status $status, expected $want: $(cat "$work/out")"
  [ -z "$pattern" ] || grep -qE "$pattern" "$work/out" || fail "iridium $*: output does not match '$pattern': $(cat "$work/out")"
  ! grep -qE '^\s+at |Unhandled exception' "$work/out" || fail "iridium $*: a stack trace: $(cat "$work/out")"
}
one_line() { [ "$(wc -l <"$work/out")" -eq 1 ] || fail "expected one line: $(cat "$work/out")"; }

expect 0 '^Hello, world!$' -- run /t/hello.iasm
echo "ok: run prints the program's output and exits 0 with no /dev"
expect 0 '' -- asm /t/hello.iasm -o /t/hello.iri
expect 0 '^Hello, world!$' -- run /t/hello.iri
echo "ok: asm writes an image that runs"
expect 66 '^iridium: ' -- run /t/missing.iasm; one_line
expect 78 '^iridium: ' -- node --data-root-dir /proc/nope; one_line
echo "ok: failures are one line and an exit status"

# Two nodes on loopback (the chroot shares this machine's network), default data root.
read -r p1 p2 < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()')
# `exec`: the background job becomes env, then chroot, then iridium: $! is the node's PID.
(exec_inside=1; inside node --node-alias n1 -P "$p1") >"$work/n1.log" 2>&1 &
pids+=($!)
(exec_inside=1; inside node --node-alias n2 -P "$p2" --join "127.0.0.1:$p1") >"$work/n2.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 20))
until inside members "127.0.0.1:$p1" --timeout-ms 1000 >"$work/members" 2>&1 \
    && [ "$(awk '$4 == "self" || $4 == "up"' "$work/members" | wc -l)" -eq 2 ]; do
  [ $SECONDS -lt $deadline ] || fail "members did not list both nodes within 20 s: $(cat "$work/members")"
  sleep 0.2
done
sed 's/^/  /' "$work/members"
[ -s "$tree/var/lib/iridium/cookie" ] || fail "no cookie was created in the default data root"
echo "ok: node + members, two nodes, cookie created in /var/lib/iridium"
expect 69 '^iridium: ' -- node --node-alias n3 -P "$p1"; one_line
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do
  status=0
  wait "$pid" || status=$?
  [ "$status" -eq 0 ] || fail "node pid $pid exited $status after SIGTERM"
done
pids=()
! grep -qE '^\s+at |Unhandled exception' "$work"/n*.log || fail "a node printed a stack trace"
echo "ok: both nodes left on SIGTERM with status 0"
echo "rootfs-test: passed"
