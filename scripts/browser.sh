#!/usr/bin/env bash
# Installs what the web UI's browser tests need: Debian's chromium (apt-get, when missing) and playwright-core from
# npm into tools/browser. Prints nothing on success when both are there already.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
  if [[ "$(id -u)" != 0 ]]; then
    echo "error: chromium is missing and installing it needs root (apt-get install chromium)" >&2
    exit 1
  fi
  echo "installing chromium (apt-get)" >&2
  if ! apt-cache show chromium >/dev/null 2>&1; then
    apt-get -o DPkg::Lock::Timeout=600 update >&2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium >&2 || {
    apt-get -o DPkg::Lock::Timeout=600 update >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium >&2
  }
fi

if [[ ! -d "$repo_root/tools/browser/node_modules/playwright-core" ]]; then
  echo "installing playwright-core (npm) into tools/browser" >&2
  (cd "$repo_root/tools/browser" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
