#!/usr/bin/env bash
# Seal+open MB/s of each transport cipher at 64 B, 1 KiB, 16 KiB and 256 KiB, and the cost of one
# Noise handshake per side, through Iridium.Crypto's own classes, published with Native AOT as
# `iridium` is (tools/bench/CryptoBench). On a busy machine read the ratios, or count CPU time:
#   perf stat -e task-clock artifacts/cryptobench/CryptoBench seal-open AesGcm 262144 1024
# Usage: tools/bench/crypto-bench.sh [seconds per measurement, default 1]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../artifacts/cryptobench"
dotnet publish "$here/CryptoBench" -c Release -p:PublishAot=true -o "$out" >/dev/null
"$out/CryptoBench" "${1:-1}"
"$out/CryptoBench" x25519 2000
