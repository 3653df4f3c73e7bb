#!/usr/bin/env bash
# Starts or stops a local S3-compatible server (s3rver, from npm into tools/s3) for the S3 object store tests.
#   scripts/s3.sh start      install (npm ci, only when tools/s3/node_modules is missing), start in the background
#                            on a port the system picks, wait until it listens, write the endpoint to .ci/tmp/s3.endpoint
#   scripts/s3.sh endpoint   print the endpoint (http://127.0.0.1:<port>) of the running server
#   scripts/s3.sh stop       stop the server started by `start`
# Tests read the endpoint from LOKI_TEST_S3_ENDPOINT (scripts/test.sh exports it). Data lives under .ci/tmp only.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state_dir="$repo_root/.ci/tmp"
pid_file="$state_dir/s3.pid"
log_file="$state_dir/s3.log"
endpoint_file="$state_dir/s3.endpoint"

start() {
  mkdir -p "$state_dir"
  if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "s3 server already running (pid $(cat "$pid_file"), $(cat "$endpoint_file"))"
    return 0
  fi
  if [[ ! -d "$repo_root/tools/s3/node_modules" ]]; then
    echo "installing s3rver (npm ci --prefix tools/s3)"
    npm ci --prefix "$repo_root/tools/s3" --no-audit --no-fund
  fi
  local data="$state_dir/s3-data"
  rm -rf "$data" "$endpoint_file"
  mkdir -p "$data"
  node "$repo_root/tools/s3/server.js" "$data" >"$log_file" 2>&1 &
  local pid=$!
  echo "$pid" >"$pid_file"
  for _ in $(seq 1 300); do
    local port
    port=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$log_file" 2>/dev/null || true)
    if [[ -n "$port" ]]; then
      echo "http://127.0.0.1:$port" >"$endpoint_file"
      echo "s3 server listening on http://127.0.0.1:$port (pid $pid)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: s3 server exited during startup; log follows" >&2
      cat "$log_file" >&2 || true
      rm -f "$pid_file"
      exit 1
    fi
    sleep 0.1
  done
  echo "error: s3 server did not start within 30 s; log follows" >&2
  cat "$log_file" >&2 || true
  kill "$pid" 2>/dev/null || true
  rm -f "$pid_file"
  exit 1
}

stop() {
  if [[ -f "$pid_file" ]]; then
    kill "$(cat "$pid_file")" 2>/dev/null || true
    rm -f "$pid_file" "$endpoint_file"
    echo "s3 server stopped"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  endpoint) cat "$endpoint_file" ;;
  *) echo "usage: $0 start|stop|endpoint" >&2; exit 2 ;;
esac
