#!/usr/bin/env bash
# `iridium exec` against `iridium run` (exec-bench.py): remote overhead p50/p99 of an empty
# program, and streamed output MB/s, side by side in one interleaved run on two local nodes.
# Usage: tools/bench/exec-bench.sh [path/to/iridium]     RUNS=200 STREAM_RUNS=7 OUTPUT_MB=256
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/exec-bench.py" --iridium "${1:-${IRIDIUM:-$here/../../artifacts/iridium}}" \
  --runs "${RUNS:-200}" --stream-runs "${STREAM_RUNS:-7}" --output-mb "${OUTPUT_MB:-256}"
