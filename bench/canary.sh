#!/usr/bin/env bash
# Runs the canary or the bomb measurement against a freshly started server (temp data directory, free loopback
# ports), and stops the server at the end.
#   bench/canary.sh canary [--duration 10m] [--kill-after 200]   canary run; kill -9 the server after N seconds
#                                                                  (0: never) and restart it on the same data
#   bench/canary.sh bombs [--count 100] [--inflated 300MiB]      decompression bombs of every kind, RSS figures
# Extra options are passed to the tool (see `dotnet run --project bench/Orleans.Loki.Canary -- --help`).
# Environment: LOKI_ENV="DOTNET_GCHeapHardLimit=0x80000000" runs the server with extra environment variables.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-canary}"; shift || true
kill_after=200
args=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--kill-after" ]]; then kill_after="$2"; shift 2; else args+=("$1"); shift; fi
done

dotnet build -c Release src/Silo -v q -nologo >/dev/null
dotnet build -c Release bench/Orleans.Loki.Canary -v q -nologo >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
http_port=$(free_port); silo_port=$(free_port); gateway_port=$(free_port)
data=$(mktemp -d /tmp/loki-canary.XXXXXX)
cat > "$data/config.yaml" <<YAML
server: { http_listen_address: 127.0.0.1, http_listen_port: $http_port }
common: { path_prefix: $data/data }
cluster: { silo_port: $silo_port, gateway_port: $gateway_port }
YAML

server_pid=""
start_server() {
  env ${LOKI_ENV:-} dotnet src/Silo/bin/Release/net10.0/orleans-loki.dll -config.file="$data/config.yaml" >>"$data/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$http_port/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "server did not become ready; log in $data/server.log" >&2
  return 1
}
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
  if [[ -n "${canary_pid:-}" ]] && kill -0 "$canary_pid" 2>/dev/null; then kill "$canary_pid" 2>/dev/null || true; fi
  echo "server log: $(grep -cE "fail:|unhandled exception" "$data/server.log" || true) error lines"
  rm -rf "$data"
}
trap cleanup EXIT

start_server
tool=(dotnet bench/Orleans.Loki.Canary/bin/Release/net10.0/Orleans.Loki.Canary.dll)
if [[ "$mode" == "bombs" ]]; then
  "${tool[@]}" bombs --url "http://127.0.0.1:$http_port" --pid "$server_pid" "${args[@]}"
  exit 0
fi

"${tool[@]}" canary --url "http://127.0.0.1:$http_port" --metrics-file "$data/canary.prom" "${args[@]}" &
canary_pid=$!
if [[ "$kill_after" -gt 0 ]]; then
  sleep "$kill_after"
  echo "$(date -u +%H:%M:%S) kill -9 server $server_pid"
  kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
  sleep 5
  start_server
  echo "$(date -u +%H:%M:%S) server restarted ($server_pid)"
fi
status=0
wait "$canary_pid" || status=$?
canary_pid=""
exit $status
