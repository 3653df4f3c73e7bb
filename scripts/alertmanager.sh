#!/usr/bin/env bash
# Installs, starts or stops a local Prometheus Alertmanager (Debian's prometheus-alertmanager) for the ruler tests.
#   scripts/alertmanager.sh install   apt-get install the package when the binary is missing (apt-get update first
#                                     when the package is unknown); without root, apt-get download + dpkg -x into tools/debs
#   scripts/alertmanager.sh start     install, then start on a free loopback port with a temporary data directory and
#                                     no clustering; writes the URL to .ci/tmp/alertmanager.url
#   scripts/alertmanager.sh stop      stop the instance started by `start` and remove its data directory
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/debian-tool.sh
source "$repo_root/scripts/debian-tool.sh"

name=alertmanager
package=prometheus-alertmanager
binary=prometheus-alertmanager

start() {
  local bin port dir
  bin="$(ensure_installed "$package" "$binary")"
  if running "$name"; then
    echo "$name already running ($(cat "$state_dir/$name.url"))"
    return 0
  fi
  dir="$(mktemp -d)"
  cat >"$dir/am.yml" <<'YAML'
route: { receiver: none, group_wait: 1s, group_interval: 1s, repeat_interval: 1h }
receivers: [{ name: none }]
YAML
  port="$(free_port)"
  # --cluster.listen-address= : no gossip (it would bind 0.0.0.0:9094 and wait for peers).
  "$bin" --config.file="$dir/am.yml" --storage.path="$dir" --web.listen-address="127.0.0.1:$port" \
    --cluster.listen-address= >"$state_dir/$name.log" 2>&1 9>&- &
  wait_ready "$name" $! "$dir" "http://127.0.0.1:$port"
}

main "$@"
