#!/usr/bin/env bash
# Several builds' `iridium exec` against each other, interleaved, with fresh copies of the
# binaries and fresh clusters every epoch (exec-compare.py says why): exec - run, exec and run p50.
# Usage: tools/bench/exec-compare.sh REFERENCE_IRIDIUM OTHER_IRIDIUM...    EPOCHS=6 ROUNDS=60
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/exec-compare.py" --epochs "${EPOCHS:-6}" --rounds "${ROUNDS:-60}" "$@"
