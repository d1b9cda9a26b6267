#!/usr/bin/env bash
# The e2e suite drives Debian's Chromium (Playwright's own browser download does
# not work here). Installs it when missing; CI runs as root on a clean machine.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
echo "e2e: installing Debian's chromium (not found at $browser)…"
if [ "$(id -u)" -ne 0 ]; then
  echo "e2e: need root to install chromium: run 'sudo apt-get install -y chromium' or set CHROMIUM_PATH" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
"$browser" --version
