#!/usr/bin/env bash
# The project's test command: installs what the tests need (Azurite from npm into tools/), starts it,
# builds in Release, runs every test project, stops Azurite, and prints a one-line summary.
#   scripts/test.sh                 run everything
#   scripts/test.sh --filter X      pass a dotnet test filter (e.g. FullyQualifiedName~Chunks)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

for tool in dotnet node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: '$tool' is required on PATH (see README.md, 'Prerequisites')" >&2
    exit 1
  fi
done

results="$repo_root/.ci/tmp/test-results"
rm -rf "$results"
mkdir -p "$results"

scripts/azurite.sh start
trap 'scripts/azurite.sh stop' EXIT
scripts/alertmanager.sh start && scripts/prometheus.sh start   # the ruler's end-to-end tests
scripts/browser.sh   # chromium and playwright-core for the web UI's browser tests
trap 'scripts/azurite.sh stop; scripts/alertmanager.sh stop; scripts/prometheus.sh stop' EXIT
# ---- S3 (the S3 object store tests and the binary on S3): s3rver on a port picked at start ----
scripts/s3.sh start
trap 'scripts/azurite.sh stop; scripts/alertmanager.sh stop; scripts/prometheus.sh stop; scripts/s3.sh stop' EXIT
export LOKI_TEST_S3_ENDPOINT="$(scripts/s3.sh endpoint)"
# ---- end of S3 ----

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Orleans.Loki.sln -c Release -nologo -clp:ErrorsOnly

status=0
dotnet test Orleans.Loki.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$((passed + ${p:-0}))
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${f:-0}))
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters"); skipped=$((skipped + ${n:-0}))
done
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if [[ $passed -eq 0 && $status -eq 0 ]]; then
  echo "error: no test ran" >&2
  exit 1
fi
exit $status
