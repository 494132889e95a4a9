#!/usr/bin/env bash
# Installs what warroom needs on this machine, skipping what is already there:
#   Debian packages (as root, with apt-get): librdkafka1 for the dev Kafka broker; with --with-browser
#   also chromium and fonts-noto-cjk for the browser tests and screenshots, openssl for the TLS test;
#   npm packages from package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

with_browser=false
[[ "${1:-}" == "--with-browser" ]] && with_browser=true

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if (( node_major < 20 )); then
  echo "warroom needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

packages=(librdkafka1)
$with_browser && packages+=(chromium fonts-noto-cjk openssl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} > 0 )); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run again." >&2
    exit 1
  fi
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing npm packages…" >&2
  # Not `npm ci`: chdb lists platform packages (darwin, linux-arm64) as optional dependencies that some
  # registries do not carry, so the lock file cannot name them and `npm ci` refuses it. `npm install`
  # installs exactly the locked versions and skips the optional packages that do not exist.
  npm install --no-audit --no-fund --loglevel=error
fi
if ! node -e "require('chdb'); require('koffi'); require('@swc/core')" 2>/dev/null; then
  echo "Native npm packages (chdb, koffi, @swc/core) did not install correctly; see the npm output above." >&2
  exit 1
fi
