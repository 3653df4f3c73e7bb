#!/usr/bin/env bash
# Builds the server and the benchmark tools in Release, makes sure lz4 is installed, runs the end-to-end load
# test with default options (updates bench/RESULTS.md) and, with --micro, the micro benchmarks' allocation check.
# Usage: bench/run.sh [--micro] [load test options, e.g. --size-mb 50 --format proto]
set -euo pipefail
cd "$(dirname "$0")/.."

micro=0
args=()
for arg in "$@"; do
  if [[ "$arg" == "--micro" ]]; then micro=1; else args+=("$arg"); fi
done

if ! command -v lz4 >/dev/null 2>&1; then
  echo "installing lz4 (needed for the baselines)"
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y lz4 >/dev/null; else sudo apt-get install -y lz4 >/dev/null; fi
fi

dotnet build -c Release src/Silo -v q -nologo
dotnet build -c Release bench/Orleans.Loki.LoadTest -v q -nologo
dotnet run -c Release --no-build --project bench/Orleans.Loki.LoadTest -- "${args[@]}"

if [[ $micro -eq 1 ]]; then
  dotnet build -c Release bench/Orleans.Loki.Bench -v q -nologo
  dotnet run -c Release --no-build --project bench/Orleans.Loki.Bench -- --check-budgets --results bench/RESULTS.md
fi
