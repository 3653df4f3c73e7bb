#!/usr/bin/env bash
# Starts or stops a local Azurite (Azure Storage emulator) for the storage tests.
#   scripts/azurite.sh start   install (npm ci, only when tools/node_modules is missing), start in the
#                              background, wait until blob (10000) and table (10002) listen
#   scripts/azurite.sh stop    stop the instance started by `start`
# Data lives in memory only; nothing is written to the working tree except the pid and log under .ci/tmp/.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state_dir="$repo_root/.ci/tmp"
pid_file="$state_dir/azurite.pid"
log_file="$state_dir/azurite.log"

port_open() {
  (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  mkdir -p "$state_dir"
  if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "azurite already running (pid $(cat "$pid_file"))"
    return 0
  fi
  if [[ ! -d "$repo_root/tools/node_modules" ]]; then
    echo "installing azurite (npm ci --prefix tools)"
    npm ci --prefix "$repo_root/tools" --no-audit --no-fund
  fi
  local bin="$repo_root/tools/node_modules/.bin/azurite"
  if [[ ! -x "$bin" ]]; then
    echo "error: $bin not found; run 'npm ci --prefix tools'" >&2
    exit 1
  fi
  # --skipApiVersionCheck: Azure.Storage.Blobs 12.30 sends an API version newer than Azurite 3.37 knows.
  "$bin" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
    >"$log_file" 2>&1 &
  local pid=$!
  echo "$pid" >"$pid_file"
  for _ in $(seq 1 300); do
    if port_open 10000 && port_open 10002; then
      echo "azurite listening (pid $pid)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: azurite exited during startup; log follows" >&2
      cat "$log_file" >&2 || true
      rm -f "$pid_file"
      exit 1
    fi
    sleep 0.1
  done
  echo "error: azurite did not listen on 127.0.0.1:10000 and :10002 within 30 s; log follows" >&2
  cat "$log_file" >&2 || true
  kill "$pid" 2>/dev/null || true
  rm -f "$pid_file"
  exit 1
}

stop() {
  if [[ ! -f "$pid_file" ]]; then
    echo "azurite not running (no $pid_file)"
    return 0
  fi
  local pid
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    echo "azurite stopped (pid $pid)"
  fi
  rm -f "$pid_file"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
