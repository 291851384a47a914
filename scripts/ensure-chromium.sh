#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright's own download does not work on our machines).
# CHROMIUM_PATH overrides the binary, e.g. CHROMIUM_PATH=/usr/bin/google-chrome.
set -euo pipefail
bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$bin" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then echo "CHROMIUM_PATH=$bin is not executable" >&2; exit 1; fi
echo "Chromium not found at $bin; installing Debian's chromium package (needs root and apt)…" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
[ -x "$bin" ] || { echo "chromium install failed: $bin missing" >&2; exit 1; }
