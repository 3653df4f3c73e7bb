#!/usr/bin/env bash
# Shared by scripts/alertmanager.sh and scripts/prometheus.sh: install a Debian package's binary, start it in the
# background, wait for /-/ready, stop it. Sourced; the caller sets name, package, binary and defines start().

state_dir="$repo_root/.ci/tmp"
mkdir -p "$state_dir"

# Prints the path of the binary, installing the package first when it is missing.
ensure_installed() {
  local package="$1" binary="$2"
  if command -v "$binary" >/dev/null 2>&1; then
    command -v "$binary"
    return 0
  fi
  local local_bin="$repo_root/tools/debs/usr/bin/$binary"
  if [[ -x "$local_bin" ]]; then
    echo "$local_bin"
    return 0
  fi
  if [[ "$(id -u)" == 0 ]]; then
    echo "installing $package (apt-get)" >&2
    if ! apt-cache show "$package" >/dev/null 2>&1; then
      apt-get -o DPkg::Lock::Timeout=600 update >&2
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$package" >&2
    command -v "$binary"
  else
    echo "installing $package into tools/debs (apt-get download, not root)" >&2
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && apt-get download "$package" >&2)
    mkdir -p "$repo_root/tools/debs"
    dpkg -x "$tmp"/*.deb "$repo_root/tools/debs"
    rm -rf "$tmp"
    echo "$local_bin"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    return 0
  fi
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "error: no free port found" >&2
  exit 1
}

running() {
  [[ -f "$state_dir/$1.pid" ]] && kill -0 "$(cat "$state_dir/$1.pid")" 2>/dev/null
}

# wait_ready <name> <pid> <data dir> <url>
wait_ready() {
  local name="$1" pid="$2" dir="$3" url="$4"
  echo "$pid" >"$state_dir/$name.pid"
  echo "$dir" >"$state_dir/$name.dir"
  for _ in $(seq 1 300); do
    if curl -fsS "$url/-/ready" >/dev/null 2>&1; then
      echo "$url" >"$state_dir/$name.url"
      echo "$name ready at $url (pid $pid)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $name exited during startup; log follows" >&2
      cat "$state_dir/$name.log" >&2 || true
      cleanup "$name"
      exit 1
    fi
    sleep 0.1
  done
  echo "error: $name not ready at $url within 30 s; log follows" >&2
  cat "$state_dir/$name.log" >&2 || true
  kill "$pid" 2>/dev/null || true
  cleanup "$name"
  exit 1
}

cleanup() {
  local name="$1"
  if [[ -f "$state_dir/$name.dir" ]]; then
    rm -rf "$(cat "$state_dir/$name.dir")"
  fi
  rm -f "$state_dir/$name.pid" "$state_dir/$name.dir" "$state_dir/$name.url"
}

stop() {
  if ! [[ -f "$state_dir/$name.pid" ]]; then
    echo "$name not running"
    return 0
  fi
  local pid
  pid="$(cat "$state_dir/$name.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    echo "$name stopped (pid $pid)"
  fi
  cleanup "$name"
}

main() {
  # One start or stop at a time per service (test runs may call the script concurrently).
  exec 9>"$state_dir/$name.lock"
  flock 9
  case "${1:-}" in
    install) ensure_installed "$package" "$binary" >/dev/null ;;
    start) start ;;
    stop) stop ;;
    *)
      echo "usage: $0 install|start|stop" >&2
      exit 2
      ;;
  esac
}
