#!/bin/sh
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser test (tests/publish/).
#
#   present            -> exit 0 at once (this runs as `pretest`, so it must cost nothing)
#   missing, root      -> apt-get update (once) + apt-get install -y chromium, quietly
#   missing, not root  -> print how to install it and exit 1
#
# Never downloads a browser of its own (no `playwright install`): playwright-core drives the
# Debian build through `executablePath`.
# SPS_CHROMIUM overrides the path (a test or CI image may keep Chromium elsewhere).
set -eu

CHROMIUM="${SPS_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: $CHROMIUM is missing; the browser test (tests/publish/browser.test.ts) needs it." >&2
  echo "ensure-chromium: install Debian's package as root:  apt-get update && apt-get install -y chromium" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium and set SPS_CHROMIUM=/path/to/chromium" >&2
  exit 1
fi

echo "ensure-chromium: installing Debian's chromium package (about half a minute)..." >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: apt-get update failed" >&2
  exit 1
fi
if ! apt-get install -y -qq --no-install-recommends chromium >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: apt-get install chromium failed" >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: chromium installed but $CHROMIUM is not there; set SPS_CHROMIUM" >&2
  exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed" >&2
