#!/usr/bin/env bash
# Idempotent set-up, run automatically before `npm start`, `npm test` and `npm run bench`:
# npm packages (npm ci when node_modules is missing or stale) and Debian's Chromium + Vulkan loader
# (the software WebGPU adapter used headless and in Node). Fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/lib/chromium/chromium ] || [ -n "${PUPPETEER_EXECUTABLE_PATH:-}" ] || need+=(chromium)
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then need+=(libvulkan1); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
      echo "setup: need root to run: apt-get install -y ${need[*]}" >&2; exit 1
    fi
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
