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

# A recent lavapipe (Mesa's CPU Vulkan driver, 5-10x faster than SwiftShader for the kit's CPU-shaped kernels)
# for WebGPU in Node when there is no GPU. Debian 12's own Mesa 22.3 does not work with Dawn; Mesa 25 from
# bookworm-backports does. It goes into .lavapipe/ without touching the machine's package sources or
# installed packages (private apt lists, `apt-get download`, `dpkg -x`), so it also works without root.
# The Vulkan driver plan (src/gpu/icd.ts) prefers it over SwiftShader. SAE_KIT_NO_LAVAPIPE=1 skips it.
setup_lavapipe() {
  local dir=$PWD/.lavapipe icd=$PWD/.lavapipe/lvp_icd.json
  [ -f "$icd" ] && return 0
  [ -n "${SAE_KIT_NO_LAVAPIPE:-}" ] && return 0
  # the distribution's own lavapipe, when new enough (Vulkan >= 1.3), is found by the plan as it is
  local sys
  for sys in "$R"/usr/share/vulkan/icd.d/lvp_icd*.json; do
    [ -f "$sys" ] && grep -Eq '"api_version": *"1\.([3-9]|[1-9][0-9])' "$sys" && return 0
  done
  command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 || return 0
  grep -q 'VERSION_CODENAME=bookworm' "$R/etc/os-release" 2>/dev/null || return 0
  echo "setup: fetching Mesa's lavapipe from bookworm-backports into .lavapipe/ (software Vulkan for runs without a GPU)" >&2
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/lists/partial" "$dir.tmp/cache/archives/partial" "$dir.tmp/debs"
  echo "deb http://deb.debian.org/debian bookworm-backports main" >"$dir.tmp/sources.list"
  local o=(-o "Dir::Etc::SourceList=$dir.tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$dir.tmp/lists"
    -o "Dir::Cache=$dir.tmp/cache" -o Debug::NoLocking=1 -o "APT::Sandbox::User=$(id -un)")
  if ! apt-get "${o[@]}" -qq update >/dev/null 2>&1 ||
    ! (cd "$dir.tmp/debs" && apt-get "${o[@]}" -qq download mesa-vulkan-drivers libdrm2 libdrm-amdgpu1 >/dev/null 2>&1); then
    echo "setup: could not fetch lavapipe (no access to bookworm-backports?); runs without a GPU use SwiftShader" >&2
    rm -rf "$dir.tmp"
    return 0
  fi
  local f
  for f in "$dir.tmp"/debs/*.deb; do dpkg -x "$f" "$dir.tmp/root"; done
  local lib=$dir/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so
  [ "$(uname -m)" = aarch64 ] && lib=$dir/root/usr/lib/aarch64-linux-gnu/libvulkan_lvp.so
  rm -rf "$dir" && mkdir -p "$dir" && mv "$dir.tmp/root" "$dir/root" && rm -rf "$dir.tmp"
  # the driver must load with the machine's libraries (libLLVM and libdrm come with chromium's Mesa)
  if [ ! -f "$lib" ] || ldd "$lib" 2>/dev/null | grep -q 'not found'; then
    echo "setup: lavapipe from bookworm-backports misses libraries here ($(ldd "$lib" 2>/dev/null | grep 'not found' | awk '{print $1}' | tr '\n' ' ')); runs without a GPU use SwiftShader" >&2
    return 0
  fi
  local api
  api=$(grep -o '"api_version": *"[0-9.]*"' "$dir"/root/usr/share/vulkan/icd.d/lvp_icd*.json | head -1 | grep -o '[0-9][0-9.]*' || echo 1.3.0)
  printf '{"file_format_version": "1.0.0", "ICD": {"api_version": "%s", "library_path": "%s"}}\n' "$api" "$lib" >"$icd.tmp"
  mv "$icd.tmp" "$icd"
  echo "setup: lavapipe ready ($icd); its first compile of each kernel is slow (cached in ~/.cache/mesa_shader_cache*)" >&2
}
[ -z "${SETUP_FAKE_ROOT:-}" ] && setup_lavapipe

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  # on stderr: stdout is what `npm start --silent -- --print-config X > FILE` writes into FILE
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2
fi
