#!/usr/bin/env bash
# Idempotent set-up, run before `npm start`, `npm test`, `replay` and `bench`: npm packages (npm ci when
# node_modules is missing or stale) and Debian's Chromium + Vulkan loader. When everything is present it
# installs and updates nothing. Without root (or password-less sudo) it lists what is missing and which
# commands need it, and exits 0, so the commands that can run still run.
set -euo pipefail
cd "$(dirname "$0")/.."
R=${SETUP_FAKE_ROOT:-} # tests point the absolute paths below into a fake tree

# the loader cache is read into a variable: `ldconfig -p | grep -q` under pipefail fails at random
# (grep exits at the first match, ldconfig dies of SIGPIPE)
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
libs=$("$LDCONFIG" -p 2>/dev/null || true)
has_vulkan() {
  case "$libs" in *libvulkan.so.1*) return 0 ;; esac
  local d
  for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
    [ -e "$R$d/libvulkan.so.1" ] && return 0
  done
  return 1
}

need=()
[ -x "$R/usr/lib/chromium/chromium" ] || [ -n "${PUPPETEER_EXECUTABLE_PATH:-}" ] || need+=(chromium)
has_vulkan || need+=(libvulkan1)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi
  fi
  if [ "$SUDO" = none ]; then
    {
      echo "setup: missing Debian packages: ${need[*]} (installing them needs root: apt-get install -y ${need[*]})"
      for p in "${need[@]}"; do
        case $p in
          chromium) echo "  chromium:   needed by npm test, --runtime browser, --png and --checks (headless Chromium, and SwiftShader, the software adapter when there is no GPU); not by a GPU run in Node (npm start on a machine with a GPU driver)" ;;
          libvulkan1) echo "  libvulkan1: needed by every WebGPU run in Node (npm start, replay, bench, most tests)" ;;
        esac
      done
      echo "setup: going on; commands that need these stop with their own message"
    } >&2
  else
    echo "setup: installing Debian packages: ${need[*]}" >&2
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
