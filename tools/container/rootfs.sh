#!/usr/bin/env bash
# Builds the root file tree of the scratch image in DIR, without Docker: the binary as /iridium,
# every library `ldd` names for it (libc.so.6, libm.so.6 and the dynamic loader, at the paths the
# binary looks for them), and the empty data root /var/lib/iridium owned by the image's user.
# Nothing else: no /dev, /proc, /etc, shell or certificates. tools/container/Dockerfile runs this
# script in its build stage and copies DIR into `FROM scratch`, so the image and the tree are one
# list of files.
# Usage: tools/container/rootfs.sh DIR [path/to/iridium]     (binary default: artifacts/iridium)
#        tools/container/rootfs.sh --list [path/to/iridium]  the files it would copy, one a line
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# The image's user and group (the "nonroot" id distroless uses; scratch has no /etc/passwd, so
# the image names it by number). The Dockerfile says USER with the same number.
uid=65532
data_root=/var/lib/iridium

usage() { echo "usage: tools/container/rootfs.sh DIR|--list [path/to/iridium]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
target=$1
binary=${2:-$root/artifacts/iridium}
[ -x "$binary" ] || { echo "rootfs.sh: no binary at $binary (publish it first)" >&2; exit 1; }

# ldd's lines are "name => /path (addr)", "/path (addr)" (the loader) or "linux-vdso.so.1 (addr)"
# (in the kernel, not a file). A "not found" is an error: the image would not start.
libraries() {
  local out
  out=$(ldd "$binary") || { echo "rootfs.sh: ldd failed on $binary (not a dynamic executable?)" >&2; exit 1; }
  if grep -q 'not found' <<<"$out"; then echo "rootfs.sh: a library of $binary is missing: $out" >&2; exit 1; fi
  awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' <<<"$out" | sort -u
}

if [ "$target" = --list ]; then
  echo /iridium
  libraries
  exit 0
fi

libs=$(libraries)   # an assignment, so that set -e stops here, before any copying, when ldd fails
mkdir -p "$target"
target=$(cd "$target" && pwd)
[ "$target" != / ] || { echo "rootfs.sh: refusing to fill /" >&2; exit 1; }
install -m 0755 "$binary" "$target/iridium"
for lib in $libs; do
  # -L: the file itself, at the path the binary asks for (ld-linux-x86-64.so.2 in /lib64 is a
  # symlink on the build host; in the image it is the loader).
  mkdir -p "$target$(dirname "$lib")"
  cp -L "$lib" "$target$lib"
done
mkdir -p "$target$data_root"
chmod 0700 "$target$data_root"
# Only root can give the directory away; elsewhere the tree is for the caller's own use.
if [ "$(id -u)" -eq 0 ]; then chown "$uid:$uid" "$target$data_root"; fi
echo "rootfs: $target ($(find "$target" -type f | wc -l) files, $(du -sh "$target" | cut -f1))"
