#!/usr/bin/env bash
# Iridium.Wire throughput and allocations against System.Text.Json source-gen (Release).
# Usage: tools/bench/wire.sh [seconds-per-case]   (default 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run -c Release --project tools/bench/wire/Iridium.Bench.Wire.csproj -- "$@"
