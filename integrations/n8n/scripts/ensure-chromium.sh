#!/usr/bin/env bash
# Debian's Chromium for the browser test (NODE-HOST.md; the machine's env notes: a test tool's own
# browser download does not work here). Installed with apt-get when missing and we are root, then
# verified by rendering a page headless. Prints the binary's path on the last line.
set -euo pipefail
bin="${CIO_CHROMIUM:-}"
[[ -n "$bin" ]] || bin="$(command -v chromium || true)"
if [[ -z "$bin" ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "[chromium] installing Debian's chromium package" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
    bin="$(command -v chromium)"
  else
    echo "[chromium] Chromium is missing: install Debian's chromium package (apt-get install chromium) or set CIO_CHROMIUM" >&2
    exit 1
  fi
fi
# The same flags the test uses; a page that renders proves the install works.
if ! out="$(timeout 60 "$bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$(mktemp -d)" --dump-dom 'data:text/html,<p id=ok>rendered</p>' 2>/dev/null)" ||
  [[ "$out" != *rendered* ]]; then
  echo "[chromium] $bin does not render a page headless" >&2
  exit 1
fi
echo "[chromium] $("$bin" --version 2>/dev/null) renders headless" >&2
echo "$bin"
