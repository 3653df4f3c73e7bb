#!/usr/bin/env bash
# Installs, starts or stops a local Prometheus (Debian's prometheus) with the remote-write receiver, for the ruler tests.
#   scripts/prometheus.sh install   apt-get install the package when the binary is missing (apt-get update first when
#                                   the package is unknown); without root, apt-get download + dpkg -x into tools/debs
#   scripts/prometheus.sh start     install, then start on a free loopback port with a temporary TSDB directory and
#                                   --web.enable-remote-write-receiver; writes the URL to .ci/tmp/prometheus.url
#   scripts/prometheus.sh stop      stop the instance started by `start` and remove its data directory
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/debian-tool.sh
source "$repo_root/scripts/debian-tool.sh"

name=prometheus
package=prometheus
binary=prometheus

start() {
  local bin port dir
  bin="$(ensure_installed "$package" "$binary")"
  if running "$name"; then
    echo "$name already running ($(cat "$state_dir/$name.url"))"
    return 0
  fi
  dir="$(mktemp -d)"
  printf 'global: { scrape_interval: 1m }\n' >"$dir/prometheus.yml"
  port="$(free_port)"
  "$bin" --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$port" \
    --web.enable-remote-write-receiver >"$state_dir/$name.log" 2>&1 9>&- &
  wait_ready "$name" $! "$dir" "http://127.0.0.1:$port"
}

main "$@"
