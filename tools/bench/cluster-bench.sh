#!/usr/bin/env bash
# Cluster benchmarks: mesh formation, idle RSS and failure detection with the published binary
# (cluster-mesh.py), then message throughput and round-trip latency between two nodes
# (ClusterBench, two nodes in one process over 127.0.0.1).
# Usage: tools/bench/cluster-bench.sh [path/to/iridium]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/cluster-mesh.py" --iridium "${1:-${IRIDIUM:-$here/../../artifacts/iridium}}"
dotnet run -c Release --project "$here/ClusterBench" -- 2000000 16 20000
